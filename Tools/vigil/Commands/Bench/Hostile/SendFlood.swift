import Synchronization
import Transport

/// A business hammering the Cloud API's send endpoint past its limits: `threads` closed loops,
/// each on its own keep-alive connection, POSTing marketing templates round robin over more
/// users than its tier allows in 24 h, as fast as answers come back, ignoring every 429 —
/// over its throughput (130429), its messaging limit (131048) and, later, each user's pair rate
/// (131056). Every send answered 200 must still reach its user.
///
/// `@unchecked Sendable`: `workers` and `clients` are touched only by the orchestrating thread
/// (``start()`` and ``stop()``); the worker threads share only `tally` and `acknowledged`, both
/// locked.
final class SendFlood: HostileAttack, @unchecked Sendable {
    private let sender: GraphSender
    private let recipients: [PhoneNumber]
    private let threads: Int
    private let limit: Duration
    private let tally = Tally()
    private let acknowledged = EnvelopeLog()
    private var workers: [HostileWorker] = []
    private var clients: [HTTPBlockingClient] = []

    init(sender: GraphSender, recipients: [PhoneNumber], threads: Int, limit: Duration) {
        self.sender = sender
        self.recipients = recipients
        self.threads = threads
        self.limit = limit
    }

    /// The envelope ids of the sends answered 200 (each must be delivered).
    var sent: [EnvelopeID] { acknowledged.ids }

    func start() throws(CLIError) {
        for index in 0..<threads {
            let client: HTTPBlockingClient
            do throws(SystemError) {
                client = try HTTPBlockingClient(configuration: HTTPClientConfiguration(maximumConnectionsPerHost: 1))
            } catch {
                throw CLIError("bench: cannot start the send flood's HTTP client: \(error)")
            }
            clients.append(client)
            let (sender, recipients, tally, threads) = (sender, recipients, tally, threads)
            workers.append(HostileWorker(name: "vigil-bench-send-flood-\(index)", limit: limit) { [acknowledged] worker in
                var next = index
                while !worker.shouldStop {
                    let recipient = recipients[next % recipients.count]
                    next += threads
                    tally.add("POSTs")
                    switch sender.send(to: recipient, with: client) {
                    case let .sent(id):
                        tally.add("sent")
                        acknowledged.append(id)
                    case let .refused(status, code):
                        tally.add(code == 0 ? "refused HTTP \(status)" : "refused \(code)")
                    case .failed:
                        tally.add("failed")
                    }
                }
            })
        }
    }

    func stop() -> [(String, Int)] {
        for worker in workers { worker.stop() }
        for client in clients { client.close() }
        workers = []
        clients = []
        return tally.snapshot
    }
}

/// Envelope ids appended from several threads and read once they have stopped.
final class EnvelopeLog: Sendable {
    private let list = Mutex<[EnvelopeID]>([])

    func append(_ id: EnvelopeID) { list.withLock { $0.append(id) } }

    /// Every id appended so far.
    var ids: [EnvelopeID] { list.withLock { $0 } }
}

import Synchronization
import Transport

/// What the honest business saw in one condition of the send-flood attack.
struct HonestSendFigures: Sendable {
    /// Send latency, from each POST's scheduled time to its answer.
    var latency = LatencyHistogram()
    /// POSTs issued.
    var posted = 0
    /// 200 answers, with the envelope id of each (each must reach its user).
    var sent: [EnvelopeID] = []
    /// POSTs answered otherwise or not at all, with the first reason.
    var failures = 0
    var firstFailure: String?
    /// The condition's length in seconds.
    var seconds = 0.0

    /// 200 answers per second.
    var throughput: Double { seconds > 0 ? Double(sent.count) / seconds : 0 }
}

/// An honest business on the same `vigil cloudapi` as the attacker: marketing templates at a
/// fixed rate, round robin over its own users (well inside its tier, throughput and pair
/// limits, so every one should be answered 200), on one keep-alive connection.
final class HonestSends: Sendable {
    private let sender: GraphSender
    private let recipients: [PhoneNumber]
    private let rate: Double
    private let client: HTTPBlockingClient

    init(sender: GraphSender, recipients: [PhoneNumber], rate: Double) throws(CLIError) {
        self.sender = sender
        self.recipients = recipients
        self.rate = rate
        do throws(SystemError) {
            client = try HTTPBlockingClient(configuration: HTTPClientConfiguration(maximumConnectionsPerHost: 1))
        } catch {
            throw CLIError("bench: cannot start the honest business's HTTP client: \(error)")
        }
    }

    /// Sends at `rate` while `body` runs, then returns `body`'s result and what the sends saw.
    func measure<T>(limit: Duration, during body: () throws(CLIError) -> T) throws(CLIError) -> (T, HonestSendFigures) {
        let figures = Mutex(HonestSendFigures())
        let started = BenchClock.now()
        let result = try HostileWorker.running(name: "vigil-bench-honest-sends", limit: limit, { [self] worker in
            var next = 0
            worker.paced(rate: rate, started: started) { due in
                defer { next += 1 }
                send(to: recipients[next % recipients.count], due: due, into: figures)
                return true
            }
        }, during: body)
        var final = figures.withLock { $0 }
        final.seconds = Double(BenchClock.now() - started) / 1e9
        return (result, final)
    }

    /// Shuts the HTTP client down.
    func close() { client.close() }

    /// One template to `recipient`, scheduled at `due`.
    private func send(to recipient: PhoneNumber, due: UInt64, into figures: borrowing Mutex<HonestSendFigures>) {
        var outcome = sender.send(to: recipient, with: client)
        if outcome == .refused(status: 429, code: 130429) {
            // Over its own throughput (a stall made it catch up back to back): the endpoint held
            // the answer for the wait, so a well-behaved client sends again once.
            outcome = sender.send(to: recipient, with: client)
        }
        let latency = BenchClock.now() - due
        figures.withLock { value in
            value.posted += 1
            value.latency.record(latency)
            switch outcome {
            case let .sent(id):
                value.sent.append(id)
            case let .refused(status, code):
                value.failures += 1
                if value.firstFailure == nil { value.firstFailure = "HTTP \(status), Graph code \(code)" }
            case let .failed(reason):
                value.failures += 1
                if value.firstFailure == nil { value.firstFailure = reason }
            }
        }
    }
}

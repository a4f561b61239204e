import Transport

/// Report floods on `POST /v1/reports`, 1 000 items per POST (the batch limit) back to back on
/// one keep-alive connection, until the budget of decided reports is spent or the attack is
/// stopped (a batch refused with 429 is re-sent at once):
/// - one reporter (with proof of contact with the first business) reporting every business
///   over and over: the first report counts, the rest must be `duplicate` / `rate_limited`;
/// - sybils: distinct reporters without any contact, cycling over the businesses: every
///   report must be `no_contact` (later rounds `rate_limited`).
final class ReportFlood: HostileAttack, @unchecked Sendable {
    /// Who files the reports.
    enum Reporters: Sendable {
        case one(PhoneNumber)
        case sybils(count: Int)
    }

    /// Items per POST.
    static let batchSize = 1_000
    private let poster: ReportPoster
    private let reporters: Reporters
    private let businesses: [PhoneNumber]
    private let budget: Int
    private let limit: Duration
    private let tally = Tally()
    private var worker: HostileWorker?

    /// A flood of at most `budget` reports against `businesses`.
    init(poster: ReportPoster, reporters: Reporters, businesses: [PhoneNumber], budget: Int, limit: Duration) {
        self.poster = poster
        self.reporters = reporters
        self.businesses = businesses
        self.budget = budget
        self.limit = limit
    }

    /// Reports the server said it accepted (each must be counted).
    var accepted: Int { tally["reports accepted"] }

    func start() throws(CLIError) {
        let client: HTTPBlockingClient
        do throws(SystemError) {
            client = try HTTPBlockingClient(configuration: HTTPClientConfiguration(maximumConnectionsPerHost: 1))
        } catch {
            throw CLIError("bench: cannot start the flood's HTTP client: \(error)")
        }
        let (poster, reporters, businesses, budget, tally) = (poster, reporters, businesses, budget, tally)
        worker = HostileWorker(name: "vigil-bench-report-flood", limit: limit) { worker in
            defer { client.close() }
            // The budget counts reports the server decided (202): a POST refused with 429 (its
            // connection over the item budget) is sent again at once — a hostile client does not
            // honour Retry-After — so the flood lasts until stopped or decided in full.
            var decided = 0
            var body: [UInt8] = []
            var count = 0
            while decided < budget, !worker.shouldStop {
                if body.isEmpty {
                    let items = (decided..<min(decided + Self.batchSize, budget)).compactMap { index -> (reporter: PhoneNumber, business: PhoneNumber)? in
                        let business = businesses[index % businesses.count]
                        switch reporters {
                        case let .one(number): return (number, business)
                        case let .sybils(count):
                            guard let number = PhoneNumber(digits: 15_559_100_000 + UInt64(index % count)) else { return nil }
                            return (number, business)
                        }
                    }
                    body = ReportPoster.body(items)
                    count = items.count
                }
                tally.add("reports sent", count)
                tally.add("POSTs")
                switch poster.post(body, with: client) {
                case let .accepted(accepted):
                    tally.add("reports accepted", accepted)
                    tally.add("reports decided", count)
                    decided += count
                    body = []
                case let .status(code):
                    tally.add("POSTs answered \(code)")
                    if code != 429 {
                        decided += count
                        body = []
                    }
                case .failed:
                    tally.add("POSTs failed")
                    decided += count
                    body = []
                }
            }
        }
    }

    func stop() -> [(String, Int)] {
        worker?.stop()
        worker = nil
        return tally.snapshot
    }
}

import Synchronization
import Transport

/// What the honest reporters saw in one condition.
struct HonestReportFigures: Sendable {
    /// POST latency, from each POST's scheduled time (so a server that falls behind is charged
    /// for the wait, not only for the POSTs it got to) to its answer.
    var latency = LatencyHistogram()
    /// POSTs issued, each carrying one report.
    var posted = 0
    /// 202 answers.
    var answered = 0
    /// Reports the 202s said were accepted.
    var accepted = 0
    /// POSTs answered otherwise or not at all, with the first reason.
    var failures = 0
    var firstFailure: String?
    /// Whether the reporters with proof of contact ran out before the condition ended.
    var exhausted = false
    /// The condition's length in seconds.
    var seconds = 0.0

    /// 202 answers per second.
    var throughput: Double { seconds > 0 ? Double(answered) / seconds : 0 }
}

/// Honest spam reports at a fixed rate, one report per `POST /v1/reports`, each from the next
/// reporter with proof of contact (so every one should be accepted and counted), on one
/// keep-alive connection opened before any attack starts.
final class HonestReports: Sendable {
    private let poster: ReportPoster
    private let pairs: [(business: PhoneNumber, reporter: PhoneNumber)]
    private let rate: Double
    private let client: HTTPBlockingClient
    private let cursor = Mutex(0)

    init(poster: ReportPoster, contacts: HostileContacts, rate: Double) throws(CLIError) {
        self.poster = poster
        pairs = contacts.pairs
        self.rate = rate
        do throws(SystemError) {
            client = try HTTPBlockingClient(configuration: HTTPClientConfiguration(maximumConnectionsPerHost: 1))
        } catch {
            throw CLIError("bench: cannot start the honest reporters' HTTP client: \(error)")
        }
    }

    /// Reporters not used yet.
    var remaining: Int { pairs.count - cursor.withLock { $0 } }

    /// Posts at `rate` while `body` runs, then returns `body`'s result and what the POSTs saw.
    func measure<T>(limit: Duration, during body: () throws(CLIError) -> T) throws(CLIError) -> (T, HonestReportFigures) {
        let figures = Mutex(HonestReportFigures())
        let started = BenchClock.now()
        let result = try HostileWorker.running(name: "vigil-bench-honest-reports", limit: limit, { [self] worker in
            worker.paced(rate: rate, started: started) { due in post(due: due, into: figures) }
        }, during: body)
        var final = figures.withLock { $0 }
        final.seconds = Double(BenchClock.now() - started) / 1e9
        return (result, final)
    }

    /// Shuts the HTTP client down.
    func close() { client.close() }

    /// One report POST scheduled at `due`; false once the reporters are used up.
    private func post(due: UInt64, into figures: borrowing Mutex<HonestReportFigures>) -> Bool {
        let index = cursor.withLock { value -> Int? in
            guard value < pairs.count else { return nil }
            defer { value += 1 }
            return value
        }
        guard let index else {
            figures.withLock { $0.exhausted = true }
            return false
        }
        let pair = pairs[index]
        let outcome = poster.post(ReportPoster.body([(pair.reporter, pair.business)]), with: client)
        let latency = BenchClock.now() - due
        figures.withLock { value in
            value.posted += 1
            value.latency.record(latency)
            switch outcome {
            case let .accepted(count):
                value.answered += 1
                value.accepted += count
            case let .status(code):
                value.failures += 1
                if value.firstFailure == nil { value.firstFailure = "HTTP \(code)" }
            case let .failed(reason):
                value.failures += 1
                if value.firstFailure == nil { value.firstFailure = reason }
            }
        }
        return true
    }
}

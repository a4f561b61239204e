import Integrity
import Storage
import Transport

/// The live statistics export of `vigil serve`: a relay sink that feeds every event (converted to
/// the integrity schema, the consumer pseudonymized with the analyzer's keys — only the calling
/// code is read from the number) to a bounded ``StatisticsAggregator``, and `GET /v1/stats`,
/// which charges the privacy ledger and draws a DP release (docs/export.md).
final class ServeStatistics: MetadataSink {
    private(set) var aggregator: StatisticsAggregator
    let ledger: PrivacyLedger
    let budget: PrivacyBudget
    private let pseudonymizer: Pseudonymizer
    private var directory: BusinessDirectory
    /// Days kept for queries (older days are forgotten).
    static let retainedDays = 31

    init(ledgerPath: String, pseudonymizer: Pseudonymizer, businesses: [PhoneNumber]) throws {
        aggregator = try StatisticsAggregator()
        ledger = try PrivacyLedger(path: ledgerPath)
        budget = PrivacyBudget(epsilon: Epsilon(decimal: "3") ?? Epsilon(units: 3_000_000), delta: Delta(decimal: "0.00001") ?? Delta(units: 10_000_000_000))
        self.pseudonymizer = pseudonymizer
        directory = BusinessDirectory(businesses)
    }

    func record(_ event: MetadataEvent) {
        guard let (converted, count) = IntegrityEvent.converting(event, directory: &directory),
              let pair = try? pseudonymizer.pseudonyms(for: converted.user, at: converted.time) else { return }
        for _ in 0..<count { aggregator.add(converted, user: pair.current) }
    }

    /// Forgets days older than ``retainedDays`` before `now`.
    func forgetOldDays(now: Int64) {
        aggregator.forget(before: UTCDay(secondsSince1970: now / 1000).advanced(by: -Self.retainedDays))
    }

    /// `GET /v1/stats?from=…&to=…&epsilon=…`: the release, or 400 / 429 with one error line.
    func respond(to queryString: String, now: Int64) -> HTTPResponse {
        var noise = SystemNoiseSource()
        let answer = StatsEndpoint.respond(to: queryString, aggregator: aggregator, ledger: ledger, budget: budget, now: now, using: &noise)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: answer.contentType + "; charset=utf-8")
        return HTTPResponse(status: HTTPStatus(code: answer.status), headers: headers, body: Array(answer.body.utf8))
    }
}

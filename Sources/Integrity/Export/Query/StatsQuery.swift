public import Storage

/// A `GET /v1/stats?…` request's parameters: `from`, `to` (UTC days, required), `epsilon`,
/// `delta`, `k`, `noise` (`laplace`|`gaussian`), `format` (`json`|`csv`), `dataset`.
/// The caps are the aggregator's (fixed when it was built), not per request.
public struct StatsQuery: Sendable, Hashable {
    /// The days to release.
    public var days: ClosedRange<UTCDay>
    /// ε, δ, k and noise kind (caps filled from the aggregator).
    public var epsilon: Epsilon
    /// δ of the release.
    public var delta: Delta
    /// The k floor.
    public var k: Int
    /// The metric noise.
    public var noise: NoiseKind
    /// `json` or `csv`.
    public var csv: Bool
    /// The ledger's dataset name.
    public var dataset: String

    /// The longest range one request may release (bounds the work per request).
    public static let maximumDays = 366

    /// Parses a query string (`from=2024-01-01&to=2024-01-07&epsilon=1`), percent-decoding values.
    /// Defaults: ε 1, δ 1e-6, k 50, laplace, json, dataset `live`.
    /// - Throws: ``ExportError/invalidParameter(_:)`` naming the parameter at fault.
    public init(queryString: String) throws(ExportError) {
        var values: [String: String] = [:]
        for pair in queryString.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.percentDecoded(String(parts[0])), let value = Self.percentDecoded(parts.count > 1 ? String(parts[1]) : "") else {
                throw .invalidParameter("bad percent-encoding in '\(pair)'")
            }
            guard Self.names.contains(name) else { throw .invalidParameter("unknown query parameter '\(name)'") }
            values[name] = value
        }
        guard let fromText = values["from"], let from = UTCDay(fromText) else { throw .invalidParameter("from must be a day YYYY-MM-DD") }
        guard let toText = values["to"], let to = UTCDay(toText) else { throw .invalidParameter("to must be a day YYYY-MM-DD") }
        guard from <= to, to.daysSince1970 - from.daysSince1970 < Int64(Self.maximumDays) else {
            throw .invalidParameter("from…to must be in order and span at most \(Self.maximumDays) days")
        }
        guard let epsilon = Epsilon(decimal: values["epsilon"] ?? "1") else { throw .invalidParameter("epsilon must be a decimal, multiple of 0.000001") }
        guard let delta = Delta(decimal: values["delta"] ?? "1e-6") else { throw .invalidParameter("delta must be a decimal, multiple of 1e-15") }
        guard let k = Int(values["k"] ?? String(ReleaseParameters.defaultK)) else { throw .invalidParameter("k must be an integer") }
        guard let noise = NoiseKind(rawValue: values["noise"] ?? "laplace") else { throw .invalidParameter("noise must be laplace or gaussian") }
        let format = values["format"] ?? "json"
        guard format == "json" || format == "csv" else { throw .invalidParameter("format must be json or csv") }
        days = from...to
        self.epsilon = epsilon
        self.delta = delta
        self.k = k
        self.noise = noise
        csv = format == "csv"
        dataset = values["dataset"] ?? "live"
    }

    private static let names: Set<String> = ["from", "to", "epsilon", "delta", "k", "noise", "format", "dataset"]

    private static func percentDecoded(_ text: String) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"): bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next(), let low = iterator.next(),
                      let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) else { return nil }
                bytes.append(value)
            default: bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}

/// The answer to `GET /v1/stats`: status, content type and body — the route only writes it.
public struct StatsResponse: Sendable, Hashable {
    /// 200, 400 (bad query), 429 (budget exhausted) or 500.
    public var status: Int
    /// `application/json` or `text/csv`.
    public var contentType: String
    /// The body.
    public var body: String
}

/// Renders `GET /v1/stats` from a live aggregator: parse, charge the ledger, draw the release.
public enum StatsEndpoint {
    /// The response for `queryString`. The ledger is charged before any noise is drawn; an
    /// over-budget request gets 429 and its error line, a bad query 400.
    public static func respond<Source: NoiseSource>(to queryString: String, aggregator: StatisticsAggregator, ledger: PrivacyLedger,
                                                    budget: PrivacyBudget, now: Int64, using source: inout Source) -> StatsResponse {
        let query: StatsQuery
        let parameters: ReleaseParameters
        let plan: BudgetPlan
        do {
            query = try StatsQuery(queryString: queryString)
            parameters = try ReleaseParameters(epsilon: query.epsilon, delta: query.delta, k: query.k,
                                               bounds: aggregator.configuration.bounds, noise: query.noise)
            plan = try BudgetPlan(parameters)
        } catch {
            return Self.error(400, error.description)
        }
        let status: BudgetStatus
        do {
            let spent = plan.spent
            status = try ledger.charge(LedgerCharge(dataset: query.dataset, days: query.days, epsilon: spent.epsilon, delta: spent.delta,
                                                    queries: plan.ledgerText), budget: budget, at: now)
        } catch {
            if case .overBudget = error { return Self.error(429, error.description) }
            return Self.error(error == .invalidDataset(query.dataset) ? 400 : 500, error.description)
        }
        do {
            var release = try PlatformRelease.make(from: aggregator.bounded, days: query.days, parameters: parameters, using: &source)
            release.metadata.budget = status
            return StatsResponse(status: 200, contentType: query.csv ? "text/csv" : "application/json",
                                 body: query.csv ? release.csv() : release.json())
        } catch {
            return Self.error(500, error.description)
        }
    }

    private static func error(_ status: Int, _ message: String) -> StatsResponse {
        var object = JSONText()
        object.string("error", message)
        return StatsResponse(status: status, contentType: "application/json", body: object.text + "\n")
    }
}

extension BudgetPlan {
    /// The queries as the ledger records them: `name:epsilon:delta` separated by spaces.
    public var ledgerText: String {
        ([selection] + metrics).map { "\($0.name):\($0.epsilon):\($0.delta)" }.joined(separator: " ")
    }
}

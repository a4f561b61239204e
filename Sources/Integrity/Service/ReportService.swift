public import Transport

/// Report intake on an event loop: `POST /v1/reports` and `GET /v1/signals/{business}` over the
/// analyzer, with the accepted reports made durable before anyone is told.
///
/// **Commit before 202.** A batch is decided at once (the intake remembers the accepted pairs, so
/// the next batch sees them as duplicates) and its rows are queued in the ``ReportLog``; the
/// answer waits. At the end of the loop turn one transaction commits every queued row
/// (`synchronous=FULL`); only then are the accepted reports applied to the analyzer and the
/// turn's answers released. A crash loses only reports nobody was told about.
///
/// If the commit fails, the turn's reports are dropped before they reach the analyzer (which keeps
/// everything else it learned, the relay's events included) and its answers become 503, so the
/// reporters retry. Snapshots are taken after a commit, when the loop has no uncommitted row, so
/// the sequence they cover is exact.
///
/// Loop-confined.
public final class ReportService {
    /// The analyzer reports are applied to (and signals read from).
    public let analyzer: IntegrityAnalyzer
    /// The durable log.
    public let log: ReportLog
    /// The snapshot rows.
    public let snapshots: AnalyzerSnapshotStore
    /// The configuration.
    public let configuration: ReportServiceConfiguration
    /// The intake's decisions so far.
    public var intakeStatistics: ReportIntake.Statistics { intake.statistics }
    /// Counters.
    public private(set) var statistics = Statistics()
    /// The last storage failure, for the status line.
    public private(set) var lastError: String?

    private let loop: EventLoop
    private let now: () -> Int64
    private var intake: ReportIntake
    private var budget: ReportConnectionBudget
    private var waiting: [(responder: HTTPResponder, response: HTTPResponse)] = []
    /// Accepted reports of this turn, applied to the analyzer only once the log's commit holds them.
    private var uncommitted: [PseudonymizedEvent] = []
    private var nextToken = 0
    private var reportsSinceSnapshot = 0
    private var lastSnapshot: MonotonicInstant
    /// `analyzer.statistics.events` at the last snapshot.
    private var eventsAtSnapshot = 0
    private var hook: EndOfTurnHookID?
    private var timer: TimerID?

    /// Counters of the service.
    public struct Statistics: Sendable, Hashable {
        /// Requests answered 202.
        public var batches = 0
        /// Transactions committed and rows they carried.
        public var commits = 0
        public var committedReports = 0
        /// Turns whose commit failed.
        public var commitFailures = 0
        /// Snapshots saved.
        public var snapshots = 0
        /// Requests refused for a missing or wrong token.
        public var unauthorized = 0
        /// Requests answered 429: their connection was over its item budget.
        public var overBudget = 0
    }

    /// A service on `loop` (call on it). `now` is the intake's clock for reports without `t`
    /// (wall time in production; event time when replaying a file).
    public init(
        analyzer: IntegrityAnalyzer, log: ReportLog, configuration: ReportServiceConfiguration, on loop: EventLoop,
        now: @escaping () -> Int64
    ) throws(ReportIntakeConfiguration.Invalid) {
        loop.preconditionConfined()
        self.analyzer = analyzer
        self.log = log
        snapshots = AnalyzerSnapshotStore(database: log.database)
        self.configuration = configuration
        self.loop = loop
        self.now = now
        intake = try ReportIntake(configuration: configuration.intake)
        guard configuration.itemsPerConnectionPerSecond >= 1,
              configuration.itemBurstPerConnection >= configuration.intake.maximumBatchSize else {
            throw ReportIntakeConfiguration.Invalid(description: """
                the connection budget needs at least 1 item per second and a burst of at least one batch \
                (\(configuration.intake.maximumBatchSize)), got \(configuration.itemsPerConnectionPerSecond)/s and \
                \(configuration.itemBurstPerConnection)
                """)
        }
        budget = ReportConnectionBudget(
            itemsPerSecond: configuration.itemsPerConnectionPerSecond, burst: configuration.itemBurstPerConnection)
        lastSnapshot = loop.now()
        hook = loop.addEndOfTurnHook { [weak self] in self?.endOfTurn() }
        scheduleSnapshotTimer()
    }

    // MARK: Requests

    /// The longest a 429 for a connection over its item budget is held before it is sent.
    public static let longestRefusalDelay: Duration = .seconds(1)

    /// `POST /v1/reports`: 401 without the token, 429 when the connection is over its item
    /// budget (unparsed, answered after the wait or ``longestRefusalDelay``, whichever is
    /// shorter), 400/413 for a bad body, else 202 with the per-item outcome — sent after the
    /// commit.
    public func submit(_ request: HTTPRequest, responder: HTTPResponder) {
        guard authorized(request) else { return responder.respond(unauthorized()) }
        let instant = loop.now()
        if let connection = request.remoteAddress, let wait = budget.wait(for: connection, at: instant) {
            statistics.overBudget += 1
            // Held for the wait (at most a second): a client that ignores Retry-After cannot turn
            // refusals into a flood of their own, as its connection reads nothing meanwhile.
            let response = overBudget(retryAfter: wait)
            _ = loop.scheduleTimer(after: min(wait, Self.longestRefusalDelay)) { responder.respond(response) }
            return
        }
        let items: [Result<ReportSubmission, ReportRejection>]
        do throws(ReportRequest.Failure) {
            items = try ReportRequest.parse(request.body, limit: configuration.intake.maximumBatchSize)
        } catch {
            // Reading a refused body cost as much as a full batch: it is charged as one.
            if let connection = request.remoteAddress {
                budget.charge(configuration.intake.maximumBatchSize, to: connection, at: instant)
            }
            let status: HTTPStatus = if case .tooManyItems = error { .contentTooLarge } else { .badRequest }
            return responder.respond(Self.error(status, error.description))
        }
        if let connection = request.remoteAddress { budget.charge(items.count, to: connection, at: instant) }
        let outcome = intake.decide(items, now: now(), oracle: analyzer)
        nextToken &+= 1
        for report in outcome.accepted {
            log.append(report, token: nextToken)
            uncommitted.append(report.event)
        }
        statistics.batches += 1
        waiting.append((responder, .json(.accepted, ReportRequest.responseJSON(outcome))))
    }

    /// `GET /v1/signals/{business}`: the business's signals as JSON; 400 for a number that is not
    /// E.164, 404 for a business the analyzer never saw.
    public func signals(_ request: HTTPRequest, responder: HTTPResponder) {
        guard authorized(request) else { return responder.respond(unauthorized()) }
        let text = request.pathParameters["business"] ?? ""
        guard let business = PhoneNumber(text) else {
            return responder.respond(Self.error(.badRequest, "\(JSONFields.quote(text)) is not an E.164 number"))
        }
        guard let signals = analyzer.signals(for: business) else {
            return responder.respond(Self.error(.notFound, "no signals for \(business.e164)"))
        }
        responder.respond(.json(.ok, signals.jsonObject + "\n"))
    }

    /// Commits what is queued, takes a final snapshot and stops the hook and timer.
    public func stop() {
        loop.preconditionConfined()
        endOfTurn()
        if reportsSinceSnapshot > 0 { takeSnapshot() }
        if let hook { loop.removeEndOfTurnHook(hook) }
        if let timer { _ = loop.cancelTimer(timer) }
        hook = nil
        timer = nil
    }

    // MARK: Commit

    private func endOfTurn() {
        guard !waiting.isEmpty || log.pendingCount > 0 else { return }
        let count = log.pendingCount
        let answers = waiting
        waiting.removeAll()
        switch log.commit() {
        case .committed:
            for event in uncommitted { analyzer.ingest(event) }
            uncommitted.removeAll(keepingCapacity: true)
            intake.settle()
            statistics.commits += count > 0 ? 1 : 0
            statistics.committedReports += count
            reportsSinceSnapshot += count
            for answer in answers { answer.responder.respond(answer.response) }
            if reportsSinceSnapshot >= configuration.snapshotEveryReports { takeSnapshot() }
        case let .rolledBack(_, error):
            statistics.commitFailures += 1
            lastError = "report commit failed: \(error)"
            // Nothing of the turn reached the analyzer: drop it, and let the retries be decided
            // afresh (the relay's events since the last snapshot stay applied).
            uncommitted.removeAll(keepingCapacity: true)
            intake.settle()
            for answer in answers { answer.responder.respond(Self.error(.serviceUnavailable, "reports could not be stored; retry")) }
        }
    }

    /// Snapshots now if nothing is waiting for a commit (after a rebuild at start-up, so the
    /// next start need not rebuild). Returns whether it did.
    @discardableResult
    public func snapshotNow() -> Bool {
        guard log.pendingCount == 0 else { return false }
        takeSnapshot()
        return statistics.snapshots > 0 && reportsSinceSnapshot == 0
    }

    private func takeSnapshot() {
        do throws(ReportLogError) {
            let covered = try log.lastSequence()
            try snapshots.save(analyzer.makeSnapshot(coveredSequence: covered))
            statistics.snapshots += 1
            reportsSinceSnapshot = 0
            eventsAtSnapshot = analyzer.statistics.events
            lastSnapshot = loop.now()
        } catch {
            lastError = "snapshot failed: \(error)"
        }
    }

    private func scheduleSnapshotTimer() {
        timer = loop.scheduleTimer(after: configuration.snapshotInterval) { [weak self] in
            guard let self else { return }
            // Never mid-turn: rows of this turn may still be queued. Time-based snapshots are taken
            // here only when nothing is pending; otherwise the next commit's check takes them.
            let changed = self.reportsSinceSnapshot > 0
                || (self.configuration.snapshotsFollowEveryEvent && self.analyzer.statistics.events != self.eventsAtSnapshot)
            if changed, self.log.pendingCount == 0 { self.takeSnapshot() }
            self.scheduleSnapshotTimer()
        }
    }

    // MARK: Answers

    /// For the host's other routes (`/metrics`, `/v1/alerts`, …): true when `request` carries the
    /// service's Bearer token; otherwise answers 401 itself and returns false.
    public func authorize(_ request: HTTPRequest, responder: HTTPResponder) -> Bool {
        guard authorized(request) else {
            responder.respond(unauthorized())
            return false
        }
        return true
    }

    /// `Authorization: Bearer TOKEN`, or `Basic` with the token as the password (browsers, for
    /// the dashboard); the token's digest compared in constant time with the configured one.
    private func authorized(_ request: HTTPRequest) -> Bool {
        guard configuration.authorizes(request.headers.values(for: "Authorization").first) else {
            statistics.unauthorized += 1
            return false
        }
        return true
    }

    /// The token in an `Authorization` value: after `Bearer `, or the password of `Basic
    /// base64(user:password)`.
    static func presentedToken(_ bytes: [UInt8]) -> [UInt8]? {
        func hasScheme(_ scheme: String) -> Bool {
            let prefix = Array((scheme + " ").utf8)
            return bytes.count > prefix.count && bytes.prefix(prefix.count).map({ $0 | 0x20 }) == prefix.map({ $0 | 0x20 })
        }
        if hasScheme("bearer") { return Array(bytes.dropFirst(7)) }
        guard hasScheme("basic"), let decoded = Base64.decode(bytes.dropFirst(6)),
              let colon = decoded.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        return Array(decoded[(colon + 1)...])
    }

    private func overBudget(retryAfter wait: Duration) -> HTTPResponse {
        let seconds = max(1, Int((wait / .seconds(1)).rounded(.up)))
        var headers = HTTPHeaders()
        headers.add(name: "Retry-After", value: String(seconds))
        return Self.error(
            .tooManyRequests,
            "this connection is over \(configuration.itemsPerConnectionPerSecond) report items per second; retry after \(seconds) s",
            headers: headers)
    }

    private func unauthorized() -> HTTPResponse {
        var headers = HTTPHeaders()
        headers.add(name: "WWW-Authenticate", value: "Bearer realm=\"vigil\"")
        headers.add(name: "WWW-Authenticate", value: "Basic realm=\"vigil\", charset=\"UTF-8\"")
        return Self.error(.unauthorized, "a valid Bearer token (or Basic with the token as password) is required", headers: headers)
    }

    static func error(_ status: HTTPStatus, _ message: String, headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        .json(status, "{\"error\":" + JSONFields.quote(message) + "}\n", headers: headers)
    }
}

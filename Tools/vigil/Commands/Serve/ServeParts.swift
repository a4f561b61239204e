import Integrity
import Storage
import Transport

/// What `vigil serve` runs, as plain values (built by the command, read on the loop).
struct ServeOptions: Sendable {
    /// The relay's configuration (listen address, data directory, frame limit).
    var relay: RelayConfiguration
    /// The HTTP API's listen address.
    var http: SocketAddress
    /// Integrity rules.
    var rules: Rules
    /// Where pseudonym keys live (SQLite), or nil for memory only.
    var keysPath: String?
    /// Also append every metadata event to this JSONL file.
    var tapPath: String?
    /// Numbers known to be businesses from the start.
    var businesses: [PhoneNumber]
    /// The SHA-256 of the HTTP API's admin token (``ServeToken``), set at start-up before the
    /// parts are built; the token itself is not kept.
    var tokenDigest: TokenDigest?
    /// Where accepted reports and analyzer snapshots live (SQLite).
    var reportsPath: String
    /// Where alert transitions are appended as JSON lines.
    var alertsPath: String
    /// The privacy-budget ledger of `/v1/stats` (SQLite).
    var ledgerPath: String
    /// Alertmanager base URL and webhook v4 receivers alerts are also posted to.
    var alertTargets: [HTTPAlertSink.Target] = []
    /// `--time-scale`: event time runs faster than wall time from the relay's first event (nil:
    /// event time is wall time). See ``ServeClock``.
    var timeWarp: TimeWarp?
    /// How often the analyzer is snapshotted while events change it (`--snapshot-seconds`).
    var snapshotInterval: Duration = .seconds(300)
    /// How often the analyzer's clock is moved to event time now with no event (housekeeping);
    /// under a time warp, this ÷ the factor (at least 0.25 s).
    var housekeepingInterval: Duration = .seconds(5)
    /// How often the dashboard samples every business's signals (240 samples are kept); under a
    /// time warp, every this ÷ the factor of wall time (at least 0.25 s) while the warp runs, and
    /// as often in event time after it ended.
    var dashboardInterval: Duration = .seconds(5)
}

/// The loop-confined objects of `vigil serve`: the analyzer, the relay it watches, the HTTP API.
final class ServeParts {
    let loop: EventLoop
    let analyzer: IntegrityAnalyzer
    let relay: RelayServer
    let http: HTTPServer
    /// The relay's sink: the analyzer, then the tap file if any.
    let sink: FanOutSink
    /// Report intake, the report log and snapshots; also the HTTP API's token check.
    let reports: ReportService
    /// Events by kind, for `/metrics`.
    let eventCounts = EventCountingObserver()
    /// The detectors and the alert lifecycle, on the analyzer's events.
    let alerts: AlertEngine
    /// The alert sinks: the JSONL file first, then any HTTP targets.
    let alertFile: JSONLAlertSink
    let alertPosters: [HTTPAlertSink]
    /// What start-up restored (snapshot, replayed reports), for the first status line.
    let recovery: RecoveryReport
    /// The live statistics export (`GET /v1/stats`), fed by the relay like the analyzer.
    let statistics: ServeStatistics
    /// The dashboard, sampled every ``ServeOptions/dashboardInterval``.
    let dashboard: ServeDashboard
    /// Event time: wall time, or warped by `--time-scale`.
    let clock: ServeClock
    private var dashboardTimer: TimerID?
    private var lastDashboardSample = Int64.min
    private let dashboardInterval: Duration
    /// Event milliseconds between dashboard samples: the wall interval × the warp's factor.
    private let dashboardEventInterval: Int64
    private var housekeeping: TimerID?
    private let housekeepingInterval: Duration
    /// Publishes the analyzer's policy changes to the businesses' connections after every turn.
    private var noticeHook: EndOfTurnHookID?
    /// Notices not yet delivered (the business was offline), oldest first, per business.
    private(set) var pendingNotices = PendingNotices()

    init(options: ServeOptions, on loop: EventLoop) throws {
        self.loop = loop
        let clock = ServeClock(warp: options.timeWarp)
        self.clock = clock
        try FileSystem.createDirectories(options.relay.dataDirectory + "/integrity")
        let pseudonymizer: Pseudonymizer
        if let keysPath = options.keysPath {
            pseudonymizer = try Pseudonymizer(schedule: try options.rules.keySchedule(), store: SQLiteKeyStore(path: keysPath),
                                              source: SystemRandomSource())
        } else {
            pseudonymizer = Pseudonymizer.ephemeral(schedule: try options.rules.keySchedule())
        }
        let analyzer = try IntegrityAnalyzer(rules: options.rules, pseudonymizer: pseudonymizer, businesses: options.businesses)
        analyzer.observers.append(eventCounts)
        alertFile = try JSONLAlertSink(path: options.alertsPath, append: true, lineBuffered: true)
        alertPosters = try options.alertTargets.map { target throws(HTTPAlertSinkError) in
            try HTTPAlertSink(configuration: HTTPAlertSink.Configuration(target: target))
        }
        alerts = try AlertEngine(rules: options.rules, sinks: [alertFile] + alertPosters)
        analyzer.observers.append(alerts)
        let log = try ReportLog(path: options.reportsPath)
        recovery = try analyzer.recover(from: log, snapshots: AnalyzerSnapshotStore(database: log.database))
        guard let tokenDigest = options.tokenDigest else { throw CLIError("serve: the admin token was not loaded") }
        var service = ReportServiceConfiguration(tokenDigest: tokenDigest, tokenHasher: .sha256)
        // The relay's events carry most of the state: snapshot every interval they changed it,
        // so a crash loses at most one interval of it (reports are in the log regardless).
        service.snapshotsFollowEveryEvent = true
        service.snapshotInterval = options.snapshotInterval
        reports = try ReportService(analyzer: analyzer, log: log, configuration: service, on: loop, now: { clock.now() })
        if recovery.restored == nil { reports.snapshotNow() }
        statistics = try ServeStatistics(ledgerPath: options.ledgerPath, pseudonymizer: pseudonymizer, businesses: options.businesses)
        var sinks: [any MetadataSink] = [analyzer, statistics]
        if let tapPath = options.tapPath { sinks.append(try JSONLTapSink(path: tapPath, businesses: options.businesses)) }
        let sink = FanOutSink(sinks)
        self.analyzer = analyzer
        self.sink = sink
        housekeepingInterval = clock.wallPeriod(forNominal: options.housekeepingInterval, floor: .milliseconds(250))
        dashboardInterval = clock.wallPeriod(forNominal: options.dashboardInterval, floor: .milliseconds(250))
        dashboardEventInterval = clock.eventMilliseconds(inWall: dashboardInterval)
        let plugIns = options.timeWarp == nil
            ? RelayPlugIns(sink: sink, policy: analyzer)
            : RelayPlugIns(sink: WarpedSink(sink, clock: clock), policy: WarpedAdmission(analyzer, clock: clock))
        relay = try RelayServer(configuration: options.relay, plugIns: plugIns, on: loop)
        var router = HTTPRouter()
        ServeRoutes.register(on: &router, analyzer: analyzer, reports: reports, eventCounts: eventCounts, alerts: alerts)
        ServeRoutes.registerStatistics(on: &router, reports: reports, statistics: statistics, now: { clock.now() })
        dashboard = ServeDashboard(analyzer: analyzer, alerts: alerts)
        ServeRoutes.registerDashboard(on: &router, reports: reports, dashboard: dashboard, now: { clock.now() })
        do {
            http = try HTTPServer(configuration: HTTPServerConfiguration(listenAddress: options.http), on: loop, handler: router.handler)
        } catch {
            relay.shutdown {}
            throw error
        }
        scheduleHousekeeping()
        scheduleDashboardSample()
        noticeHook = loop.addEndOfTurnHook { [weak self] in self?.publishPolicyChanges() }
    }

    /// Turns the analyzer's new policy changes into `integrity` notices for the businesses' own
    /// connections — the Cloud API endpoint makes them Meta's `phone_number_quality_update` /
    /// `account_update` webhooks. A business that is offline keeps its notices until the next
    /// housekeeping tick finds it online (``retryNotices()``).
    func publishPolicyChanges() {
        let changes = analyzer.drainPolicyChanges()
        guard !changes.isEmpty else { return }
        var touched: [PhoneNumber] = []
        for change in changes {
            guard let standing = analyzer.policy(of: change.business) else { continue }
            pendingNotices.append(change.noticeText(standing: standing), for: change.business)
            if touched.last != change.business { touched.append(change.business) }
        }
        pendingNotices.deliver(only: touched) { business, text in relay.notify(business, kind: .integrity, text: text) }
    }

    /// Tries every waiting notice again.
    func retryNotices() {
        guard !pendingNotices.isEmpty else { return }
        pendingNotices.deliver { business, text in relay.notify(business, kind: .integrity, text: text) }
    }

    /// Moves the analyzer's clock to event time now and then, so policy timers (FLAGGED →
    /// downgrade, restrictions lifting) and evictions run even when no event comes.
    private func scheduleHousekeeping() {
        housekeeping = loop.scheduleTimer(after: housekeepingInterval) { [weak self] in
            guard let self else { return }
            let now = clock.now()
            analyzer.advance(to: now)
            statistics.forgetOldDays(now: now)
            publishPolicyChanges()
            retryNotices()
            scheduleHousekeeping()
        }
    }

    /// Samples every business for the dashboard's charts once event time moved on by about
    /// ``dashboardEventInterval`` (¾ of it, for clock rounding — timers never fire early): every
    /// tick on wall time or while a warp runs; after a warp ended, only as often as event time
    /// requires, so the 240 samples keep showing the warped span.
    private func scheduleDashboardSample() {
        dashboardTimer = loop.scheduleTimer(after: dashboardInterval) { [weak self] in
            guard let self else { return }
            let now = clock.now()
            if lastDashboardSample == .min || now - lastDashboardSample >= dashboardEventInterval / 4 * 3 {
                dashboard.sample(at: now)
                lastDashboardSample = now
            }
            scheduleDashboardSample()
        }
    }

    /// HTTP first (so no request reads a half-stopped analyzer), then the relay (501 to clients,
    /// final commit), then the sinks flush.
    func shutdown(completion: @escaping () -> Void) {
        if let housekeeping { _ = loop.cancelTimer(housekeeping) }
        housekeeping = nil
        if let dashboardTimer { _ = loop.cancelTimer(dashboardTimer) }
        dashboardTimer = nil
        if let noticeHook { loop.removeEndOfTurnHook(noticeHook) }
        noticeHook = nil
        http.shutdown(gracePeriod: .seconds(2)) { [relay, sink, reports, alertFile, alertPosters] in
            relay.shutdown {
                sink.flush()
                // Commits what is queued; a final snapshot so the next start resumes from here.
                reports.stop()
                reports.snapshotNow()
                // Open alerts stay firing (the next start re-raises what still holds); the file is
                // flushed and posters get a few seconds to deliver.
                try? alertFile.finish()
                for poster in alertPosters { _ = poster.finish(within: .seconds(3)) }
                completion()
            }
        }
    }
}

/// Hands every relay event to several sinks in order (the analyzer, the tap file).
final class FanOutSink: MetadataSink {
    let sinks: [any MetadataSink]

    init(_ sinks: [any MetadataSink]) { self.sinks = sinks }

    func record(_ event: MetadataEvent) {
        for sink in sinks { sink.record(event) }
    }

    func flush() {
        for sink in sinks { sink.flush() }
    }
}

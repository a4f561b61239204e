import Glibc
import Synchronization
public import Transport

/// Report intake with its HTTP server on its own event-loop thread: the one-call way to run it
/// (`vigil report-intake`, tests). On start it recovers the analyzer — newest usable snapshot and
/// the log after it, or, when none is usable, the event file (if any) and the whole log — and,
/// when it had to rebuild, snapshots at once so the next start need not.
public final class ReportIntakeHost: Sendable {
    /// Where the files and the listener are, and what to do.
    public struct Options: Sendable {
        /// Address to listen on (port 0: any).
        public var listen: SocketAddress
        /// The report log and snapshots (SQLite).
        public var databasePath: String
        /// The pseudonym keys (SQLite; must persist with the log, or logged pseudonyms and
        /// snapshot tables would no longer match new reports).
        public var keysPath: String
        /// Events to apply before the log when rebuilding (proofs of contact), JSON lines.
        public var eventsPath: String?
        /// The analyzer's rules.
        public var rules: Rules
        /// Token, intake knobs, snapshot cadence.
        public var service: ReportServiceConfiguration
        /// Reports without `t` are dated at the analyzer's latest event time instead of the wall
        /// clock (for replayed, simulated weeks).
        public var eventTimeClock: Bool

        /// Options with default rules and the wall clock.
        public init(listen: SocketAddress, databasePath: String, keysPath: String, service: ReportServiceConfiguration) {
            self.listen = listen
            self.databasePath = databasePath
            self.keysPath = keysPath
            eventsPath = nil
            rules = Rules()
            self.service = service
            eventTimeClock = false
        }
    }

    /// What start-up found and did.
    public struct Startup: Sendable {
        /// The snapshot restored (`latest`/`previous`) and the sequence it covered, if any.
        public var restored: String?
        /// Snapshots that could not be used, with why.
        public var unusable: [String]
        /// Log rows replayed.
        public var replayed: Int
        /// Events applied from the event file (0 when a snapshot was used).
        public var events: Int
        /// The log's last sequence number.
        public var coveredSequence: Int64
    }

    /// The bound address.
    public let address: SocketAddress
    /// What start-up did.
    public let startup: Startup
    private let thread: EventLoopThread
    private let parts: LoopBound<Parts>
    private let stopped = Mutex(false)

    private final class Parts {
        let service: ReportService
        let server: HTTPServer

        init(service: ReportService, server: HTTPServer) {
            self.service = service
            self.server = server
        }
    }

    private init(address: SocketAddress, startup: Startup, thread: EventLoopThread, parts: LoopBound<Parts>) {
        self.address = address
        self.startup = startup
        self.thread = thread
        self.parts = parts
    }

    /// Opens the stores, recovers, and starts serving.
    public static func start(_ options: Options) throws(SendableError) -> ReportIntakeHost {
        let thread: EventLoopThread
        do {
            thread = try EventLoopThread(name: "vigil-reports")
        } catch {
            throw SendableError(description: "event loop: \(error)")
        }
        let outcome = thread.loop.executeAndWaitReturning { () -> Result<(LoopBound<Parts>, SocketAddress, Startup), SendableError> in
            Result { () throws(SendableError) in try setUp(options, on: thread.loop) }
        }
        switch outcome {
        case let .success((parts, address, startup))?:
            return ReportIntakeHost(address: address, startup: startup, thread: thread, parts: parts)
        case let .failure(error)?:
            thread.stopAndJoin()
            throw error
        case nil:
            thread.stopAndJoin()
            throw SendableError(description: "the report loop did not start")
        }
    }

    private static func setUp(_ options: Options, on loop: EventLoop) throws(SendableError) -> (LoopBound<Parts>, SocketAddress, Startup) {
        let analyzer: IntegrityAnalyzer
        let log: ReportLog
        do {
            let schedule = try options.rules.keySchedule()
            let pseudonymizer = try Pseudonymizer(schedule: schedule, store: SQLiteKeyStore(path: options.keysPath), source: SystemRandomSource())
            analyzer = try IntegrityAnalyzer(rules: options.rules, pseudonymizer: pseudonymizer)
            log = try ReportLog(path: options.databasePath)
        } catch {
            throw SendableError(description: "\(error)")
        }
        var events = 0
        var replayError: String?
        let rebuildBase = { [options] in
            guard let path = options.eventsPath else { return }
            do throws(EventReadError) {
                events = try analyzer.replay(EventStreamReader(path: path), malformed: { _ in }).events
                if let time = analyzer.now { analyzer.advance(to: time) }
            } catch {
                replayError = "\(path): \(error)"
            }
        }
        let recovery: RecoveryReport
        do {
            recovery = try analyzer.recover(from: log, snapshots: AnalyzerSnapshotStore(database: log.database), rebuildBase: rebuildBase)
        } catch {
            throw SendableError(description: "\(error)")
        }
        if let replayError { throw SendableError(description: replayError) }
        let now: () -> Int64 = options.eventTimeClock
            ? { analyzer.now ?? 0 }
            : { var spec = timespec(); clock_gettime(CLOCK_REALTIME, &spec); return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000 }
        do {
            let service = try ReportService(analyzer: analyzer, log: log, configuration: options.service, on: loop, now: now)
            if recovery.restored == nil { service.snapshotNow() }
            let server = try HTTPServer(configuration: HTTPServerConfiguration(listenAddress: options.listen), on: loop,
                                        handler: IntegrityHTTPRoutes.handler(for: service))
            let startup = Startup(
                restored: recovery.restored.map { "\($0.name) (covering report \($0.coveredSequence))" },
                unusable: recovery.unusable.map { "\($0.name): \($0.error)" }, replayed: recovery.replayed, events: events,
                coveredSequence: recovery.coveredSequence)
            return (LoopBound(Parts(service: service, server: server), on: loop), server.address, startup)
        } catch {
            throw SendableError(description: "\(error)")
        }
    }

    /// Runs `body` with the service on its loop and returns the result; nil once stopped.
    public func withService<Result: Sendable>(_ body: @escaping @Sendable (ReportService) -> Result) -> Result? {
        let parts = self.parts
        return thread.loop.executeAndWaitReturning { body(parts.value.service) }
    }

    /// Stops cleanly: the server drains (up to 2 s), the service commits and snapshots, the log
    /// closes, the thread is joined. Idempotent; not from the loop's own thread.
    public func stop() {
        let first = stopped.withLock { state -> Bool in
            defer { state = true }
            return !state
        }
        guard first else { return }
        let parts = self.parts
        let done = Atomic(false)
        _ = thread.loop.execute {
            parts.value.server.shutdown(gracePeriod: .seconds(2)) {
                parts.value.service.stop()
                parts.value.service.log.close()
                done.store(true, ordering: .releasing)
            }
        }
        while !done.load(ordering: .acquiring) {
            var request = timespec(tv_sec: 0, tv_nsec: 2_000_000)
            nanosleep(&request, nil)
        }
        thread.stopAndJoin()
    }

    deinit { stop() }
}

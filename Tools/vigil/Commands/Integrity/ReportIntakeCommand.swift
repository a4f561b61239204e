import Glibc
import Integrity
import Transport

/// `vigil report-intake`: a hidden command serving report intake alone, for the end-to-end
/// crash test (Tests/IntegrityTests/Reports/ReportCrashTests.swift).
struct ReportIntakeCommand: Command {
    static let help = """
        USAGE: vigil report-intake --db DIR --token-file FILE [--listen HOST:PORT] [options]

        Serves POST /v1/reports and GET /v1/signals/{business} over an integrity analyzer whose
        accepted reports are committed to DIR/reports.sqlite before each 202. On start the analyzer
        is recovered from the newest usable snapshot and the reports logged after it; with none,
        from --events (the proofs of contact) and the whole log. SIGINT or SIGTERM stop it cleanly.

        OPTIONS:
          --listen HOST:PORT        address to listen on (default 127.0.0.1:0, any free port)
          --db DIR                  directory of reports.sqlite (log, snapshots) and keys.sqlite (created)
          --token-file FILE         the Bearer token clients must send (first line, at least 16 bytes; the
                                    file must be 0600 — only its SHA-256 is kept)
          --events FILE             integrity events (JSONL) applied before the log when rebuilding
          --event-time              date reports without "t" at the latest event time, not the wall clock
          --snapshot-every N        snapshot after N committed reports (default 10000)
          --snapshot-seconds S      …or after S seconds with new reports (default 300)
          --help                    this text

        The first line on stdout is `listening on HOST:PORT` (the bound port), for scripts.
        """

    let options: ReportIntakeHost.Options

    init(parsing arguments: inout Arguments) throws(CLIError) {
        guard let directory = try arguments.option("--db") else { throw CLIError("--db DIR is required") }
        guard let tokenFile = try arguments.option("--token-file") else { throw CLIError("--token-file FILE is required") }
        let listen = try ListenAddress.parse(try arguments.option("--listen"), option: "--listen", defaultPort: 0)
        try PrivateDirectory.requirePrivateFile(tokenFile, option: "--token-file")
        let tokenLine = try FileIO.read(tokenFile).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).first ?? []
        let token = Array(tokenLine.filter { $0 != UInt8(ascii: "\r") })
        guard token.count >= 16 else { throw CLIError("--token-file: the token must be at least 16 bytes, got \(token.count)") }
        // Only the token's SHA-256 stays in memory; the bytes read are dropped here.
        guard let tokenDigest = TokenHasher.sha256.digest(of: token) else { throw CLIError("--token-file: cannot hash the token (SHA-256 failed)") }
        guard mkdir(directory, 0o700) == 0 || errno == EEXIST else { throw CLIError("--db: cannot create \(directory) (errno \(errno))") }
        var service = ReportServiceConfiguration(tokenDigest: tokenDigest, tokenHasher: .sha256)
        service.snapshotEveryReports = try arguments.integer("--snapshot-every", in: 1...100_000_000) ?? 10_000
        service.snapshotInterval = .seconds(try arguments.integer("--snapshot-seconds", in: 1...86_400) ?? 300)
        var options = ReportIntakeHost.Options(listen: listen, databasePath: directory + "/reports.sqlite",
                                               keysPath: directory + "/keys.sqlite", service: service)
        options.eventsPath = try arguments.option("--events")
        options.eventTimeClock = arguments.flag("--event-time")
        self.options = options
    }

    func run() throws {
        let signals = HTTPToolSupport.blockStopSignals()
        let host: ReportIntakeHost
        do {
            host = try ReportIntakeHost.start(options)
        } catch {
            throw CLIError("report-intake: \(error)")
        }
        let startup = host.startup
        for problem in startup.unusable { Console.error("report-intake: snapshot unusable, rebuilding: \(problem)") }
        Console.progress("report-intake: " + (startup.restored.map { "restored \($0)" } ?? "rebuilt from \(startup.events) events")
            + ", replayed \(startup.replayed) logged reports (log at \(startup.coveredSequence))")
        HTTPToolSupport.emit("listening on \(host.address)")
        let signal = HTTPToolSupport.waitForStopSignal(signals)
        let figures = host.withService { service in (service.statistics, service.intakeStatistics.accepted) }
        host.stop()
        if let (statistics, accepted) = figures {
            Console.progress("report-intake: \(signal == SIGINT ? "SIGINT" : "SIGTERM"), \(statistics.batches) batches, "
                + "\(accepted) reports accepted in \(statistics.commits) commits, \(statistics.snapshots) snapshots")
        }
    }
}

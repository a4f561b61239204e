import Glibc
import Integrity
import Storage
import Transport

/// `vigil serve`: the relay and the integrity analyzer in one process, the analyzer on the relay's
/// tap and answering its admission questions, with the analyzer's HTTP API.
struct ServeCommand: Command {
    static let help = """
        USAGE: vigil serve --data DIR [--listen HOST:PORT] [--http HOST:PORT] [options]

        Runs the end-to-end encrypted relay (as `vigil relay`) with the integrity analyzer inside:
        every metadata event the relay commits goes to the analyzer (consumer numbers are
        pseudonymized at the door; no content exists to see), and every business envelope is
        admitted or refused by the analyzer's policy (messaging-limit tier, quality, pair rate,
        throughput, restrictions — refusals carry Meta's codes). SIGINT or SIGTERM stop it cleanly.

        HTTP API (on --http; every route but /healthz needs `Authorization: Bearer TOKEN`):
          GET  /healthz                 liveness
          GET  /v1/signals/{business}   one business's integrity signals (JSON)
          POST /v1/reports              spam reports, {"reports":[{"reporter","business","reason"[,"t"]}]}
                                        (≤ 1 000); 202 {"accepted":N,"rejected":[{"index","reason"}]} after
                                        the commit; a report counts only with proof of contact
          GET  /v1/alerts[?business=N]  the alerts firing now (detectors: mass messaging, velocity, cold
                                        fan-out, block/report spikes; docs/detection.md)
          GET  /v1/stats?from=DAY&to=DAY[&epsilon=E&delta=D&k=K&format=csv]
                                        non-identifiable statistics with differential privacy (discrete
                                        Laplace, k-threshold; charged to DIR/integrity/ledger.sqlite,
                                        3 ε and 1e-5 δ per day; 429 beyond; docs/export.md)
          GET  /metrics                 Prometheus text format (bounded cardinality)
          GET  /                        the dashboard (HTML, refreshes itself; browsers: Basic auth, any
                                        user name, the token as password)

        OPTIONS:
          --listen HOST:PORT      the relay's address (default 127.0.0.1:7700; a bare PORT binds 127.0.0.1;
                                  port 0: any)
          --http HOST:PORT        the HTTP API's address (default 127.0.0.1:7780; port 0: any)
          --data DIR              data directory (created 0700): relay.sqlite (the queue) and integrity/
                                  (keys.sqlite: pseudonym keys; reports.sqlite: report log and analyzer
                                  snapshots; token.sha256: the SHA-256 of the admin token, never the token)
          --token-file FILE       the HTTP API's admin token is FILE's first line (≥ 16 bytes; FILE must be
                                  0600); FILE is created with a random token if missing. Without it, the
                                  first start prints a new token once on stdout (`token TOKEN`, the third
                                  line) and later starts use the stored SHA-256
          --rules FILE            integrity thresholds as JSON (see `vigil analyze --print-rules`)
          --tap FILE              also append every metadata event as a JSON line
          --alertmanager URL      also post alerts to this Alertmanager (URL/api/v2/alerts, re-sent while firing)
          --alert-webhook URL     also post alerts as webhook payloads version 4 to this receiver
                                  (alert transitions always go to DIR/integrity/alerts.jsonl)
          --business N1,N2,…      numbers known to be businesses from the start
          --max-frame BYTES       largest relay frame, 1024…16777216 (default 262144)
          --status-interval S     seconds between status lines on stderr, 0 = none (default 10)
          --time-scale X          event time runs X times faster than wall time (1…1000000), from the
                                  first event the relay records: the analyzer's windows (24 h limits,
                                  hourly quality, tier changes), policy timers, alerts, report times,
                                  the dashboard, /v1/stats days and the --tap file all use it. Not
                                  scaled: the relay's own timers, and the per-second admission rates
                                  (pair rate, throughput: messages per real second). For demos and
                                  drills (`vigil demo --speed`); snapshots then hold event time
          --time-scale-for S      end the warp after S seconds of wall time (then event time runs at
                                  wall speed, ahead by what the warp gained); default: never
          --snapshot-seconds S    snapshot the analyzer every S seconds while events change it (default 300)
          --help                  this text

        The first two lines on stdout are `listening on HOST:PORT` (relay) and `http on HOST:PORT`;
        a third, `token TOKEN`, only when a new admin token was issued.
        """

    /// The HTTP API's port when `--http` is not given (bound on 127.0.0.1).
    static let defaultHTTPPort: UInt16 = 7780

    let options: ServeOptions
    let statusInterval: Int
    let tokenFile: String?

    init(parsing arguments: inout Arguments) throws(CLIError) {
        let relayAddress = try ListenAddress.parse(try arguments.option("--listen"), option: "--listen", defaultPort: RelayCommand.defaultPort)
        let httpAddress = try ListenAddress.parse(try arguments.option("--http"), option: "--http", defaultPort: Self.defaultHTTPPort)
        guard let data = try arguments.option("--data") else { throw CLIError("--data DIR is required") }
        var businesses: [PhoneNumber] = []
        if let list = try arguments.option("--business") {
            for text in list.split(separator: ",") {
                guard let number = PhoneNumber(text) else { throw CLIError("--business: '\(text)' is not an E.164 number") }
                businesses.append(number)
            }
        }
        let rules: Rules
        if let rulesPath = try arguments.option("--rules") {
            do {
                rules = try Rules(json: try FileIO.read(rulesPath))
            } catch let error as RulesError {
                throw CLIError("--rules \(rulesPath): \(error)")
            } catch {
                throw CLIError("--rules \(rulesPath): \(error)")
            }
        } else {
            rules = Rules()
        }
        tokenFile = try arguments.option("--token-file")
        let maximumFrameSize = try arguments.integer("--max-frame", in: 1024...16 << 20) ?? WireFormat.defaultMaximumFrameSize
        statusInterval = try arguments.integer("--status-interval", in: 0...86_400) ?? 10
        let timeWarp = try Self.timeWarp(scale: arguments.option("--time-scale"), seconds: arguments.option("--time-scale-for"))
        let snapshotSeconds = try arguments.integer("--snapshot-seconds", in: 1...86_400) ?? 300
        options = ServeOptions(
            relay: RelayConfiguration(listenAddress: relayAddress, dataDirectory: data, tokenHasher: .sha256, maximumFrameSize: maximumFrameSize),
            http: httpAddress, rules: rules, keysPath: data + "/integrity/keys.sqlite",
            tapPath: try arguments.option("--tap"), businesses: businesses, tokenDigest: nil,
            reportsPath: data + "/integrity/reports.sqlite", alertsPath: data + "/integrity/alerts.jsonl",
            ledgerPath: data + "/integrity/ledger.sqlite",
            alertTargets: try Self.alertTargets(alertmanager: arguments.option("--alertmanager"), webhook: arguments.option("--alert-webhook")),
            timeWarp: timeWarp,
            snapshotInterval: .seconds(snapshotSeconds)
        )
    }

    /// `--time-scale X [--time-scale-for SECONDS]`: nil when not given.
    static func timeWarp(scale: String?, seconds: String?) throws(CLIError) -> TimeWarp? {
        guard let scale else {
            if seconds != nil { throw CLIError("--time-scale-for needs --time-scale") }
            return nil
        }
        guard let factor = Double(scale), factor.isFinite, factor >= 1, factor <= TimeWarp.maximumFactor else {
            throw CLIError("--time-scale takes a number from 1 to \(Int(TimeWarp.maximumFactor)) (event seconds per wall second), got '\(scale)'")
        }
        var span: Int64?
        if let seconds {
            guard let value = Double(seconds), value.isFinite, value > 0, value <= 86_400 * 365 else {
                throw CLIError("--time-scale-for takes a number of seconds > 0, got '\(seconds)'")
            }
            span = Int64((value * 1000).rounded())
        }
        do throws(TimeWarpError) {
            return try TimeWarp(factor: factor, span: span)
        } catch {
            throw CLIError("--time-scale: \(error)")
        }
    }

    /// `--alertmanager` / `--alert-webhook`: http:// URLs only (the client speaks plain HTTP).
    private static func alertTargets(alertmanager: String?, webhook: String?) throws(CLIError) -> [HTTPAlertSink.Target] {
        var targets: [HTTPAlertSink.Target] = []
        let given: [(option: String, url: String?, target: (String) -> HTTPAlertSink.Target)] = [
            ("--alertmanager", alertmanager, HTTPAlertSink.Target.alertmanager), ("--alert-webhook", webhook, HTTPAlertSink.Target.webhook),
        ]
        for (option, url, target) in given {
            guard let url else { continue }
            do throws(HTTPURLError) {
                _ = try HTTPURL(parsing: url)
            } catch {
                throw CLIError("\(option) \(url): \(error)")
            }
            targets.append(target(url))
        }
        return targets
    }

    func run() throws {
        var signals = StopSignals()
        _ = try? ResourceLimits.raiseOpenFiles(toAtLeast: 65_536)
        var options = self.options
        try PrivateDirectory.require(options.relay.dataDirectory)
        try FileSystem.createDirectories(options.relay.dataDirectory + "/integrity")
        let token = try ServeToken.load(integrityDirectory: options.relay.dataDirectory + "/integrity", tokenFile: tokenFile, hasher: .sha256)
        options.tokenDigest = token.digest
        let host = try ServeHost.start(options)
        print("listening on \(host.relayAddress)")
        print("http on \(host.httpAddress)")
        // Shown once, to the operator's terminal, never to the log (stderr).
        if let issued = token.issued { print("token \(issued)") }
        fflush(nil)
        Console.progress("serve: relay \(host.relayAddress), http \(host.httpAddress), data \(options.relay.dataDirectory), \(token.source)"
            + (token.issued == nil ? "" : " (the new token is on stdout, shown once)") + "; SIGINT/SIGTERM to stop")
        if let note = token.note { Console.progress("serve: \(note)") }
        for (address, option) in [(host.relayAddress, "--listen"), (host.httpAddress, "--http")] {
            if let note = ListenAddress.exposureNote(address, option: option) { Console.progress("serve: \(note)") }
        }
        if let recovery = host.withParts({ $0.recovery.summary }) { Console.progress("serve: \(recovery)") }
        if let warp = options.timeWarp {
            let span = warp.span.map { " for \(Double($0) / 1000) s of wall time" } ?? ""
            Console.progress("serve: event time runs ×\(warp.factor) from the first event\(span); relay timers and per-second admission rates on wall time")
        }
        let received = signals.wait(statusEvery: statusInterval) { host.withParts { Self.status($0) } }
        Console.progress("serve: \(received), stopping")
        let final = host.withParts { Self.status($0) }
        host.stop()
        if let final { Console.progress(final) }
        Console.progress("serve: stopped")
    }

    /// One status line: the relay's, then the analyzer's.
    static func status(_ parts: ServeParts) -> String {
        let stats = parts.analyzer.statistics
        let intake = parts.reports.intakeStatistics
        return RelayCommand.status(parts.relay) + "; analyzer \(stats.events) events, \(parts.analyzer.activeBusinessCount) businesses, "
            + "\(stats.admissions) admissions (\(stats.refusals) refused), reports \(intake.accepted) accepted "
            + "(\(intake.rejected.values.reduce(0, +)) rejected), \(parts.alerts.activeAlerts.count) alerts firing, "
            + "\(parts.pendingNotices.count) notices waiting"
    }
}

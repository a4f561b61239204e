import Foundation
import Integrity

/// `vigil analyze`: replays an event file through the integrity analyzer at full speed on event
/// time and writes per-business signals (and policy changes).
struct AnalyzeCommand: Command {
    static let help = """
        USAGE: vigil analyze --events FILE|- --signals OUT.json [--rules FILE] [--alerts OUT.jsonl]
                             [--changes OUT.jsonl] [--keys FILE.sqlite] [--quiet]
               vigil analyze --print-rules [--rules FILE]

        Replays integrity events (one JSON object per line, the relay tap's schema) at full speed on
        event time: consumer numbers are pseudonymized at the door, per-business signals, quality
        ratings, statuses and messaging-limit tiers follow the events. Malformed lines are reported
        on standard error with their line number and skipped. Progress goes to standard error every
        second: lines, events/s, malformed lines.

        Event schema:
          {"t":MS,"kind":"message","business":"+E164","user":"+E164","dir":"b2u"|"u2b","bytes":N,"category":"marketing"|"utility"|"authentication"|"service"}
          {"t":MS,"kind":"delivered"|"read","business":"+E164","user":"+E164"}
          {"t":MS,"kind":"block","business":…,"user":…,"reason":"spam"|"didnt_sign_up"|"offensive"|"no_longer_needed"|"no_reason"}
          {"t":MS,"kind":"report","business":…,"user":…,"reason":"spam"|"scam"|"offensive"|"other"}

        OPTIONS:
          --events FILE|-      the events (- reads standard input)
          --signals OUT.json   where to write {"businesses":[…]} (- for standard output)
          --rules FILE         thresholds as JSON; keys left out keep their defaults (see --print-rules)
          --alerts OUT.jsonl   alert transitions from the detectors (docs/detection.md), one JSON object
                               a line: {"t","status":"firing"|"resolved","alertname","business","severity",
                               "summary","value","fingerprint","starts_at","ends_at","labels":{…}}; alerts
                               still firing at the end of the events stay firing (no resolved line)
          --changes OUT.jsonl  policy changes (rating, status, tier, restrictions) as JSON lines
          --keys FILE.sqlite   keep pseudonym keys in this SQLite file (rotated every 30 days of event
                               time, destroyed after the grace period); default: in memory only
          --print-rules        print the rules in force as JSON and exit
          --quiet              no progress lines
        """

    let events: String?
    let signals: String?
    let rulesPath: String?
    let alerts: String?
    let changesPath: String?
    let keys: String?
    let printRules: Bool
    let quiet: Bool

    init(parsing arguments: inout Arguments) throws(CLIError) {
        events = try arguments.option("--events")
        signals = try arguments.option("--signals")
        rulesPath = try arguments.option("--rules")
        alerts = try arguments.option("--alerts")
        changesPath = try arguments.option("--changes")
        keys = try arguments.option("--keys")
        printRules = arguments.flag("--print-rules")
        quiet = arguments.flag("--quiet")
        guard printRules || events != nil else { throw CLIError("--events is required") }
        guard printRules || signals != nil else { throw CLIError("--signals is required") }
    }

    func run() throws {
        let rules = try loadRules()
        if printRules {
            print(rules.jsonText)
            return
        }
        guard let events, let signals else { return }
        let pseudonymizer: Pseudonymizer
        if let keys {
            do {
                pseudonymizer = try Pseudonymizer(schedule: try rules.keySchedule(), store: SQLiteKeyStore(path: keys),
                                                  source: SystemRandomSource())
            } catch {
                throw CLIError("--keys \(keys): \(error)")
            }
        } else {
            pseudonymizer = Pseudonymizer.ephemeral(schedule: try rules.keySchedule())
        }
        let analyzer = try IntegrityAnalyzer(rules: rules, pseudonymizer: pseudonymizer)
        let sink: JSONLAlertSink?
        do {
            sink = try alerts.map { path throws(AlertSinkError) in try JSONLAlertSink(path: path) }
        } catch {
            throw CLIError("--alerts \(error)")
        }
        let engine = try AlertEngine(rules: rules, sinks: sink.map { [$0] } ?? [])
        analyzer.observers = [engine]

        let reader: EventStreamReader
        do {
            reader = try EventStreamReader(path: events)
        } catch {
            throw CLIError("\(error)")
        }
        let start = BenchClock.now()
        var lastReport = start
        var lastEvents = 0
        var reported = 0
        let summary = try analyzer.replay(reader, interval: 16_384, malformed: { error in
            reported += 1
            if reported <= Self.malformedShown { Console.error("\(events): \(error)") }
        }, progress: { state in
            guard !quiet else { return }
            let now = BenchClock.now()
            guard now - lastReport >= 1_000_000_000 else { return }
            let rate = Double(state.events - lastEvents) / (Double(now - lastReport) / 1e9)
            Console.progress("analyze: \(state.lines) lines, \(Self.rate(rate)) events/s, \(state.malformed) malformed")
            lastReport = now
            lastEvents = state.events
        })
        if summary.malformed > Self.malformedShown {
            Console.error("\(events): \(summary.malformed - Self.malformedShown) more malformed lines not shown")
        }
        if let time = analyzer.now {
            analyzer.advance(to: time)  // the engine evaluates what it has not yet
            engine.finish(at: time)
        }
        do {
            try sink?.finish()
        } catch {
            throw CLIError("--alerts \(error)")
        }
        let snapshot = analyzer.snapshot()
        try FileIO.write(Array(SignalsReport.json(snapshot).utf8), to: signals)
        let changes = analyzer.drainPolicyChanges()
        if let changesPath {
            var lines = ""
            for change in changes { lines += change.jsonLine + "\n" }
            try FileIO.write(Array(lines.utf8), to: changesPath)
        }
        if !quiet {
            let seconds = Double(BenchClock.now() - start) / 1e9
            Console.progress("""
                analyze: done: \(summary.lines) lines, \(summary.events) events, \(summary.malformed) malformed, \
                \(summary.dropped) dropped, \(snapshot.count) businesses, \(changes.count) policy changes, \
                \(Self.alertSummary(engine)), \
                \(String(format: "%.2f", seconds)) s (\(Self.rate(Double(summary.events) / max(seconds, 1e-9))) events/s)
                """)
        }
    }

    /// `alerts: N critical, M warning fired, R resolved, F firing at end`.
    private static func alertSummary(_ engine: AlertEngine) -> String {
        let counts = engine.counts
        return "alerts: \(counts.fired[.critical] ?? 0) critical, \(counts.fired[.warning] ?? 0) warning fired, "
            + "\(counts.resolved) resolved, \(engine.firing.count) firing at end"
    }

    /// Malformed lines reported one by one before the rest are only counted.
    static let malformedShown = 20

    private func loadRules() throws -> Rules {
        guard let rulesPath else { return Rules() }
        do {
            return try Rules(json: try FileIO.read(rulesPath))
        } catch let error as RulesError {
            throw CLIError("--rules \(rulesPath): \(error)")
        }
    }

    private static func rate(_ perSecond: Double) -> String {
        perSecond >= 1e6 ? String(format: "%.2fM", perSecond / 1e6) : perSecond >= 1e3 ? String(format: "%.1fk", perSecond / 1e3) : String(format: "%.0f", perSecond)
    }
}

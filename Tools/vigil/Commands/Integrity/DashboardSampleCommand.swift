import Integrity

/// `vigil dashboard-sample` (hidden): replays an event file through the analyzer, sampling the
/// dashboard's history on event time, and writes the dashboard page `vigil serve` shows at `/` —
/// for the browser check (Tests/interop/run-dashboard-check.sh) and for a look by eye.
struct DashboardSampleCommand: Command {
    static let help = """
        USAGE: vigil dashboard-sample --events FILE|- --out PAGE.html [--every MINUTES] [--samples N]
                                      [--charts N] [--rules FILE] [--quiet]

        Replays integrity events (the `vigil analyze` schema; e.g. from `vigil simulate`) at full
        speed on event time, records every business's send rate, business-initiated reach against its
        tier, block and report rates, rating, status and tier every MINUTES of event time, and writes
        the dashboard as one self-contained HTML page (inline CSS and SVG, no script, no refresh).
        The alerts section and the export preview show their empty states: this replay installs no
        detector and computes no export.

        OPTIONS:
          --events FILE|-    the events, in time order (- reads standard input)
          --out PAGE.html    where to write the page (- for standard output)
          --every MINUTES    sampling interval in event time, 1…1440 (default 45: a week in 224 samples)
          --samples N        samples kept per business, 2…10000 (default 240)
          --charts N         businesses tracked and charted, 1…100 (default 12)
          --rules FILE       thresholds as JSON (see `vigil analyze --print-rules`)
          --quiet            no progress lines
        """

    let events: String
    let output: String
    let interval: Int64
    let samples: Int
    let charts: Int
    let rulesPath: String?
    let quiet: Bool

    init(parsing arguments: inout Arguments) throws(CLIError) {
        guard let events = try arguments.option("--events") else { throw CLIError("--events FILE is required") }
        guard let output = try arguments.option("--out"), !output.isEmpty else { throw CLIError("--out PAGE.html is required") }
        self.events = events
        self.output = output
        interval = Int64(try arguments.integer("--every", in: 1...1440) ?? 45) * 60_000
        samples = try arguments.integer("--samples", in: 2...10_000) ?? 240
        charts = try arguments.integer("--charts", in: 1...100) ?? 12
        rulesPath = try arguments.option("--rules")
        quiet = arguments.flag("--quiet")
    }

    func run() throws {
        let rules: Rules
        if let rulesPath {
            do {
                rules = try Rules(json: try FileIO.read(rulesPath))
            } catch let error as RulesError {
                throw CLIError("--rules \(rulesPath): \(error)")
            }
        } else {
            rules = Rules()
        }
        let analyzer = try IntegrityAnalyzer(rules: rules)
        let reader: EventStreamReader
        do {
            reader = try EventStreamReader(path: events)
        } catch {
            throw CLIError("\(error)")
        }
        var history = SignalHistory(samplesPerBusiness: samples, maximumBusinesses: charts)
        var reported = 0
        var lastReport = BenchClock.now()
        let summary = try history.replay(reader, through: analyzer, every: interval, progressInterval: 16_384, malformed: { error in
            reported += 1
            if reported <= AnalyzeCommand.malformedShown { Console.error("\(events): \(error)") }
        }, progress: { state in
            guard !quiet, BenchClock.now() - lastReport >= 1_000_000_000 else { return }
            lastReport = BenchClock.now()
            Console.progress("dashboard-sample: \(state.lines) lines, \(state.events) events, \(state.malformed) malformed")
        })
        if summary.malformed > AnalyzeCommand.malformedShown {
            Console.error("\(events): \(summary.malformed - AnalyzeCommand.malformedShown) more malformed lines not shown")
        }
        let snapshot = analyzer.snapshot()
        var options = DashboardPage.Options()
        options.refreshSeconds = nil
        options.maximumChartedBusinesses = charts
        let page = DashboardPage.render(history: history, signals: snapshot, alerts: [], exportPreview: [],
                                        generatedAt: analyzer.now ?? 0, options: options)
        try FileIO.write(Array(page.utf8), to: output)
        if !quiet {
            let sampled = history.businesses.map { history.samples(for: $0).count }.max() ?? 0
            Console.progress("""
                dashboard-sample: \(summary.events) events, \(summary.malformed) malformed, \(summary.dropped) dropped; \
                \(snapshot.count) businesses, \(history.businesses.count) charted with up to \(sampled) samples; \
                \(page.utf8.count) bytes to \(output)
                """)
        }
    }
}

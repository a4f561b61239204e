/// A simulated workload generated in-process and replayed, as it is generated, through an
/// ``IntegrityAnalyzer`` with an ``AlertEngine`` — what `vigil bench detection` and the replay
/// tests run. Events go through the real path: JSONL bytes, ``EventLineParser``, pseudonymization,
/// the analyzer, the detectors.
public enum DetectionReplay {
    /// What a replay produced.
    public struct Outcome: Sendable {
        /// The labels sidecar.
        public var labels: SimulationLabels
        /// Every alert transition, in event-time order.
        public var alerts: [Alert]
        /// Events applied.
        public var events: Int
        /// Lines that failed to parse (0 for a correct simulator).
        public var malformed: Int
        /// Parsed events the analyzer dropped (0 for a correct simulator).
        public var dropped: Int
        /// Nanoseconds spent parsing and applying events (per the injected clock).
        public var replayNanoseconds: UInt64
        /// The score of the critical alerts against the labels.
        public var score: DetectionScore { DetectionScore(labels: labels, alerts: alerts) }
    }

    /// Collects transitions.
    private final class Collector: AlertSink {
        var alerts: [Alert] = []
        func deliver(_ alerts: [Alert]) { self.alerts.append(contentsOf: alerts) }
    }

    /// Generates `parameters`' workload and replays it with `rules` (pseudonym keys from
    /// `pseudonymizer`, default ephemeral); without `detectors` the analyzer runs alone (to
    /// measure what the detectors cost). `clock` (nanoseconds; default none) times the replay
    /// side; `progress` gets the events applied so far after each chunk.
    public static func run(
        _ parameters: SimulationParameters, rules: Rules = Rules(), pseudonymizer: Pseudonymizer? = nil,
        detectors: Bool = true, clock: () -> UInt64 = { 0 }, progress: (Int) -> Void = { _ in }
    ) throws(RulesError) -> Outcome {
        let analyzer = try IntegrityAnalyzer(rules: rules, pseudonymizer: pseudonymizer)
        let collector = Collector()
        let engine = try AlertEngine(rules: rules, sinks: [collector])
        if detectors { analyzer.observers = [engine] }
        let parser = EventLineParser()
        var events = 0, malformed = 0, dropped = 0, lineNumber = 0
        var nanoseconds: UInt64 = 0
        let result = Simulation.generate(parameters, write: { (chunk: [UInt8]) in
            let start = clock()
            chunk.withUnsafeBytes { raw in
                var lineStart = 0
                for position in 0..<raw.count where raw[position] == UInt8(ascii: "\n") {
                    lineNumber += 1
                    if let event = try? parser.parse(UnsafeRawBufferPointer(rebasing: raw[lineStart..<position]), lineNumber: lineNumber) {
                        if analyzer.ingest(event) != nil { events += 1 } else { dropped += 1 }
                    } else {
                        malformed += 1
                    }
                    lineStart = position + 1
                }
            }
            nanoseconds += clock() - start
            progress(events)
        })
        if let now = analyzer.now {
            analyzer.advance(to: now)
            engine.finish(at: now)
        }
        return Outcome(labels: result.labels, alerts: collector.alerts, events: events, malformed: malformed, dropped: dropped,
                       replayNanoseconds: nanoseconds)
    }
}

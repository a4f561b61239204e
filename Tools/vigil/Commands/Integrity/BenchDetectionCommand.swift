import Foundation
import Integrity

/// `vigil bench detection`: precision and recall of critical alerts per business over every
/// simulated scenario, with warning counts and replay speed.
struct BenchDetectionCommand: Command {
    static let help = """
        USAGE: vigil bench detection [--scenario NAME] [--seed N] [--scale S] [--rules FILE] [--details]
                                     [--overhead] [--json]

        For every scenario of `vigil simulate` (or only --scenario), generates the labeled week in
        process and replays it as it is generated — JSONL, the line parser, pseudonymization, the
        analyzer, the detectors (docs/detection.md) — then scores the critical alerts per business
        against the labels: a business is predicted abusive when at least one critical alert
        started firing for it at any time of the week; the truth is the label's expect_critical.
        Prints per scenario and pooled over all: businesses, abusive, TP / FP / FN, precision,
        recall, warnings fired, the median and largest delay from the abuse window's start to the
        first critical alert, and replay events per CPU second of the replaying thread (parse +
        analyzer + detectors; generation is not timed; CPU time is immune to other processes).
        Targets: precision ≥ 0.95 and recall ≥ 0.95.

        Scale 1 (the default) is 1.6–2.7 million events per scenario, about 13 million in all; a
        release build replays them in well under a minute, a debug build takes many minutes (use
        --scale 0.1).

        OPTIONS:
          --scenario NAME  one scenario (default: all; see `vigil simulate --list`)
          --seed N         simulation seed (default 1)
          --scale S        simulation scale (default 1)
          --rules FILE     thresholds as JSON (see `vigil analyze --print-rules`)
          --details        list every featured business and every false positive with its alerts
          --overhead       replay every scenario a second time without the detectors and print what
                           they cost (ns per event)
          --json           print one JSON object per scenario and one for the pooled figures
        """

    let scenarios: [SimulationScenario]
    let seed: UInt64
    let scale: Double
    let rulesPath: String?
    let details: Bool
    let overhead: Bool
    let json: Bool

    init(parsing arguments: inout Arguments) throws(CLIError) {
        if let name = try arguments.option("--scenario") {
            guard let scenario = SimulationScenario(rawValue: name) else {
                throw CLIError("--scenario: \(SimulationError.unknownScenario(name))")
            }
            scenarios = [scenario]
        } else {
            scenarios = SimulationScenario.allCases
        }
        seed = UInt64(try arguments.integer("--seed", in: 0...Int.max) ?? 1)
        scale = try arguments.double("--scale") ?? 1
        guard SimulationParameters.scaleRange.contains(scale) else {
            throw CLIError("--scale: \(SimulationError.scaleOutOfRange(scale))")
        }
        rulesPath = try arguments.option("--rules")
        details = arguments.flag("--details")
        overhead = arguments.flag("--overhead")
        json = arguments.flag("--json")
    }

    func run() throws {
        BenchClock.warnIfDebug()
        let rules = try loadRules()
        var scores: [DetectionScore] = []
        var totalEvents = 0
        var totalNanoseconds: UInt64 = 0
        if !json {
            print("detection, seed \(seed), scale \(Self.format(scale)): critical alerts per business vs labels")
            print(Self.header)
        }
        for scenario in scenarios {
            let parameters = try SimulationParameters(scenario: scenario, seed: seed, scale: scale)
            Console.progress("bench detection: \(scenario.rawValue) …")
            let outcome = try DetectionReplay.run(parameters, rules: rules, clock: BenchClock.threadCPUNanoseconds)
            guard outcome.malformed == 0, outcome.dropped == 0 else {
                throw CLIError("\(scenario.rawValue): \(outcome.malformed) simulated lines failed to parse, \(outcome.dropped) were dropped")
            }
            let score = outcome.score
            scores.append(score)
            totalEvents += outcome.events
            totalNanoseconds += outcome.replayNanoseconds
            let rate = Double(outcome.events) / max(Double(outcome.replayNanoseconds) / 1e9, 1e-9)
            if json {
                print(Self.json(name: scenario.rawValue, score: score, events: outcome.events, rate: rate))
            } else {
                print(Self.row(name: scenario.rawValue, score: score, events: outcome.events, rate: rate))
                if details { printDetails(score) }
            }
            if overhead {
                let bare = try DetectionReplay.run(parameters, rules: rules, detectors: false, clock: BenchClock.threadCPUNanoseconds)
                let withDetectors = Double(outcome.replayNanoseconds) / Double(max(outcome.events, 1))
                let without = Double(bare.replayNanoseconds) / Double(max(bare.events, 1))
                print(String(format: "    cpu ns/event: %.0f with detectors, %.0f without: detectors cost %.0f ns/event",
                             withDetectors, without, withDetectors - without))
            }
        }
        let pooled = DetectionScore.pooled(scores)
        let rate = Double(totalEvents) / max(Double(totalNanoseconds) / 1e9, 1e-9)
        let delays = scores.flatMap(Self.delays)
        if json {
            var object = JSONObject()
            object.set("scenario", "all")
            object.set("events", totalEvents)
            object.set("true_positives", pooled.truePositives)
            object.set("false_positives", pooled.falsePositives)
            object.set("false_negatives", pooled.falseNegatives)
            if let precision = pooled.precision { object.set("precision", precision) }
            if let recall = pooled.recall { object.set("recall", recall) }
            object.set("warnings", scores.reduce(0) { $0 + $1.warnings })
            object.set("events_per_cpu_second", rate)
            print(object.text)
        } else {
            let line = Self.cells(
                name: "all (pooled)", events: totalEvents, businesses: scores.reduce(0) { $0 + $1.businesses.count },
                abusive: scores.reduce(0) { $0 + $1.abusive }, tp: pooled.truePositives, fp: pooled.falsePositives,
                fn: pooled.falseNegatives, precision: pooled.precision, recall: pooled.recall,
                warnings: scores.reduce(0) { $0 + $1.warnings }, delays: delays, rate: rate)
            print(String(repeating: "-", count: Self.header.count))
            print(line)
            print("target: precision ≥ 0.95 and recall ≥ 0.95 (pooled and per scenario where defined)")
        }
    }

    private func printDetails(_ score: DetectionScore) {
        for business in score.businesses where business.label.behaviour != .background || business.predictedAbusive {
            let critical = business.firstCritical.map { _ in
                "critical \(business.firstCriticalName ?? "?") after \(Self.minutes(business.delay ?? 0)) min (\(business.criticals) fired)"
            } ?? "no critical"
            print("    \(business.label.business) \(business.label.behaviour.rawValue): \(critical), \(business.warnings) warnings")
        }
    }

    private func loadRules() throws -> Rules {
        guard let rulesPath else { return Rules() }
        do {
            return try Rules(json: try FileIO.read(rulesPath))
        } catch let error as RulesError {
            throw CLIError("--rules \(rulesPath): \(error)")
        }
    }

    static let header = "scenario           events     biz  abus    TP   FP   FN  precision  recall  warnings  delay med/max min  ev/cpu-s"

    static func delays(_ score: DetectionScore) -> [Int64] {
        score.businesses.compactMap { $0.label.expectCritical ? $0.delay : nil }
    }

    static func row(name: String, score: DetectionScore, events: Int, rate: Double) -> String {
        cells(name: name, events: events, businesses: score.businesses.count, abusive: score.abusive, tp: score.truePositives,
              fp: score.falsePositives, fn: score.falseNegatives, precision: score.precision, recall: score.recall,
              warnings: score.warnings, delays: delays(score), rate: rate)
    }

    static func cells(name: String, events: Int, businesses: Int, abusive: Int, tp: Int, fp: Int, fn: Int,
                      precision: Double?, recall: Double?, warnings: Int, delays: [Int64], rate: Double) -> String {
        func ratio(_ value: Double?) -> String { value.map { String(format: "%.3f", $0) } ?? "n/a" }
        let sorted = delays.sorted()
        let delay = sorted.isEmpty ? "—" : "\(minutes(sorted[(sorted.count - 1) / 2]))/\(minutes(sorted[sorted.count - 1]))"
        return name.padding(toLength: 16, withPad: " ", startingAt: 0)
            + String(format: "%9d %7d %5d %5d %4d %4d", events, businesses, abusive, tp, fp, fn)
            + pad(ratio(precision), 11) + pad(ratio(recall), 8) + pad(String(warnings), 10)
            + pad(delay, 19) + String(format: "%10.0f", rate)
    }

    static func json(name: String, score: DetectionScore, events: Int, rate: Double) -> String {
        var object = JSONObject()
        object.set("scenario", name)
        object.set("events", events)
        object.set("businesses", score.businesses.count)
        object.set("abusive", score.abusive)
        object.set("true_positives", score.truePositives)
        object.set("false_positives", score.falsePositives)
        object.set("false_negatives", score.falseNegatives)
        if let precision = score.precision { object.set("precision", precision) }
        if let recall = score.recall { object.set("recall", recall) }
        object.set("warnings", score.warnings)
        object.set("events_per_cpu_second", rate)
        return object.text
    }

    /// `text` right-aligned in `width` columns (at least one space before it).
    static func pad(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(1, width - text.count)) + text
    }

    static func minutes(_ milliseconds: Int64) -> String { String(format: "%.0f", Double(milliseconds) / 60_000) }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    }
}

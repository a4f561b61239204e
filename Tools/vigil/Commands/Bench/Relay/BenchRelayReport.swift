import Foundation

/// The systems a run can measure.
enum BenchSystemKind: String, CaseIterable, Sendable {
    /// The relay with its SQLite queue on.
    case durable
    /// The relay with `durable: false`.
    case queueOff = "queue-off"
    /// Redis pub/sub.
    case redis

    /// The key prefix of its JSON fields.
    var jsonKey: String {
        switch self {
        case .durable: "relay_durable"
        case .queueOff: "relay_queue_off"
        case .redis: "redis"
        }
    }
}

/// One system's figures in the report.
struct SystemResult {
    /// Which system.
    let kind: BenchSystemKind
    /// "relay, durable", "relay, queue off", "redis pub/sub 7.0.15".
    let name: String
    /// Its saturated and paced figures.
    let phases: PhaseFigures
    /// The peak RSS in MiB (this process's for the relay, the server's for Redis).
    let peakRSSMiB: Double?
    /// This process's RSS before the relay started (the load generator's share), for the relay.
    let baselineRSSMiB: Double?
    /// Extra lines (the relay's own counters, commits).
    var notes: [String] = []
    /// The saturated throughput of every round, in round order (one entry for a single round).
    var roundThroughputs: [Double] = []
    /// For the durable relay: the disk's `fdatasync` latency just before the run (``DiskProbe``).
    var diskSyncMilliseconds: (p50: Double, p90: Double)?

    init(kind: BenchSystemKind, name: String, phases: PhaseFigures, peakRSSMiB: Double?, baselineRSSMiB: Double?) {
        self.kind = kind
        self.name = name
        self.phases = phases
        self.peakRSSMiB = peakRSSMiB
        self.baselineRSSMiB = baselineRSSMiB
    }
}

/// The table (or JSON object) `vigil bench relay` prints, with the targets' verdicts.
struct BenchRelayReport {
    /// The run's settings, for the heading.
    let pairs: Int, size: Int, seconds: Double, warmup: Double, window: Int, rounds: Int
    /// Per system, its median round by saturated throughput.
    let results: [SystemResult]

    /// A report of `runs` (every system's run of every round, in any order).
    init(pairs: Int, size: Int, seconds: Double, warmup: Double, window: Int, rounds: Int, runs: [SystemResult]) {
        self.pairs = pairs
        self.size = size
        self.seconds = seconds
        self.warmup = warmup
        self.window = window
        self.rounds = rounds
        var results: [SystemResult] = []
        for kind in BenchSystemKind.allCases {
            let mine = runs.filter { $0.kind == kind }
            let ranked = mine.sorted { $0.phases.saturated.throughput < $1.phases.saturated.throughput }
            guard var median = ranked.isEmpty ? nil : ranked[(ranked.count - 1) / 2] else { continue }
            median.roundThroughputs = mine.map(\.phases.saturated.throughput)
            results.append(median)
        }
        self.results = results
    }

    /// Durable relay ≥ 0.5× Redis's saturated throughput.
    static let durableTarget = 0.5
    /// Queue-off relay ≥ 1× Redis's saturated throughput.
    static let queueOffTarget = 1.0
    /// p99 below 10 ms at half the peak rate.
    static let p99TargetMilliseconds = 10.0

    private var durable: SystemResult? { results.first { $0.kind == .durable } }
    private var queueOff: SystemResult? { results.first { $0.kind == .queueOff } }
    private var redis: SystemResult? { results.first { $0.kind == .redis } }

    /// One target: what was measured against what, and whether it holds (nil: not measured).
    struct Verdict {
        /// What is compared.
        let name: String
        /// The measured value, formatted.
        let measured: String
        /// The target, formatted.
        let target: String
        /// Whether the target holds; nil when it could not be measured.
        let met: Bool?
    }

    /// The targets from the issue, in the table's order.
    var verdicts: [Verdict] {
        var verdicts: [Verdict] = []
        for (result, target, label) in [(durable, Self.durableTarget, "relay durable / redis, saturated envelopes/s"),
                                        (queueOff, Self.queueOffTarget, "relay queue off / redis, saturated envelopes/s")] {
            if let result, let redis, redis.phases.saturated.throughput > 0 {
                let ratio = result.phases.saturated.throughput / redis.phases.saturated.throughput
                verdicts.append(Verdict(name: label, measured: String(format: "%.2f×", ratio),
                                        target: String(format: "≥ %.2f×", target), met: ratio >= target))
            } else {
                verdicts.append(Verdict(name: label, measured: "-", target: String(format: "≥ %.2f×", target), met: nil))
            }
        }
        for result in [durable, queueOff].compactMap({ $0 }) {
            let p99 = Self.milliseconds(result.phases.paced.latency.percentile(0.99))
            verdicts.append(Verdict(name: "\(result.name): p99 at half its peak rate", measured: String(format: "%.2f ms", p99),
                                    target: String(format: "< %.0f ms", Self.p99TargetMilliseconds),
                                    met: p99 < Self.p99TargetMilliseconds))
        }
        return verdicts
    }

    /// The human-readable report.
    var table: String {
        var lines: [String] = []
        lines.append("Vigil relay vs Redis pub/sub over loopback: \(pairs) pairs, \(size)-byte envelopes, "
            + "window \(window) per sender, \(Self.number(seconds)) s per phase after \(Self.number(warmup)) s warm-up"
            + (rounds > 1 ? "; median of \(rounds) rounds" : ""))
        lines.append("".padding(toLength: 20, withPad: " ", startingAt: 0)
            + "| saturating".padding(toLength: 40, withPad: " ", startingAt: 0)
            + "| paced at half its own peak".padding(toLength: 49, withPad: " ", startingAt: 0) + "|")
        lines.append(Self.row(["system", "| envelopes/s", "p50 ms", "p99 ms", "max ms", "| target/s", "achieved/s", "p50 ms",
                               "p99 ms", "max ms", "| peak RSS MiB"]))
        for result in results {
            let saturated = result.phases.saturated
            let paced = result.phases.paced
            lines.append(Self.row([
                result.name, String(format: "%.0f", saturated.throughput),
                Self.latency(saturated.latency, 0.50), Self.latency(saturated.latency, 0.99), Self.latency(saturated.latency, 1),
                String(format: "%.0f", result.phases.pacedRate), String(format: "%.0f", paced.throughput),
                Self.latency(paced.latency, 0.50), Self.latency(paced.latency, 0.99), Self.latency(paced.latency, 1),
                Self.rss(result),
            ]))
        }
        lines.append("")
        lines.append("target".padding(toLength: 52, withPad: " ", startingAt: 0)
            + "measured".leftPadded(10) + "target".leftPadded(10) + "  verdict")
        for verdict in verdicts {
            let outcome = verdict.met.map { $0 ? "ok" : "MISS" } ?? "not measured"
            lines.append(verdict.name.padding(toLength: 52, withPad: " ", startingAt: 0) + verdict.measured.leftPadded(10)
                + verdict.target.leftPadded(10) + "  " + outcome)
        }
        lines.append("")
        for result in results {
            if result.roundThroughputs.count > 1 {
                lines.append("\(result.name): saturated envelopes/s by round: "
                    + result.roundThroughputs.map { String(format: "%.0f", $0) }.joined(separator: ", "))
            }
            for note in result.notes { lines.append("\(result.name): \(note)") }
            if result.phases.paced.skipped > 0 {
                lines.append("\(result.name): \(result.phases.paced.skipped) paced sends skipped "
                    + "(a pair was \(PhaseDriver.pacedCap) behind)")
            }
            if let baseline = result.baselineRSSMiB {
                lines.append("\(result.name): peak RSS is this process's (relay + load generator; "
                    + String(format: "%.1f MiB before the relay started)", baseline))
            }
        }
        if redis == nil { lines.append("no Redis reference run: ratios not measured") }
        return lines.joined(separator: "\n")
    }

    /// The figures as one JSON object.
    var json: String {
        var object = JSONObject()
        object.set("pairs", pairs)
        object.set("size", size)
        object.set("seconds", seconds)
        object.set("warmup", warmup)
        object.set("window", window)
        object.set("rounds", rounds)
        for result in results {
            let key = result.kind.jsonKey
            let saturated = result.phases.saturated
            let paced = result.phases.paced
            object.set(key + "_name", result.name)
            object.set(key + "_saturated_per_s", saturated.throughput.rounded())
            object.set(key + "_saturated_per_s_by_round", result.roundThroughputs.map { $0.rounded() })
            object.set(key + "_saturated_p50_ms", Self.milliseconds(saturated.latency.percentile(0.5)))
            object.set(key + "_saturated_p99_ms", Self.milliseconds(saturated.latency.percentile(0.99)))
            object.set(key + "_saturated_max_ms", Self.milliseconds(saturated.latency.maximum))
            object.set(key + "_paced_target_per_s", result.phases.pacedRate.rounded())
            object.set(key + "_paced_per_s", paced.throughput.rounded())
            object.set(key + "_paced_p50_ms", Self.milliseconds(paced.latency.percentile(0.5)))
            object.set(key + "_paced_p99_ms", Self.milliseconds(paced.latency.percentile(0.99)))
            object.set(key + "_paced_max_ms", Self.milliseconds(paced.latency.maximum))
            object.set(key + "_paced_skipped", paced.skipped)
            for (label, window) in [("saturated", saturated), ("paced", paced)] {
                for (role, microseconds) in Self.cpuPerEnvelope(window) {
                    let field = role.replacingOccurrences(of: " ", with: "_").replacingOccurrences(of: "-", with: "_")
                    object.set(key + "_\(label)_cpu_us_per_envelope_" + field, (microseconds * 1000).rounded() / 1000)
                }
            }
            if let disk = result.diskSyncMilliseconds {
                object.set(key + "_disk_fdatasync_p50_ms", (disk.p50 * 1000).rounded() / 1000)
                object.set(key + "_disk_fdatasync_p90_ms", (disk.p90 * 1000).rounded() / 1000)
            }
            if let peak = result.peakRSSMiB { object.set(key + "_peak_rss_mib", (peak * 10).rounded() / 10) }
            if let peak = result.peakRSSMiB, let baseline = result.baselineRSSMiB {
                object.set(key + "_rss_growth_mib", ((peak - baseline) * 10).rounded() / 10)
            }
        }
        if let redis, redis.phases.saturated.throughput > 0 {
            let reference = redis.phases.saturated.throughput
            if let durable { object.set("ratio_durable_over_redis", durable.phases.saturated.throughput / reference) }
            if let queueOff { object.set("ratio_queue_off_over_redis", queueOff.phases.saturated.throughput / reference) }
        }
        object.set("targets_met", verdicts.allSatisfy { $0.met != false })
        return object.text
    }

    /// CPU per envelope in each measured window, by role: "CPU µs per envelope, saturated: relay
    /// loop 1.90, relay storage 5.10, load generator 1.00 (total 8.00)".
    static func cpuNotes(_ phases: PhaseFigures) -> [String] {
        [("saturated", phases.saturated), ("paced", phases.paced)].compactMap { label, window in
            let perEnvelope = cpuPerEnvelope(window)
            guard !perEnvelope.isEmpty else { return nil }
            let parts = perEnvelope.map { "\($0.role) " + String(format: "%.2f", $0.microseconds) }
            let total = perEnvelope.reduce(0) { $0 + $1.microseconds }
            return "CPU µs per envelope, \(label): " + parts.joined(separator: ", ") + String(format: " (total %.2f)", total)
        }
    }

    /// CPU microseconds per delivered envelope in `window`, by role, in a fixed order.
    static func cpuPerEnvelope(_ window: WindowFigures) -> [(role: String, microseconds: Double)] {
        guard window.delivered > 0 else { return [] }
        let order = ProcessCPU.roles.map(\.role)
        return window.cpuSeconds
            .sorted { (order.firstIndex(of: $0.key) ?? -1, $0.key) < (order.firstIndex(of: $1.key) ?? -1, $1.key) }
            .filter { $0.value > 0 }
            .map { ($0.key, $0.value * 1e6 / Double(window.delivered)) }
    }

    /// "13.0", or for the relay "81.8 (+31.2)": the peak and its growth over the RSS before it started.
    private static func rss(_ result: SystemResult) -> String {
        guard let peak = result.peakRSSMiB else { return "-" }
        guard let baseline = result.baselineRSSMiB else { return String(format: "%.1f", peak) }
        return String(format: "%.1f (+%.1f)", peak, peak - baseline)
    }

    private static func milliseconds(_ nanoseconds: UInt64) -> Double { (Double(nanoseconds) / 1e3).rounded() / 1e3 }

    private static func latency(_ histogram: LatencyHistogram, _ quantile: Double) -> String {
        let value = quantile >= 1 ? histogram.maximum : histogram.percentile(quantile)
        return String(format: "%.3f", Double(value) / 1e6)
    }

    private static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }

    /// The system name left-aligned, every other column right-aligned; "| " opens a group.
    private static func row(_ cells: [String]) -> String {
        let widths = [20, 13, 9, 9, 9, 11, 11, 9, 9, 9, 16]
        var line = ""
        for (index, cell) in cells.enumerated() {
            let width = index < widths.count ? widths[index] : 10
            if index == 0 {
                line += cell.padding(toLength: width, withPad: " ", startingAt: 0)
            } else if cell.hasPrefix("| ") {
                line += "|" + String(cell.dropFirst(2)).leftPadded(width - 1)
            } else {
                line += cell.leftPadded(width)
            }
        }
        return line
    }
}

import Foundation

/// The figures of `vigil bench cloudapi` as a Markdown table (for BENCHMARKS.md) or JSON.
struct CloudAPIBenchReport {
    /// The run's parameters.
    var businesses: Int
    var phones: Int
    var connections: Int
    var window: Int
    var textLength: Int
    var seconds: Double
    var warmup: Double
    /// One entry per direction measured.
    var phases: [CloudAPIPhaseFigures]
    /// Counters checked after the run, one line each.
    var notes: [String]
    /// Peak RSS of the process (relay + endpoint + load), MiB.
    var peakRSSMiB: Double
    /// The host's speed before the system started and after the last phase
    /// (``HostReference/x25519Rate(seconds:)``).
    var hostX25519PerSecond: (before: Double?, after: Double?)

    /// `vigil bench crypto`'s X25519 figure on 2026-11-25, when these targets were first met in
    /// some runs: the yardstick for the host's speed in a later run.
    static let referenceX25519PerSecond = 31_200.0

    /// Target: end-to-end messages per second when saturated.
    static let throughputTarget = 5_000.0
    /// Target: p99 in ms at half of the throughput target (and, stricter, at half each run's own
    /// saturated rate).
    static let latencyTarget = 20.0

    private static func ms(_ nanoseconds: UInt64) -> String { String(format: "%.2f", Double(nanoseconds) / 1e6) }

    private static func latency(_ histogram: LatencyHistogram) -> String {
        "\(ms(histogram.percentile(0.5))) / \(ms(histogram.percentile(0.99))) / \(ms(histogram.maximum))"
    }

    private static func count(_ value: Double) -> String {
        let digits = String(Int(value.rounded()))
        var out = ""
        for (index, character) in digits.reversed().enumerated() {
            if index > 0, index % 3 == 0 { out.append(" ") }
            out.append(character)
        }
        return String(out.reversed())
    }

    private static func cpu(_ window: CloudAPIWindow) -> String {
        let messages = Double(window.outbound.delivered + window.inbound.delivered)
        guard messages > 0 else { return "–" }
        let total = String(format: "%.0f", window.cpuSeconds * 1e6 / messages)
        guard let endpoint = window.threadCPUSeconds["endpoint loop"] else { return total }
        return total + String(format: " / %.0f", endpoint * 1e6 / messages)
    }

    private static func api(_ window: CloudAPIWindow) -> String {
        window.api.count == 0 ? "–" : "\(ms(window.api.percentile(0.5))) / \(ms(window.api.percentile(0.99)))"
    }

    /// The Markdown table, the checks and the verdicts.
    var table: String {
        var lines: [String] = []
        lines.append("\(phones) phones, \(businesses) businesses, \(connections) HTTP connections, \(textLength)-byte texts; "
            + "saturating: \(window) in flight per flow and direction; each phase \(seconds) s after \(warmup) s warm-up")
        lines.append("")
        lines.append("| direction | phase | messages/s | e2e p50 / p99 / max ms | POST→200 p50 / p99 ms | CPU µs/message: process / endpoint loop |")
        lines.append("| --- | --- | ---: | ---: | ---: | ---: |")
        for phase in phases {
            let name = phase.directions.label
            lines.append("| \(name) | saturated | \(Self.count(phase.saturated.throughput)) | \(Self.latency(phase.saturated.latency)) | "
                + "\(Self.api(phase.saturated)) | \(Self.cpu(phase.saturated)) |")
            var paced = "paced at \(Self.count(phase.pacedRate))/s"
            let skipped = phase.paced.outbound.skipped + phase.paced.inbound.skipped
            if skipped > 0 { paced += " (\(skipped) skipped)" }
            lines.append("| \(name) | \(paced) | \(Self.count(phase.paced.throughput)) | \(Self.latency(phase.paced.latency)) | "
                + "\(Self.api(phase.paced)) | \(Self.cpu(phase.paced)) |")
            let target = phase.atHalfTarget
            lines.append("| \(name) | paced at \(Self.count(CloudAPIBenchDriver.targetPacedRate))/s (half the target) | "
                + "\(Self.count(target.throughput)) | \(Self.latency(target.latency)) | \(Self.api(target)) | \(Self.cpu(target)) |")
        }
        lines.append("")
        for note in notes { lines.append("- \(note)") }
        lines.append(String(format: "- peak RSS of the process (relay + endpoint + load generator): %.1f MiB", peakRSSMiB))
        lines.append("- host: " + hostLine)
        lines.append("")
        lines.append("| target | measured | verdict |")
        lines.append("| --- | ---: | --- |")
        for phase in phases {
            let name = phase.directions.label
            let rate = phase.saturated.throughput
            lines.append("| \(name): ≥ \(Self.count(Self.throughputTarget)) messages/s | \(Self.count(rate)) | "
                + (rate >= Self.throughputTarget ? "met" : "**MISS**") + " |")
            let atTarget = Double(phase.atHalfTarget.latency.percentile(0.99)) / 1e6
            lines.append("| \(name): p99 ≤ \(Int(Self.latencyTarget)) ms at half the target rate "
                + "(\(Self.count(CloudAPIBenchDriver.targetPacedRate))/s) | " + String(format: "%.2f ms", atTarget) + " | "
                + (atTarget <= Self.latencyTarget ? "met" : "**MISS**") + " |")
            let p99 = Double(phase.paced.latency.percentile(0.99)) / 1e6
            lines.append("| \(name): p99 ≤ \(Int(Self.latencyTarget)) ms at half this run's saturated rate (stricter) | "
                + String(format: "%.2f ms", p99) + " | " + (p99 <= Self.latencyTarget ? "met" : "**MISS**") + " |")
        }
        return lines.joined(separator: "\n")
    }

    /// The host's X25519 speed before and after the run against 2026-11-25's, and the CPU steal
    /// of each measured window.
    private var hostLine: String {
        func rate(_ value: Double?) -> String {
            guard let value else { return "–" }
            return String(format: "%.1fk (%.2f×)", value / 1000, value / Self.referenceX25519PerSecond)
        }
        var line = "X25519 agreements per CPU-second on one thread \(rate(hostX25519PerSecond.before)) before the run, "
            + "\(rate(hostX25519PerSecond.after)) after (× the \(Self.count(Self.referenceX25519PerSecond)) of `vigil bench crypto` "
            + "on 2026-11-25)"
        let steals = phases.flatMap { [$0.saturated, $0.paced, $0.atHalfTarget] }.compactMap(\.stealFraction)
        if let low = steals.min(), let high = steals.max() {
            line += String(format: "; CPU steal over the measured windows %.1f–%.1f %%", low * 100, high * 100)
        }
        return line
    }

    /// `value`, or JSON's `null`.
    private static func jsonValue(_ value: Double?) -> Any { value ?? NSNull() }

    /// One JSON object.
    var json: String {
        func figures(_ window: CloudAPIWindow) -> [String: Any] {
            func histogram(_ histogram: LatencyHistogram) -> [String: Any] {
                ["count": histogram.count, "p50_ms": Double(histogram.percentile(0.5)) / 1e6,
                 "p99_ms": Double(histogram.percentile(0.99)) / 1e6, "max_ms": Double(histogram.maximum) / 1e6]
            }
            return [
                "messages_per_second": window.throughput,
                "outbound": ["delivered": window.outbound.delivered, "skipped": window.outbound.skipped,
                             "latency": histogram(window.outbound.latency)] as [String: Any],
                "inbound": ["delivered": window.inbound.delivered, "skipped": window.inbound.skipped,
                            "latency": histogram(window.inbound.latency)] as [String: Any],
                "latency": histogram(window.latency), "api": histogram(window.api), "statuses": window.statuses,
                "cpu_seconds": window.cpuSeconds, "cpu_seconds_by_thread": window.threadCPUSeconds,
                "steal_fraction": Self.jsonValue(window.stealFraction),
            ]
        }
        let object: [String: Any] = [
            "businesses": businesses, "phones": phones, "connections": connections, "window": window, "text_length": textLength,
            "seconds": seconds, "warmup": warmup, "peak_rss_mib": peakRSSMiB, "notes": notes,
            "host_x25519_per_second": ["before": Self.jsonValue(hostX25519PerSecond.before), "after": Self.jsonValue(hostX25519PerSecond.after),
                                       "reference_2026_11_25": Self.referenceX25519PerSecond] as [String: Any],
            "phases": phases.map { phase in
                ["directions": phase.directions.label, "saturated": figures(phase.saturated), "paced_rate": phase.pacedRate,
                 "paced": figures(phase.paced), "half_target_rate": CloudAPIBenchDriver.targetPacedRate,
                 "paced_at_half_target": figures(phase.atHalfTarget)] as [String: Any]
            },
        ]
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}

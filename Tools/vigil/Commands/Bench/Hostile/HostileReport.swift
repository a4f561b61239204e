import Foundation

/// The text (or JSON) `vigil bench hostile` prints: per attack, honest traffic alone and under
/// attack, the ratios against the targets, peak RSS against the bound, and the loss checks.
struct HostileReport {
    let settings: HostileSettings
    let results: [HostileResult]

    /// One compared figure.
    struct Line {
        /// The JSON field prefix.
        let key: String
        let name: String
        let baseline: Double
        let attacked: Double
        /// attacked / baseline.
        var ratio: Double { baseline > 0 ? attacked / baseline : .nan }
        /// ≤ target for latencies, ≥ target for throughputs.
        let lowerIsBetter: Bool
        let unit: String

        var met: Bool {
            guard ratio.isFinite else { return false }
            return lowerIsBetter ? ratio <= HostileSettings.p99RatioTarget : ratio >= HostileSettings.throughputRatioTarget
        }
    }

    /// The compared figures of one result (empty if it did not get that far).
    static func lines(_ result: HostileResult) -> [Line] {
        guard let base = result.baseline, let attacked = result.underAttack else { return [] }
        let ms = { (histogram: LatencyHistogram) in Double(histogram.percentile(0.99)) / 1e6 }
        var sends: [Line] = []
        if let before = base.sends, let after = attacked.sends {
            sends = [
                Line(key: "send_p99_ms", name: "honest business send p99 (paced)", baseline: ms(before.latency), attacked: ms(after.latency),
                     lowerIsBetter: true, unit: "ms"),
                Line(key: "send_throughput", name: "honest business sends answered/s", baseline: before.throughput, attacked: after.throughput,
                     lowerIsBetter: false, unit: "/s"),
            ]
        }
        return [
            Line(key: "relay_throughput", name: "relay envelopes/s, saturating", baseline: base.relay.saturated.throughput,
                 attacked: attacked.relay.saturated.throughput, lowerIsBetter: false, unit: "/s"),
            Line(key: "relay_p99_ms", name: String(format: "relay p99 at %.0f envelopes/s", base.relay.pacedRate), baseline: ms(base.relay.paced.latency),
                 attacked: ms(attacked.relay.paced.latency), lowerIsBetter: true, unit: "ms"),
            Line(key: "report_p99_ms", name: "report POST p99 (paced)", baseline: ms(base.reports.latency), attacked: ms(attacked.reports.latency), lowerIsBetter: true, unit: "ms"),
            Line(key: "report_throughput", name: "report POSTs answered/s", baseline: base.reports.throughput, attacked: attacked.reports.throughput,
                 lowerIsBetter: false, unit: "/s"),
        ] + sends
    }

    /// Whether both children's peak RSS stayed within the bound under attack.
    func rssWithinBound(_ condition: HostileCondition) -> Bool {
        (condition.peakRSSMiB ?? .infinity) <= settings.rssLimitMiB
            && (condition.sends == nil || (condition.cloudAPIPeakRSSMiB ?? .infinity) <= settings.rssLimitMiB)
    }

    /// Honest business sends that failed in either condition.
    static func sendFailures(_ result: HostileResult) -> Int {
        (result.baseline?.sends?.failures ?? 0) + (result.underAttack?.sends?.failures ?? 0)
    }

    /// Envelopes the relay acknowledged but never delivered: 0 whenever the run completed, since
    /// each phase ends only once every envelope sent was delivered (else the run fails).
    static func envelopesSent(_ result: HostileResult) -> Int {
        (result.baseline?.relay.sent ?? 0) + (result.underAttack?.relay.sent ?? 0)
    }

    /// Reports acknowledged and not counted (nil if not checked).
    static func reportsLost(_ result: HostileResult) -> Int? {
        result.reportsCounted.map { max(0, result.reportsAcknowledged - $0) }
    }

    /// Whether every target holds for `result`.
    func passed(_ result: HostileResult) -> Bool {
        guard result.failure == nil, let attacked = result.underAttack else { return false }
        return Self.lines(result).allSatisfy(\.met) && rssWithinBound(attacked) && Self.reportsLost(result) == 0
            && attacked.reports.failures == 0 && (result.baseline?.reports.failures ?? 1) == 0
            && (result.sendsLost ?? 0) == 0 && Self.sendFailures(result) == 0
    }

    var text: String {
        var out: [String] = []
        out.append("Hostile load on a `vigil serve` child over loopback: honest traffic = \(settings.pairs) relay pairs "
            + "(\(settings.payloadSize)-byte envelopes, window \(settings.window)) + \(Self.format(settings.reportRate)) report POSTs/s; "
            + "\(Self.format(settings.seconds)) s per phase after \(Self.format(settings.warmup)) s warm-up. "
            + "Targets under attack: p99 ≤ \(Self.format(HostileSettings.p99RatioTarget))×, throughput ≥ \(Self.format(HostileSettings.throughputRatioTarget))×, "
            + "peak RSS ≤ \(Self.format(settings.rssLimitMiB)) MiB, nothing acknowledged lost.")
        for result in results {
            out.append("")
            out.append("\(result.attack.rawValue) (\(result.scale)): \(result.attack.summary)")
            for line in Self.lines(result) {
                let digits = line.unit == "ms" ? "%.2f" : "%.0f"
                let target = line.lowerIsBetter ? "≤ \(Self.format(HostileSettings.p99RatioTarget))×" : "≥ \(Self.format(HostileSettings.throughputRatioTarget))×"
                out.append("  " + line.name.padding(toLength: 34, withPad: " ", startingAt: 0)
                    + (String(format: digits, line.baseline) + " → " + String(format: digits, line.attacked) + " " + line.unit)
                        .padding(toLength: 26, withPad: " ", startingAt: 0)
                    + String(format: "%5.2f×  ", line.ratio) + "(target \(target)) " + (line.met ? "ok" : "MISSED"))
            }
            if let base = result.baseline, let attacked = result.underAttack {
                let peak = attacked.peakRSSMiB.map { String(format: "%.1f", $0) } ?? "?"
                let before = base.peakRSSMiB.map { String(format: "%.1f", $0) } ?? "?"
                let ok = (attacked.peakRSSMiB ?? .infinity) <= settings.rssLimitMiB
                out.append("  peak RSS of vigil serve          \(before) MiB alone → \(peak) MiB with the attack (bound \(Self.format(settings.rssLimitMiB)) MiB) "
                    + (ok ? "ok" : "MISSED"))
                let cpu = { (value: Double?) in value.map { String(format: "%.2f", $0) } ?? "?" }
                out.append("  CPU of vigil serve (cores)       \(cpu(base.serveCPU)) alone → \(cpu(attacked.serveCPU)) with the attack"
                    + (attacked.cloudAPICPU != nil ? "; vigil cloudapi \(cpu(base.cloudAPICPU)) → \(cpu(attacked.cloudAPICPU))" : ""))
                if let after = attacked.cloudAPIPeakRSSMiB {
                    let before = base.cloudAPIPeakRSSMiB.map { String(format: "%.1f", $0) } ?? "?"
                    out.append("  peak RSS of vigil cloudapi       \(before) MiB alone → \(String(format: "%.1f", after)) MiB with the attack "
                        + (after <= settings.rssLimitMiB ? "ok" : "MISSED"))
                }
                let lost = Self.reportsLost(result).map(String.init) ?? "?"
                out.append("  acknowledged data lost           0 of \(Self.envelopesSent(result)) envelopes sent (all delivered); "
                    + "\(lost) of \(result.reportsAcknowledged) reports acknowledged (counted_reports \(result.reportsCounted.map(String.init) ?? "?"))")
                if let lost = result.sendsLost {
                    out.append("  business sends lost              \(lost) of \(result.sendsAcknowledged) answered 200 (each checked on its user's phone)")
                }
                if Self.sendFailures(result) > 0 {
                    out.append("  honest business sends failed     \(Self.sendFailures(result)) (first: "
                        + "\(attacked.sends?.firstFailure ?? base.sends?.firstFailure ?? "?"))")
                }
                let failures = base.reports.failures + attacked.reports.failures
                if failures > 0 {
                    out.append("  honest report POSTs failed       \(failures) (first: \(attacked.reports.firstFailure ?? base.reports.firstFailure ?? "?"))")
                }
                if base.reports.exhausted || attacked.reports.exhausted { out.append("  note: the honest reporters ran out before the end") }
            }
            if !result.attackCounters.isEmpty {
                out.append("  attack: " + result.attackCounters.map { "\($0.0) \($0.1)" }.joined(separator: ", "))
            }
            if let failure = result.failure { out.append("  FAILED: \(failure)") }
            out.append("  vigil serve exit status after SIGTERM: " + (result.exitStatus.map(String.init) ?? "killed"))
            if result.attack.needsCloudAPI {
                out.append("  vigil cloudapi exit status after SIGTERM: " + (result.cloudAPIExitStatus.map(String.init) ?? "killed"))
            }
            out.append("  verdict: " + (passed(result) ? "every target met" : "target missed"))
        }
        return out.joined(separator: "\n")
    }

    var json: String {
        var root: [String] = []
        for result in results {
            var object = JSONObject()
            object.set("attack", result.attack.rawValue)
            object.set("scale", result.scale)
            for line in Self.lines(result) {
                object.set(line.key + "_baseline", line.baseline)
                object.set(line.key + "_attack", line.attacked)
                object.set(line.key + "_ratio", line.ratio)
            }
            if let value = result.baseline?.peakRSSMiB { object.set("peak_rss_mib_baseline", value) }
            if let value = result.underAttack?.peakRSSMiB { object.set("peak_rss_mib_attack", value) }
            object.set("rss_limit_mib", settings.rssLimitMiB)
            object.set("envelopes_sent", Self.envelopesSent(result))
            object.set("reports_acknowledged", result.reportsAcknowledged)
            if let counted = result.reportsCounted { object.set("reports_counted", counted) }
            if let lost = result.sendsLost {
                object.set("sends_acknowledged", result.sendsAcknowledged)
                object.set("sends_lost", lost)
                object.set("send_failures", Self.sendFailures(result))
            }
            if let value = result.baseline?.cloudAPIPeakRSSMiB { object.set("cloudapi_peak_rss_mib_baseline", value) }
            if let value = result.underAttack?.cloudAPIPeakRSSMiB { object.set("cloudapi_peak_rss_mib_attack", value) }
            if let value = result.baseline?.serveCPU { object.set("serve_cpu_cores_baseline", value) }
            if let value = result.underAttack?.serveCPU { object.set("serve_cpu_cores_attack", value) }
            if let value = result.baseline?.cloudAPICPU { object.set("cloudapi_cpu_cores_baseline", value) }
            if let value = result.underAttack?.cloudAPICPU { object.set("cloudapi_cpu_cores_attack", value) }
            for (name, value) in result.attackCounters { object.set("attack_" + name.replacingOccurrences(of: " ", with: "_"), value) }
            if let failure = result.failure { object.set("failure", failure) }
            object.set("passed", passed(result))
            root.append(object.text)
        }
        return "{\"results\":[" + root.joined(separator: ",") + "]}"
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.2g", value)
    }
}

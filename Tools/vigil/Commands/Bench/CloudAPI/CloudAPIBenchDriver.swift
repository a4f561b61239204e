import Glibc
import Transport

/// One direction's figures: the saturating window, the paced one at half its rate, and the paced
/// one at half the throughput target.
struct CloudAPIPhaseFigures: Sendable {
    /// Which way the messages went.
    var directions: CloudAPIBenchDirections
    /// Every flow keeps W messages in flight (per direction).
    var saturated: CloudAPIWindow
    /// The paced phase's target: half the saturated throughput.
    var pacedRate: Double
    /// Open loop at `pacedRate`.
    var paced: CloudAPIWindow
    /// Open loop at ``CloudAPIBenchDriver/targetPacedRate`` — "p99 ≤ 20 ms at half of that rate",
    /// that rate being the 5 000 messages/s of the target itself.
    var atHalfTarget: CloudAPIWindow
}

/// Runs the phases from the orchestrating thread: per direction, saturate (warm-up, measured
/// window, drain), then pace at half the measured rate, then at half the target rate (each:
/// warm-up, measured window, drain).
struct CloudAPIBenchDriver {
    let system: CloudAPIBenchSystem
    let window: Int
    let warmup: Double
    let seconds: Double
    /// In the paced phase a flow this far behind skips sends instead of queueing more.
    static let pacedCap = 1024
    /// Half the 5 000 messages/s: the rate its latency target names.
    static let targetPacedRate = CloudAPIBenchReport.throughputTarget / 2

    func run(_ directions: CloudAPIBenchDirections) throws(CLIError) -> CloudAPIPhaseFigures {
        let name = directions.label
        let window = self.window
        Console.progress("  \(name): saturating (\(window) in flight per flow and direction) …")
        let saturated = try measure(name) { $0.startSaturating(window: window, directions: directions) }
        let rate = saturated.throughput / 2
        Console.progress("  \(name): " + String(format: "%.0f messages/s (p99 %.1f ms); paced at %.0f/s …",
                                                saturated.throughput, Double(saturated.latency.percentile(0.99)) / 1e6, rate))
        let paced = try measure(name) { $0.startPaced(totalRate: rate, cap: Self.pacedCap, directions: directions) }
        Self.report(name, paced)
        let target = Self.targetPacedRate
        Console.progress("  \(name): " + String(format: "paced at %.0f/s (half the target rate) …", target))
        let atHalfTarget = try measure(name) { $0.startPaced(totalRate: target, cap: Self.pacedCap, directions: directions) }
        Self.report(name, atHalfTarget)
        return CloudAPIPhaseFigures(directions: directions, saturated: saturated, pacedRate: rate, paced: paced, atHalfTarget: atHalfTarget)
    }

    private static func report(_ name: String, _ window: CloudAPIWindow) {
        Console.progress("  \(name): " + String(format: "p50 %.2f ms, p99 %.2f ms at %.0f/s",
                                                Double(window.latency.percentile(0.5)) / 1e6,
                                                Double(window.latency.percentile(0.99)) / 1e6, window.throughput))
    }

    private func measure(_ name: String, start: @escaping @Sendable (CloudAPILoadGenerator) -> Void) throws(CLIError) -> CloudAPIWindow {
        let generator = system.generator
        let load = system.load
        _ = load.call { start(generator.value) }
        try sleep(seconds: warmup)
        let cpuBefore = Self.cpuSeconds()
        let threadsBefore = ProcessCPU.snapshot()
        let stealBefore = CPUStealSnapshot.now()
        _ = load.call { generator.value.beginWindow() }
        try sleep(seconds: seconds)
        guard var figures = load.call({ generator.value.endWindow() }) else {
            throw CLIError("\(name): the load generator's loop stopped")
        }
        figures.cpuSeconds = Self.cpuSeconds() - cpuBefore
        figures.threadCPUSeconds = ProcessCPU.difference(ProcessCPU.snapshot(), threadsBefore)
        if let stealBefore, let stealAfter = CPUStealSnapshot.now() { figures.stealFraction = stealAfter.stealFraction(since: stealBefore) }
        _ = load.call { generator.value.stopSending() }
        // Drained: every message arrived, every POST was answered and every `sent` status reached
        // the webhook — so the next phase does not start behind this one's webhook backlog.
        try system.waitOrThrow(seconds: 120, "\(name): draining the messages, answers and statuses in flight") {
            $0.outstanding == 0 && $0.totalAccepted >= $0.totalSent.outbound && $0.totalStatuses >= $0.totalAccepted
        }
        return figures
    }

    /// Sleeps in slices, throwing as soon as the generator reports a failure.
    private func sleep(seconds: Double) throws(CLIError) {
        let deadline = SystemClock().now() + .seconds(seconds)
        while true {
            try system.check()
            let now = SystemClock().now()
            guard now < deadline else { return }
            sleepThread(for: min(deadline - now, Duration.milliseconds(250)))
        }
    }

    /// This process's CPU time so far (user + system, every thread), in seconds.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
}

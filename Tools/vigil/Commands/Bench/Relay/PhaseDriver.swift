import Foundation
import Transport

/// The figures of one system: its saturating phase, and its paced phase at half that rate.
struct PhaseFigures: Sendable {
    /// The saturating window.
    var saturated: WindowFigures
    /// The paced phase's target rate (half the saturated throughput), messages per second.
    var pacedRate: Double
    /// The paced window.
    var paced: WindowFigures
    /// Messages the load generator sent over both phases, warm-ups included.
    var sent: Int
}

/// Runs the phases against one system from the orchestrating thread: a fresh load generator
/// connects K pairs, saturates (warm-up, measured window, drain), then paces at half the measured
/// rate (warm-up, measured window, drain), and closes.
struct PhaseDriver: Sendable {
    /// The load generator's thread.
    let load: LoadThread
    /// Sender/receiver pairs.
    let pairs: Int
    /// Payload bytes per message.
    let payloadSize: Int
    /// Messages in flight per sender when saturating.
    let window: Int
    /// Unmeasured seconds before each measured window.
    let warmup: Double
    /// Measured seconds per phase.
    let seconds: Double
    /// In the paced phase a pair this far behind skips sends instead of queueing more.
    static let pacedCap = 4096

    /// Connects, measures both phases, closes. Throws on any failure the generator saw. The CPU
    /// time of `server` (a reference server's process), if given, is measured with the windows.
    /// The paced phase runs at `pacedRate` messages per second if given (to compare two runs at
    /// one rate), else at half the saturated throughput.
    func run(
        _ system: BenchSystem, name: String, server: (name: String, pid: Int32)? = nil, pacedRate: Double? = nil
    ) throws(CLIError) -> PhaseFigures {
        let loop = load.loop
        let pairs = self.pairs
        let payloadSize = self.payloadSize
        let made = load.call { () -> Result<LoopBound<LoadGenerator>, CLIError> in
            do throws(CLIError) {
                let generator = try LoadGenerator(loop: loop, system: system, pairs: pairs, payloadSize: payloadSize)
                do throws(SystemError) {
                    try generator.connect()
                } catch {
                    generator.closeAll()
                    throw CLIError("\(name): cannot connect: \(error)")
                }
                return .success(LoopBound(generator, on: loop))
            } catch {
                return .failure(error)
            }
        }
        guard let made else { throw CLIError("\(name): the load generator's loop stopped") }
        let generator = try made.get()
        defer { close(generator) }

        let ready = load.wait(timeout: .seconds(10)) { () -> Bool? in
            generator.value.failure != nil || generator.value.allReady ? true : nil
        }
        try check(generator, name)
        guard ready != nil else { throw CLIError("\(name): pairs not registered / subscribed within 10 s") }

        let window = self.window
        Console.progress("  \(name): \(pairs) pairs ready; saturating (window \(window)) …")
        let saturated = try measure(generator, name, server: server) { $0.startSaturating(window: window) }
        let rate = pacedRate ?? saturated.throughput / 2
        Console.progress("  \(name): " + String(format: "%.0f envelopes/s; paced at %.0f/s …", saturated.throughput, rate))
        let paced = try measure(generator, name, server: server) { $0.startPaced(totalRate: rate, cap: Self.pacedCap) }
        let p99 = Double(paced.latency.percentile(0.99)) / 1e6
        Console.progress("  \(name): " + String(format: "p99 %.3f ms at %.0f/s", p99, paced.throughput))
        let sent = load.call { generator.value.totalSent } ?? 0
        return PhaseFigures(saturated: saturated, pacedRate: rate, paced: paced, sent: sent)
    }

    /// Starts a phase, warms up, measures for `seconds` (with the CPU time spent meanwhile), stops
    /// sending and waits for the drain.
    private func measure(
        _ generator: LoopBound<LoadGenerator>, _ name: String, server: (name: String, pid: Int32)?,
        start: @escaping @Sendable (LoadGenerator) -> Void
    ) throws(CLIError) -> WindowFigures {
        _ = load.call { start(generator.value) }
        try sleep(seconds: warmup, watching: generator, name)
        let cpuBefore = ProcessCPU.snapshot(server: server)
        _ = load.call { generator.value.beginWindow() }
        try sleep(seconds: seconds, watching: generator, name)
        guard var figures = load.call({ generator.value.endWindow() }) else {
            throw CLIError("\(name): the load generator's loop stopped")
        }
        figures.cpuSeconds = ProcessCPU.difference(ProcessCPU.snapshot(server: server), cpuBefore)
        _ = load.call { generator.value.stopSending() }
        let drained = load.wait(timeout: .seconds(60)) { () -> Bool? in
            generator.value.failure != nil || generator.value.outstanding == 0 ? true : nil
        }
        try check(generator, name)
        guard drained != nil else { throw CLIError("\(name): messages still undelivered 60 s after the phase") }
        return figures
    }

    /// Sleeps `seconds` in slices, throwing as soon as the generator reports a failure.
    private func sleep(seconds: Double, watching generator: LoopBound<LoadGenerator>, _ name: String) throws(CLIError) {
        let deadline = SystemClock().now() + .seconds(seconds)
        while true {
            try check(generator, name)
            let now = SystemClock().now()
            guard now < deadline else { return }
            sleepThread(for: min(deadline - now, Duration.milliseconds(250)))
        }
    }

    /// Throws the generator's first failure, if any.
    private func check(_ generator: LoopBound<LoadGenerator>, _ name: String) throws(CLIError) {
        if let failure = load.call({ generator.value.failure }) ?? nil {
            throw CLIError("\(name): \(failure)")
        }
    }

    /// Closes every connection and waits (up to 5 s) until they are gone.
    private func close(_ generator: LoopBound<LoadGenerator>) {
        _ = load.call { generator.value.closeAll() }
        _ = load.wait(timeout: .seconds(5)) { () -> Bool? in generator.value.connectedCount == 0 ? true : nil }
    }
}

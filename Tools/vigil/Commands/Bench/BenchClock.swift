import Glibc

/// Monotonic time and process statistics for benchmarks.
enum BenchClock {
    /// Nanoseconds on the monotonic clock.
    static func now() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    /// Runs `body` `repetitions` times and returns the best wall time in nanoseconds.
    static func best(of repetitions: Int, _ body: () -> Void) -> UInt64 {
        var best = UInt64.max
        for _ in 0..<repetitions {
            let start = now()
            body()
            best = min(best, now() - start)
        }
        return best
    }

    /// Nanoseconds of CPU time the calling thread used so far (immune to other processes on a
    /// shared machine).
    static func threadCPUNanoseconds() -> UInt64 {
        var spec = timespec()
        precondition(clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec) == 0, "no per-thread CPU clock")
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    /// Operations per CPU second of `body` (the calling thread's CPU time): 10 calls to warm up,
    /// then batches of 16 until `seconds` of CPU time have passed. `openssl speed` divides by user
    /// CPU time too, so its figures compare.
    static func operationsPerCPUSecond(seconds: Double, _ body: () throws -> Void) rethrows -> Double {
        for _ in 0..<10 { try body() }
        var operations = 0
        let start = threadCPUNanoseconds()
        let budget = UInt64(seconds * 1e9)
        var elapsed: UInt64 = 0
        while elapsed < budget {
            for _ in 0..<16 { try body() }
            operations += 16
            elapsed = threadCPUNanoseconds() - start
        }
        return Double(operations) / (Double(elapsed) / 1e9)
    }

    /// Peak resident set size of this process in MiB.
    static func peakRSSMiB() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_maxrss) / 1024
    }

    /// Prints a loud warning when this is not an optimized build.
    static func warnIfDebug() {
        #if DEBUG
        Console.progress("""
            ************************************************************************
            WARNING: this is a DEBUG build; figures are meaningless.
            Run: swift run -c release vigil bench …
            ************************************************************************
            """)
        #endif
    }
}

/// Keeps a value alive so the optimizer cannot drop the work that produced it.
@inline(never)
func blackHole<T>(_ value: T) {
    withExtendedLifetime(value) {}
}

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

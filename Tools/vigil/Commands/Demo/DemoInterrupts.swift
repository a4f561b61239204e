import Glibc
import Transport

/// SIGINT and SIGTERM during a demo: blocked before any thread starts (so every thread inherits
/// the mask) and received only by the main thread's waits, which turn them into
/// ``DemoError/interrupted(by:)`` so the run unwinds through its cleanup (relay child stopped,
/// endpoint closed, temporary directory removed).
final class DemoInterrupts {
    private var set = sigset_t()
    /// The signal received, once one was.
    private(set) var received: String?

    /// Blocks SIGINT and SIGTERM for this thread and every thread started after.
    init() {
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Waits up to `duration` for SIGINT or SIGTERM; returns its name if one arrived (now or before).
    func wait(upTo duration: Duration) -> String? {
        if let received { return received }
        let (seconds, attoseconds) = duration.components
        var timeout = timespec(tv_sec: Int(max(0, seconds)), tv_nsec: Int(max(0, attoseconds / 1_000_000_000)))
        let signal = sigtimedwait(&set, nil, &timeout)
        if signal == SIGINT { received = "SIGINT" }
        if signal == SIGTERM { received = "SIGTERM" }
        return received
    }

    /// Throws ``DemoError/interrupted(by:)`` if a signal arrives within `duration`.
    func check(waiting duration: Duration = .zero) throws(DemoError) {
        if let signal = wait(upTo: duration) { throw DemoError.interrupted(by: signal) }
    }

    /// Polls `condition` every `interval` until it is true (returns true) or `timeout` passes
    /// (returns false); throws if interrupted meanwhile.
    func poll(timeout: Duration, every interval: Duration = .milliseconds(50), _ condition: () -> Bool) throws(DemoError) -> Bool {
        let clock = SystemClock()
        let deadline = clock.now() + timeout
        while true {
            if condition() { return true }
            if clock.now() >= deadline { return false }
            try check(waiting: interval)
        }
    }
}

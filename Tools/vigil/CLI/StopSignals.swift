import Glibc

/// SIGINT/SIGTERM handling for long-running commands (`relay`, `cloudapi`): the signals are
/// blocked before any thread starts, so they are only ever received by ``wait(statusEvery:status:)``
/// on the main thread, which also prints a periodic status line.
struct StopSignals {
    private var set = sigset_t()

    /// Blocks SIGINT and SIGTERM for this thread and every thread started after.
    init() {
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Waits for SIGINT or SIGTERM, printing `status()` every `seconds` (0: never); returns the
    /// signal's name.
    mutating func wait(statusEvery seconds: Int, status: () -> String?) -> String {
        while true {
            var timeout = timespec(tv_sec: seconds == 0 ? 3600 : seconds, tv_nsec: 0)
            let signal = sigtimedwait(&set, nil, &timeout)
            if signal == SIGINT { return "SIGINT" }
            if signal == SIGTERM { return "SIGTERM" }
            if seconds > 0, let line = status() { Console.progress(line) }
        }
    }
}

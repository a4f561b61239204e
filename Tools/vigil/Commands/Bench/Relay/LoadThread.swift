import Glibc
import Synchronization
import Transport

/// The load generator's own event-loop thread, and synchronous calls into it from the thread
/// that runs the benchmark's phases.
final class LoadThread: Sendable {
    private let thread: EventLoopThread

    /// Starts the thread.
    init() throws(SystemError) {
        thread = try EventLoopThread(name: "vigil-bench-load")
    }

    /// Starts the thread for a bench command: a failure is the command's error.
    static func start() throws(CLIError) -> LoadThread {
        do throws(SystemError) {
            return try LoadThread()
        } catch {
            throw CLIError("cannot start the load generator's thread: \(error)")
        }
    }

    /// The loop.
    var loop: EventLoop { thread.loop }

    /// Runs `body` on the loop, waits for it, and returns its result; nil if the loop has stopped.
    func call<Result: Sendable>(_ body: @escaping @Sendable () -> Result) -> Result? {
        let box = ResultBox<Result>()
        guard thread.loop.executeAndWait({ box.store(body()) }) else { return nil }
        return box.take()
    }

    /// Polls `condition` on the loop every 10 ms until it returns non-nil or `timeout` passes.
    func wait<Result: Sendable>(timeout: Duration, _ condition: @escaping @Sendable () -> Result?) -> Result? {
        let deadline = SystemClock().now() + timeout
        repeat {
            if let result = call(condition), let result { return result }
            sleepThread(for: .milliseconds(10))
        } while SystemClock().now() < deadline
        return nil
    }

    /// Stops the loop and joins the thread.
    func stop() { thread.stopAndJoin() }
}

/// Sleeps the calling thread (never a loop thread) for `duration`.
func sleepThread(for duration: Duration) {
    let nanoseconds = max(0, duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    var request = timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
    var remaining = timespec()
    while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
}

/// A value handed from the loop thread to the waiting thread.
private final class ResultBox<Value: Sendable>: Sendable {
    private let value = Mutex<Value?>(nil)

    func store(_ newValue: Value) { value.withLock { $0 = newValue } }

    func take() -> Value? { value.withLock { $0 } }
}

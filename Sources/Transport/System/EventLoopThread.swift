import CSystem
import Glibc

/// An event loop running on a thread of its own, for servers, tools and tests.
///
/// Set the loop up before creating this (listeners, timers — the thread start orders those
/// writes before the loop's), or later through `loop.execute`/`executeAndWait`. Call
/// `stopAndJoin()` before dropping the last reference.
public final class EventLoopThread: Sendable {
    /// The loop the thread runs.
    public let loop: EventLoop
    private let thread: pthread_t
    private let outcome = LockedValue<Outcome>(Outcome())

    private struct Outcome: Sendable {
        var error: SystemError?
        var joined = false
    }

    /// Starts a thread running `loop.run()`.
    ///
    /// The corresponding C function is `pthread_create`.
    public init(loop: EventLoop, name: String = "vigil-loop") throws(SystemError) {
        self.loop = loop
        let outcome = self.outcome
        let body: @Sendable () -> Void = {
            do throws(SystemError) {
                try loop.run()
            } catch {
                outcome.withLock { $0.error = error }
            }
        }
        let context = Unmanaged.passRetained(ThreadBody(body, name: name)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { context in
            guard let context else { return nil }
            let body = Unmanaged<ThreadBody>.fromOpaque(context).takeRetainedValue()
            _ = vigil_set_thread_name(body.name)
            body.run()
            return nil
        }, context)
        guard result == 0 else {
            Unmanaged<ThreadBody>.fromOpaque(context).release()
            throw SystemError(call: "pthread_create", errno: Errno(rawValue: result))
        }
        self.thread = thread
    }

    /// Creates a loop on `clock` and starts its thread.
    public convenience init(clock: any MonotonicClock = SystemClock(), name: String = "vigil-loop") throws(SystemError) {
        try self.init(loop: EventLoop(clock: clock), name: name)
    }

    /// Stops the loop, waits for its thread to finish shutting down, and returns the error that
    /// ended `run()`, if any. Idempotent; must not be called on the loop thread.
    ///
    /// The corresponding C function is `pthread_join`.
    @discardableResult
    public func stopAndJoin() -> SystemError? {
        precondition(!loop.inEventLoop, "stopAndJoin on the loop's own thread would deadlock")
        loop.stop()
        let mustJoin = outcome.withLock { state -> Bool in
            defer { state.joined = true }
            return !state.joined
        }
        if mustJoin {
            pthread_join(thread, nil)
        }
        return outcome.withLock { $0.error }
    }
}

/// The closure a new thread runs, boxed to cross `pthread_create`'s `void *`.
private final class ThreadBody: Sendable {
    let run: @Sendable () -> Void
    let name: String

    init(_ run: @escaping @Sendable () -> Void, name: String) {
        self.run = run
        self.name = name
    }
}

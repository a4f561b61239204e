import Synchronization
import Transport

/// An event-loop thread of the demo (phones, business servers) with synchronous calls into it
/// from the main thread.
final class DemoLoopThread: Sendable {
    private let thread: EventLoopThread

    /// Starts the thread.
    init(name: String) throws(DemoError) {
        do throws(SystemError) {
            thread = try EventLoopThread(name: name)
        } catch {
            throw DemoError("cannot start the \(name) thread: \(error)")
        }
    }

    /// The loop.
    var loop: EventLoop { thread.loop }

    /// Runs `body` on the loop, waits for it, and returns its result; nil if the loop has stopped.
    func call<Result: Sendable>(_ body: @escaping @Sendable () -> Result) -> Result? {
        let box = DemoResultBox<Result>()
        guard thread.loop.executeAndWait({ box.store(body()) }) else { return nil }
        return box.value
    }

    /// Stops the loop and joins the thread.
    func stop() { thread.stopAndJoin() }
}

/// A value handed from a loop thread to the waiting thread.
final class DemoResultBox<Value: Sendable>: Sendable {
    private let storage = Mutex<Value?>(nil)

    /// Stores `value`.
    func store(_ value: Value) { storage.withLock { $0 = value } }

    /// The stored value.
    var value: Value? { storage.withLock { $0 } }
}

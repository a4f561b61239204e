import Foundation
import Synchronization

/// A thread of the hostile-load bench (an honest reporter, an attacker) that runs `body` until
/// ``stop()`` is called or a deadline passes; `body` polls ``shouldStop`` between steps and must
/// return soon after it turns true. Blocking I/O only: every step has its own timeout.
final class HostileWorker: Sendable {
    private let stopping = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    private let deadline: ContinuousClock.Instant

    /// Starts a thread named `name` running `body`; it is told to stop after `limit` at most
    /// (the bench's bound on every attack, whatever happens to the orchestrating thread).
    init(name: String, limit: Duration, _ body: @escaping @Sendable (HostileWorker) -> Void) {
        deadline = ContinuousClock.now + limit
        let thread = Thread { [self] in
            body(self)
            finished.signal()
        }
        thread.name = name
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// True once ``stop()`` was called or the time limit passed.
    var shouldStop: Bool { stopping.load(ordering: .acquiring) || ContinuousClock.now >= deadline }

    /// Tells the thread to stop and waits until its body has returned.
    func stop() {
        stopping.store(true, ordering: .releasing)
        finished.wait()
        finished.signal()  // a second stop() returns at once
    }
}

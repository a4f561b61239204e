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

extension HostileWorker {
    /// Runs `body` on the calling thread while `work` runs on a worker thread named `name`
    /// (stopped after `limit` at most); the worker is stopped once `body` returns or throws.
    static func running<T>(
        name: String, limit: Duration, _ work: @escaping @Sendable (HostileWorker) -> Void, during body: () throws(CLIError) -> T
    ) throws(CLIError) -> T {
        let worker = HostileWorker(name: name, limit: limit, work)
        defer { worker.stop() }
        return try body()
    }

    /// An open loop at `rate` per second from `started` (`BenchClock` nanoseconds): calls
    /// `issue(due)` for each scheduled instant once it has come, sleeping in between (a late
    /// issue is not skipped — the latency it is charged from `due` shows the server fell behind),
    /// until ``shouldStop`` or `issue` returns false.
    func paced(rate: Double, started: UInt64, _ issue: (_ due: UInt64) -> Bool) {
        let interval = UInt64(1e9 / rate)
        var issued: UInt64 = 0
        while !shouldStop {
            let due = started + issued * interval
            let now = BenchClock.now()
            if now < due {
                sleepThread(for: .nanoseconds(Int64(min(due - now, 50_000_000))))
                continue
            }
            issued += 1
            guard issue(due) else { return }
        }
    }
}

import Glibc
import Integrity
import Transport
import Synchronization

/// `vigil serve`'s process core: the relay and the integrity analyzer on one event-loop thread —
/// the analyzer is the relay's metadata sink and admission policy, so it sees every event the
/// relay commits, in order, with no queue between them — and the analyzer's HTTP API on the same
/// loop, so requests read the analyzer's state without locks.
final class ServeHost: Sendable {
    /// The relay's bound address.
    let relayAddress: SocketAddress
    /// The HTTP API's bound address.
    let httpAddress: SocketAddress
    private let thread: EventLoopThread
    private let parts: LoopBound<ServeParts>
    private let stopped = Mutex(false)

    private init(relayAddress: SocketAddress, httpAddress: SocketAddress, thread: EventLoopThread, parts: LoopBound<ServeParts>) {
        self.relayAddress = relayAddress
        self.httpAddress = httpAddress
        self.thread = thread
        self.parts = parts
    }

    /// Starts everything described by `options`; throws with the first failure (nothing is left
    /// running then).
    static func start(_ options: ServeOptions) throws -> ServeHost {
        let thread = try EventLoopThread(name: "vigil-serve")
        let outcome = thread.loop.executeAndWaitReturning { () -> Result<LoopBound<ServeParts>, SendableError> in
            do {
                return .success(LoopBound(try ServeParts(options: options, on: thread.loop), on: thread.loop))
            } catch {
                return .failure(SendableError(description: "\(error)"))
            }
        }
        switch outcome {
        case let .success(parts)?:
            let addresses = thread.loop.executeAndWaitReturning { (parts.value.relay.address, parts.value.http.address) }
            guard let (relayAddress, httpAddress) = addresses else {
                thread.stopAndJoin()
                throw SendableError(description: "the serve loop stopped while starting")
            }
            return ServeHost(relayAddress: relayAddress, httpAddress: httpAddress, thread: thread, parts: parts)
        case let .failure(error)?:
            thread.stopAndJoin()
            throw error
        case nil:
            thread.stopAndJoin()
            throw SendableError(description: "the serve loop did not start")
        }
    }

    /// Runs `body` on the loop with the parts and returns its result.
    func withParts<Result: Sendable>(_ body: @escaping @Sendable (ServeParts) -> Result) -> Result? {
        let parts = self.parts
        return thread.loop.executeAndWaitReturning { body(parts.value) }
    }

    /// Stops cleanly: HTTP drains (≤ 2 s), the relay says 501 to its clients and commits, the
    /// analyzer's sinks flush, the thread is joined. Idempotent; not from the loop's own thread.
    func stop() {
        let first = stopped.withLock { state -> Bool in
            defer { state = true }
            return !state
        }
        guard first else { return }
        let parts = self.parts
        let done = Mutex(false)
        let queued = thread.loop.execute {
            parts.value.shutdown { done.withLock { $0 = true } }
        }
        // A loop that already stopped runs nothing: nothing to wait for.
        guard queued else {
            thread.stopAndJoin()
            return
        }
        while !done.withLock({ $0 }) {
            var request = timespec(tv_sec: 0, tv_nsec: 2_000_000)
            nanosleep(&request, nil)
        }
        thread.stopAndJoin()
    }

    deinit { stop() }
}

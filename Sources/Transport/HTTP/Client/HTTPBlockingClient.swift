import Dispatch

/// An ``HTTPClient`` on a thread of its own with a blocking ``execute(_:)``: for tools, tests
/// and scripts. Not for use on an event loop's thread (it blocks).
///
/// Connections are pooled across calls, as in the client it wraps. Call ``close()`` (or drop
/// the last reference) to shut the client down and join its thread.
public final class HTTPBlockingClient: Sendable {
    private let thread: EventLoopThread
    private let client: LoopBound<HTTPClient>
    private let closed = LockedValue(false)

    /// Starts a loop thread with a client using `configuration`.
    public init(configuration: HTTPClientConfiguration = HTTPClientConfiguration()) throws(SystemError) {
        let thread = try EventLoopThread(name: "vigil-http-client")
        let box = LockedValue<LoopBound<HTTPClient>?>(nil)
        _ = thread.loop.executeAndWait {
            box.withLock { $0 = LoopBound(HTTPClient(on: thread.loop, configuration: configuration), on: thread.loop) }
        }
        guard let client = box.withLock({ $0 }) else {
            thread.stopAndJoin()
            throw SystemError(call: "EventLoop.executeAndWait", errno: .shutDown)
        }
        self.thread = thread
        self.client = client
    }

    /// Sends `request` and waits for the response (at most the request's timeout).
    public func execute(_ request: HTTPClientRequest) throws(HTTPClientError) -> HTTPClientResponse {
        let outcome = LockedValue<Result<HTTPClientResponse, HTTPClientError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let client = self.client
        let accepted = thread.loop.execute {
            client.value.execute(request) { result in
                outcome.withLock { $0 = result }
                done.signal()
            }
        }
        guard accepted else { throw .shutDown }
        done.wait()
        guard let result = outcome.withLock({ $0 }) else { throw .shutDown }
        return try result.get()
    }

    /// The client's counters; nil once closed.
    public var statistics: HTTPClientStatistics? {
        let client = self.client
        return thread.loop.executeAndWaitReturning { client.value.statistics }
    }

    /// Shuts the client down and joins its thread. Idempotent.
    public func close() {
        let first = closed.withLock { state -> Bool in
            defer { state = true }
            return !state
        }
        guard first else { return }
        let client = self.client
        _ = thread.loop.executeAndWait { client.value.shutdown() }
        thread.stopAndJoin()
    }

    deinit { close() }
}

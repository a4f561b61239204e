import Glibc

/// An ``HTTPServer`` on its own event-loop thread: the one-call way to run it (tools, tests).
///
/// ```swift
/// let host = try HTTPServerHost.start(HTTPServerConfiguration(listenAddress: address)) { loop in
///     var router = HTTPRouter()
///     router.add(.get, "/health") { _, responder in responder.respond(.text(.ok, "ok\n")) }
///     return router.handler
/// }
/// print(host.address)   // the bound address (port 0 → the ephemeral port)
/// host.stop()           // finish in-flight requests, close, join the thread
/// ```
public final class HTTPServerHost: Sendable {
    /// The bound address.
    public let address: SocketAddress
    private let thread: EventLoopThread
    private let server: LoopBound<HTTPServer>
    private let stopped = LockedValue(false)

    /// The loop the server runs on (for handlers that hop back to it).
    public var loop: EventLoop { thread.loop }

    private init(address: SocketAddress, thread: EventLoopThread, server: LoopBound<HTTPServer>) {
        self.address = address
        self.thread = thread
        self.server = server
    }

    /// Starts a thread, and on it a server with `configuration` whose handler `makeHandler`
    /// builds (on the loop thread, so the handler may keep loop-confined state).
    public static func start(
        _ configuration: HTTPServerConfiguration,
        makeHandler: @escaping @Sendable (EventLoop) -> HTTPHandler
    ) throws(SystemError) -> HTTPServerHost {
        let thread = try EventLoopThread(name: "vigil-http")
        let outcome = LockedValue<Result<LoopBound<HTTPServer>, SystemError>?>(nil)
        _ = thread.loop.executeAndWait {
            do throws(SystemError) {
                let server = try HTTPServer(configuration: configuration, on: thread.loop, handler: makeHandler(thread.loop))
                outcome.withLock { $0 = .success(LoopBound(server, on: thread.loop)) }
            } catch {
                outcome.withLock { $0 = .failure(error) }
            }
        }
        switch outcome.withLock({ $0 }) {
        case let .success(server)?:
            let address = thread.loop.executeAndWaitReturning { server.value.address }
            return HTTPServerHost(address: address ?? configuration.listenAddress, thread: thread, server: server)
        case let .failure(error)?:
            thread.stopAndJoin()
            throw error
        case nil:
            thread.stopAndJoin()
            throw SystemError(call: "EventLoop.executeAndWait", errno: .shutDown)
        }
    }

    /// Runs `body` with the server on its loop and returns its result (statistics, counts);
    /// nil once stopped.
    public func withServer<Result: Sendable>(_ body: @escaping @Sendable (HTTPServer) -> Result) -> Result? {
        let server = self.server
        return thread.loop.executeAndWaitReturning { body(server.value) }
    }

    /// The server's counters; nil once stopped.
    public var statistics: HTTPServerStatistics? {
        withServer { $0.statistics }
    }

    /// Stops the server (in-flight requests are answered within `gracePeriod`) and joins its
    /// thread. Idempotent; safe from any thread but the server's own.
    public func stop(gracePeriod: Duration = .seconds(5)) {
        let first = stopped.withLock { state -> Bool in
            defer { state = true }
            return !state
        }
        guard first else { return }
        let server = self.server
        let done = LockedValue(false)
        _ = thread.loop.execute {
            server.value.shutdown(gracePeriod: gracePeriod) { done.withLock { $0 = true } }
        }
        while !done.withLock({ $0 }) {
            var request = timespec(tv_sec: 0, tv_nsec: 2_000_000)
            nanosleep(&request, nil)
        }
        thread.stopAndJoin()
    }

    deinit { stop() }
}

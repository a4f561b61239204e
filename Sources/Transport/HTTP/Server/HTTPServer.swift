/// An HTTP/1.1 server on an event loop: accepts connections, parses requests strictly (see
/// ``HTTPRequestParser``), hands each complete request to the handler, and writes responses in
/// request order — keep-alive, pipelining, `Content-Length` and chunked request content,
/// `Expect: 100-continue`, the head/content limits (431, 413), head/content/idle timeouts
/// (408, silent close), precise 400s, and a lingering close after errors.
///
/// Plain HTTP only (no TLS). Loop-confined: create, use and stop it on its loop
/// (``HTTPServerHost`` runs one on a thread of its own).
public final class HTTPServer {
    /// The loop it runs on.
    public let loop: EventLoop
    /// The configuration it was started with.
    public let configuration: HTTPServerConfiguration
    /// The address actually bound (the ephemeral port when configured with port 0).
    public let address: SocketAddress
    /// Counters of what it did so far.
    public private(set) var statistics = HTTPServerStatistics()
    /// Set once ``shutdown(gracePeriod:completion:)`` ran.
    public private(set) var isShuttingDown = false

    let encoder: HTTPResponseEncoder
    private let handler: HTTPHandler
    private var listener: TCPListener?
    private var connections: [ObjectIdentifier: HTTPServerConnection] = [:]
    private var dateCache: (second: Int64, text: String) = (.min, "")

    /// Binds and starts listening; `handler` is called on `loop` for every request. Must run on
    /// `loop`.
    public init(configuration: HTTPServerConfiguration, on loop: EventLoop, handler: @escaping HTTPHandler) throws(SystemError) {
        loop.preconditionConfined()
        self.loop = loop
        self.configuration = configuration
        self.handler = handler
        encoder = HTTPResponseEncoder(serverName: configuration.serverName)
        let delegate = HTTPListenerDelegate()
        let listener = try TCPListener(
            bindingTo: configuration.listenAddress, on: loop,
            connectionOptions: configuration.effectiveConnectionOptions, delegate: delegate)
        self.listener = listener
        address = listener.localAddress
        delegate.server = self
    }

    /// Open connections.
    public var connectionCount: Int { connections.count }

    // MARK: Connections

    func accept(_ connection: TCPConnection) -> (any TCPConnectionDelegate)? {
        guard !isShuttingDown, connections.count < configuration.maximumConnections else {
            statistics.connectionsRefused += 1
            return nil
        }
        statistics.connectionsAccepted += 1
        let peer = HTTPServerConnection(connection: connection, server: self, sequence: UInt64(statistics.connectionsAccepted))
        connections[ObjectIdentifier(peer)] = peer
        // Events start after this returns; arm the idle timer right after.
        loop.enqueueLocalTask { [weak peer] in peer?.start() }
        return peer
    }

    func connectionClosed(_ peer: HTTPServerConnection) {
        connections[ObjectIdentifier(peer)] = nil
    }

    func dispatch(_ request: HTTPRequest, responder: HTTPResponder) {
        statistics.requests += 1
        handler(request, responder)
    }

    // MARK: Bookkeeping

    func noteResponse(_ status: HTTPStatus) {
        statistics.responses += 1
        switch status.code {
        case 400, 413, 417, 431, 501, 505: statistics.parseErrorResponses += 1
        default: break
        }
    }

    func noteTimeout(_ status: HTTPStatus) {
        if status == .requestTimeout { statistics.requestTimeouts += 1 } else { statistics.responseTimeouts += 1 }
    }

    func noteLateResponse() {
        statistics.ignoredResponses += 1
    }

    /// The `Date` value for now, formatted once per second.
    func currentDate() -> String {
        let second = configuration.wallClock()
        if second != dateCache.second {
            dateCache = (second, HTTPDate.format(secondsSinceEpoch: second))
        }
        return dateCache.text
    }

    // MARK: Stopping

    /// Stops accepting; idle connections close at once, busy ones after their current request
    /// is answered (with `Connection: close`); connections still open after `gracePeriod` are
    /// reset. Then calls `completion` on the loop.
    public func shutdown(gracePeriod: Duration = .seconds(5), completion: @escaping () -> Void) {
        loop.preconditionConfined()
        guard !isShuttingDown else { return }
        isShuttingDown = true
        listener?.close()
        listener = nil
        for peer in Array(connections.values) { peer.beginShutdown() }
        waitForDrain(until: loop.now() + gracePeriod, completion: completion)
    }

    private func waitForDrain(until deadline: MonotonicInstant, completion: @escaping () -> Void) {
        if connections.isEmpty || loop.now() >= deadline {
            for peer in Array(connections.values) { peer.connection.abort() }
            completion()
            return
        }
        loop.scheduleTimer(after: .milliseconds(10)) { [weak self] in
            self?.waitForDrain(until: deadline, completion: completion)
        }
    }
}

/// Counters an ``HTTPServer`` keeps.
public struct HTTPServerStatistics: Sendable, Hashable {
    /// All zero.
    public init() {}

    /// Connections accepted.
    public internal(set) var connectionsAccepted = 0
    /// Connections refused (over ``HTTPServerConfiguration/maximumConnections``, or stopping).
    public internal(set) var connectionsRefused = 0
    /// Complete requests handed to the handler.
    public internal(set) var requests = 0
    /// Responses written (including error responses; not `100 Continue`).
    public internal(set) var responses = 0
    /// Responses to requests the parser refused (400, 413, 417, 431, 501, 505).
    public internal(set) var parseErrorResponses = 0
    /// 408 responses: a head or its content did not arrive in time.
    public internal(set) var requestTimeouts = 0
    /// 503 responses: a handler did not respond in time.
    public internal(set) var responseTimeouts = 0
    /// Handler responses ignored (late, repeated, or for a closed connection).
    public internal(set) var ignoredResponses = 0
}

/// Hands accepted connections to the server.
final class HTTPListenerDelegate: TCPListenerDelegate {
    weak var server: HTTPServer?

    func listener(_ listener: TCPListener, didAccept connection: TCPConnection) -> (any TCPConnectionDelegate)? {
        server?.accept(connection)
    }
}

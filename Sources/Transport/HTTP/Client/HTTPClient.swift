/// An HTTP/1.1 client on an event loop, for webhook delivery: sends a request to an
/// `http://host:port/path` URL and calls back on the loop with the complete response or a typed
/// ``HTTPClientError``.
///
/// - Keep-alive: connections are pooled per host and port (at most
///   ``HTTPClientConfiguration/maximumConnectionsPerHost``, requests beyond wait in order) and
///   reused; idle ones close after ``HTTPClientConfiguration/idleConnectionTimeout``. One request
///   per connection at a time (no pipelining).
/// - Timeouts: each request has a deadline covering waiting, connecting, sending and the whole
///   response; the connect itself is bounded by ``HTTPClientConfiguration/connectTimeout``.
/// - Responses are parsed strictly (``HTTPResponseParser``) within
///   ``HTTPClientConfiguration/responseLimits``; interim 1xx responses are skipped.
/// - Plain HTTP only: the transport has no TLS. Host names are resolved with `getaddrinfo` off
///   the loop (once per pool; again after a failed connect); numeric hosts need no lookup.
///
/// Loop-confined: create and use it on its loop (``HTTPBlockingClient`` wraps one for tools and
/// tests). Completions run on the loop, never inside ``execute(_:completion:)``. Call
/// ``shutdown()`` before releasing it: requests still pending are otherwise never completed.
public final class HTTPClient {
    /// The loop it runs on.
    public let loop: EventLoop
    /// Its configuration.
    public let configuration: HTTPClientConfiguration
    /// Counters of what it did so far.
    public private(set) var statistics = HTTPClientStatistics()
    /// Set once ``shutdown()`` ran.
    public private(set) var isShutDown = false

    struct PoolKey: Hashable {
        let host: String
        let port: UInt16
    }

    /// The connections and waiting requests for one host and port.
    final class Pool {
        var address: SocketAddress?
        var isResolving = false
        var connections: [ObjectIdentifier: HTTPClientConnection] = [:]
        /// Connected and unused, most recently used last.
        var idle: [HTTPClientConnection] = []
        var queue = HTTPWaitingQueue()

        var connectingCount: Int { connections.values.count { !$0.hasConnected } }
    }

    private var pools: [PoolKey: Pool] = [:]

    /// A client on `loop`. Loop-confined.
    public init(on loop: EventLoop, configuration: HTTPClientConfiguration = HTTPClientConfiguration()) {
        loop.preconditionConfined()
        self.loop = loop
        self.configuration = configuration
    }

    /// Open connections (connecting, busy and idle).
    public var connectionCount: Int { pools.values.reduce(0) { $0 + $1.connections.count } }

    // MARK: Requests

    /// Sends `request`; `completion` runs on the loop with the response or the error.
    public func execute(_ request: HTTPClientRequest, completion: @escaping (Result<HTTPClientResponse, HTTPClientError>) -> Void) {
        loop.preconditionConfined()
        guard !isShutDown else {
            statistics.failures += 1
            loop.enqueueLocalTask { completion(.failure(.shutDown)) }
            return
        }
        var head = HTTPRequestHead(method: request.method, target: request.url.target, headers: request.headers)
        if !head.headers.contains("Host") { head.headers.add(name: "Host", value: request.url.hostField) }
        if let userAgent = configuration.userAgent, !head.headers.contains("User-Agent") {
            head.headers.add(name: "User-Agent", value: userAgent)
        }
        let closes = head.headers.containsToken("close", inField: "Connection")
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256 + request.body.count)
        do {
            try HTTPRequestEncoder.encode(head, body: request.body, closesConnection: closes, into: &bytes)
        } catch {
            statistics.failures += 1
            loop.enqueueLocalTask { completion(.failure(.invalidRequest(error))) }
            return
        }
        let timeout = request.timeout ?? configuration.requestTimeout
        let exchange = HTTPClientExchange(method: request.method, bytes: bytes, closesConnection: closes, timeout: timeout, completion: completion)
        exchange.deadlineTimer = loop.scheduleTimer(after: timeout) { [weak self, weak exchange] in
            guard let self, let exchange else { return }
            self.timedOut(exchange)
        }
        let key = PoolKey(host: request.url.host, port: request.url.port)
        let pool = pools[key] ?? Pool()
        pools[key] = pool
        pool.queue.append(exchange)
        pump(key, pool)
    }

    /// Hands waiting requests to idle connections and opens connections for the rest.
    private func pump(_ key: PoolKey, _ pool: Pool) {
        while !pool.idle.isEmpty, let exchange = pool.queue.popFirstUnfinished() {
            let connection = pool.idle.removeLast()
            if let timer = connection.idleTimer { loop.cancelTimer(timer) }
            connection.idleTimer = nil
            connection.send(exchange)
        }
        pool.queue.dropFinishedAtFront()
        guard !pool.queue.isEmpty else { return }
        guard let address = pool.address else {
            resolve(key, pool)
            return
        }
        // One connection per request still waiting beyond those connecting, within the limit;
        // requests that timed out while waiting are not counted.
        let room = configuration.maximumConnectionsPerHost - pool.connections.count
        guard room > 0 else { return }
        let connecting = pool.connectingCount
        var missing = min(pool.queue.unfinishedCount(upTo: connecting + room) - connecting, room)
        while missing > 0 {
            missing -= 1
            open(key, pool, address)
        }
    }

    private func open(_ key: PoolKey, _ pool: Pool, _ address: SocketAddress) {
        let peer = HTTPClientConnection(key: key, address: address, client: self)
        do {
            var options = configuration.connectionOptions
            options.allowHalfClosure = false
            peer.connection = try TCPConnection.connect(
                to: address, on: loop, options: options, timeout: configuration.connectTimeout, delegate: peer)
            pool.connections[ObjectIdentifier(peer)] = peer
        } catch {
            failQueue(pool, .connectFailed(address, error))
        }
    }

    private func resolve(_ key: PoolKey, _ pool: Pool) {
        if let address = HTTPHostResolver.numericAddress(host: key.host, port: key.port) {
            pool.address = address
            pump(key, pool)
            return
        }
        guard !pool.isResolving else { return }
        pool.isResolving = true
        let target = LoopBound(WeakClient(self), on: loop)
        HTTPHostResolver.resolve(host: key.host, port: key.port, on: loop) { result in
            target.value.client?.resolved(key, result)
        }
    }

    private func resolved(_ key: PoolKey, _ result: Result<SocketAddress, HTTPHostResolver.ResolutionFailure>) {
        guard let pool = pools[key], !isShutDown else { return }
        pool.isResolving = false
        switch result {
        case let .success(address):
            pool.address = address
            pump(key, pool)
        case let .failure(failure):
            failQueue(pool, .unresolvableHost(key.host, reason: failure.message))
        }
    }

    // MARK: From connections

    func connectionOpened(_ connection: HTTPClientConnection) {
        statistics.connectionsOpened += 1
        connectionBecameIdle(connection)
    }

    func connectionBecameIdle(_ connection: HTTPClientConnection) {
        guard let pool = pools[connection.key], !isShutDown else {
            connection.connection?.close()
            return
        }
        pool.idle.append(connection)
        let timer = loop.scheduleTimer(after: configuration.idleConnectionTimeout) { [weak connection] in
            guard let connection, connection.isIdle else { return }
            connection.idleTimer = nil
            connection.connection?.close()
        }
        connection.idleTimer = timer
        pump(connection.key, pool)
    }

    func connectionClosed(_ connection: HTTPClientConnection, reason: CloseReason) {
        if let timer = connection.idleTimer { loop.cancelTimer(timer) }
        connection.idleTimer = nil
        guard let pool = pools[connection.key] else { return }
        pool.connections[ObjectIdentifier(connection)] = nil
        pool.idle.removeAll { $0 === connection }
        if case let .connectFailed(error) = reason {
            // Everything waiting would fail the same way; the next request resolves again.
            pool.address = nil
            failQueue(pool, .connectFailed(connection.address, error))
        } else if !connection.hasConnected {
            failQueue(pool, .connectionClosed(reason))
        }
        if pool.connections.isEmpty && pool.queue.isEmpty && !pool.isResolving {
            pools[connection.key] = nil
        } else {
            pump(connection.key, pool)
        }
    }

    /// Sends `exchange` again, first in line, after its pooled connection went stale.
    func retry(_ exchange: HTTPClientExchange, key: PoolKey) {
        guard !exchange.isFinished else { return }
        guard !isShutDown else {
            fail(exchange, .shutDown)
            return
        }
        statistics.retries += 1
        exchange.connection = nil
        let pool = pools[key] ?? Pool()
        pools[key] = pool
        pool.queue.prepend(exchange)
        pump(key, pool)
    }

    /// Completes `exchange` with `response`.
    func succeed(_ exchange: HTTPClientExchange, _ response: HTTPClientResponse) {
        if let timer = exchange.deadlineTimer { loop.cancelTimer(timer) }
        exchange.deadlineTimer = nil
        exchange.finish(.success(response))
    }

    /// Completes `exchange` with `error`.
    func fail(_ exchange: HTTPClientExchange, _ error: HTTPClientError) {
        if let timer = exchange.deadlineTimer { loop.cancelTimer(timer) }
        exchange.deadlineTimer = nil
        if exchange.finish(.failure(error)) { statistics.failures += 1 }
    }

    func noteRequestSent() { statistics.requestsSent += 1 }

    func noteResponse(reused: Bool) {
        statistics.responsesReceived += 1
        if reused { statistics.reusedConnectionResponses += 1 }
    }

    private func failQueue(_ pool: Pool, _ error: HTTPClientError) {
        let waiting = pool.queue.removeAll()
        for exchange in waiting { fail(exchange, error) }
    }

    private func timedOut(_ exchange: HTTPClientExchange) {
        exchange.deadlineTimer = nil
        guard !exchange.isFinished else { return }
        let connection = exchange.connection
        fail(exchange, .timedOut(after: exchange.timeout))
        connection?.connection?.abort()
    }

    // MARK: Stopping

    /// Fails waiting and in-flight requests with ``HTTPClientError/shutDown`` and closes every
    /// connection. Loop-confined; idempotent.
    public func shutdown() {
        loop.preconditionConfined()
        guard !isShutDown else { return }
        isShutDown = true
        for pool in pools.values {
            failQueue(pool, .shutDown)
            for connection in pool.connections.values {
                if let exchange = connection.exchange { fail(exchange, .shutDown) }
                connection.connection?.abort()
            }
        }
    }

    /// Holds the client without keeping it alive, across the resolver's thread hop.
    final class WeakClient {
        weak var client: HTTPClient?
        init(_ client: HTTPClient) { self.client = client }
    }
}

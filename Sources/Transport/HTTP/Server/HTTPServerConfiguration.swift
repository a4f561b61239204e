/// How an ``HTTPServer`` listens, what it accepts, and how long it waits.
public struct HTTPServerConfiguration: Sendable {
    /// Where to listen (port 0: an ephemeral port, see ``HTTPServer/address``).
    public var listenAddress: SocketAddress
    /// Head and content limits (defaults: 16 KiB heads → 431, 1 MiB content → 413, 100 fields).
    public var limits: HTTPParserLimits
    /// How long the rest of a request head may take once its first byte arrived, at least; then
    /// 408 and close. Bounds slow-header ("slowloris") clients. See ``headTimeoutSpread``.
    public var headTimeout: Duration
    /// Each connection's head timeout is `headTimeout × (1 + spread × f)` with `f` in [0, 1)
    /// spread evenly over consecutive connections (default 0.5; see
    /// ``headTimeout(forConnection:)``), so slow-header connections opened together do not all
    /// get their 408, close and reconnect in one loop turn, stalling everyone else's requests.
    public var headTimeoutSpread: Double
    /// How long a request's content may take once its head is complete; then 408 and close.
    public var bodyTimeout: Duration
    /// How long a connection may wait for the first byte of its next request; then it is closed
    /// without a response (the keep-alive timeout).
    public var idleTimeout: Duration
    /// How long a handler may take to respond; then 503 and close, and its late response is
    /// ignored. nil: no limit.
    public var responseTimeout: Duration?
    /// After an error response (or any closing response) the server stops sending and reads and
    /// discards what the client still sends, for at most this long, before closing — so the
    /// client reads the response instead of a reset ("lingering close").
    public var lingerTimeout: Duration
    /// The most connections at once; more are refused (reset) when accepted.
    public var maximumConnections: Int
    /// TCP options for accepted connections. The server sets `allowHalfClosure` (a client may
    /// close its side and still read its responses) and raises `inputLimit` above the head limit.
    public var connectionOptions: TCPConnection.Options
    /// `Server` field added to responses; nil for none.
    public var serverName: String?
    /// Seconds since the Unix epoch, for the `Date` field (injectable for tests).
    public var wallClock: @Sendable () -> Int64

    /// A configuration with the given values.
    public init(
        listenAddress: SocketAddress,
        limits: HTTPParserLimits = HTTPParserLimits(),
        headTimeout: Duration = .seconds(10),
        headTimeoutSpread: Double = 0.5,
        bodyTimeout: Duration = .seconds(30),
        idleTimeout: Duration = .seconds(60),
        responseTimeout: Duration? = .seconds(60),
        lingerTimeout: Duration = .seconds(2),
        maximumConnections: Int = 10_000,
        connectionOptions: TCPConnection.Options = TCPConnection.Options(),
        serverName: String? = "Vigil",
        wallClock: @escaping @Sendable () -> Int64 = HTTPDate.systemNow
    ) {
        precondition(maximumConnections > 0, "maximumConnections must be positive")
        precondition(headTimeoutSpread >= 0 && headTimeoutSpread.isFinite, "headTimeoutSpread must be ≥ 0")
        self.listenAddress = listenAddress
        self.limits = limits
        self.headTimeout = headTimeout
        self.headTimeoutSpread = headTimeoutSpread
        self.bodyTimeout = bodyTimeout
        self.idleTimeout = idleTimeout
        self.responseTimeout = responseTimeout
        self.lingerTimeout = lingerTimeout
        self.maximumConnections = maximumConnections
        self.connectionOptions = connectionOptions
        self.serverName = serverName
        self.wallClock = wallClock
    }

    /// The options accepted connections get.
    var effectiveConnectionOptions: TCPConnection.Options {
        var options = connectionOptions
        options.allowHalfClosure = true
        // A whole head must fit in the input buffer with room to spare for the next read.
        options.inputLimit = max(options.inputLimit, limits.maximumHeadSize + 4096)
        return options
    }

    /// The head timeout of the `sequence`-th accepted connection: ``headTimeout`` stretched by
    /// the fraction of ``headTimeoutSpread`` that the golden-ratio (Weyl) sequence gives
    /// `sequence`, so the timeouts of consecutive connections fall evenly over the whole spread.
    public func headTimeout(forConnection sequence: UInt64) -> Duration {
        SpreadTimeout.timeout(headTimeout, spread: headTimeoutSpread, forConnection: sequence)
    }

    /// The timeouts the state machine of the `sequence`-th accepted connection enforces.
    func timeouts(forConnection sequence: UInt64) -> HTTPServerConnectionStateMachine.Timeouts {
        HTTPServerConnectionStateMachine.Timeouts(
            head: headTimeout(forConnection: sequence), body: bodyTimeout, idle: idleTimeout,
            response: responseTimeout, linger: lingerTimeout)
    }
}

/// A request for ``HTTPClient``.
public struct HTTPClientRequest: Sendable {
    /// The method (default `POST`, the webhook case).
    public var method: HTTPMethod
    /// Where to send it.
    public var url: HTTPURL
    /// Header fields; `Host` (from the URL) and `User-Agent` (from the configuration) are
    /// added unless present, framing fields are the encoder's.
    public var headers: HTTPHeaders
    /// The content (sent with `Content-Length`).
    public var body: [UInt8]
    /// Overrides ``HTTPClientConfiguration/requestTimeout`` for this request.
    public var timeout: Duration?

    /// A request.
    public init(method: HTTPMethod = .post, url: HTTPURL, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [], timeout: Duration? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

/// A complete response from ``HTTPClient``.
public struct HTTPClientResponse: Sendable, Hashable {
    /// The status line and fields.
    public var head: HTTPResponseHead
    /// The content (de-chunked).
    public var body: [UInt8]
    /// Trailer fields of a chunked response.
    public var trailers: HTTPHeaders
    /// Whether it came over a pooled connection that had served an earlier request.
    public var reusedConnection: Bool

    /// A response.
    public init(head: HTTPResponseHead, body: [UInt8] = [], trailers: HTTPHeaders = HTTPHeaders(), reusedConnection: Bool = false) {
        self.head = head
        self.body = body
        self.trailers = trailers
        self.reusedConnection = reusedConnection
    }

    /// The status.
    public var status: HTTPStatus { head.status }
    /// The header fields.
    public var headers: HTTPHeaders { head.headers }
}

/// Why ``HTTPClient`` could not get a response.
public enum HTTPClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The request cannot be written (a field with CR/LF, a method that is not a token, …).
    case invalidRequest(HTTPEncodingError)
    /// The host name could not be resolved (`getaddrinfo`'s message).
    case unresolvableHost(String, reason: String)
    /// The TCP connection could not be established.
    case connectFailed(SocketAddress, SystemError)
    /// No complete response within the request's timeout (connecting included).
    case timedOut(after: Duration)
    /// The connection ended before the response was complete.
    case connectionClosed(CloseReason)
    /// The server's bytes are not an acceptable response (or it is over the limits).
    case invalidResponse(HTTPParseError)
    /// The client was shut down before the request completed.
    case shutDown

    /// One line.
    public var description: String {
        switch self {
        case let .invalidRequest(error): return "invalid request: \(error)"
        case let .unresolvableHost(host, reason): return "cannot resolve \(host): \(reason)"
        case let .connectFailed(address, error): return "cannot connect to \(address): \(error)"
        case let .timedOut(after): return "no response within \(after)"
        case let .connectionClosed(reason): return "connection ended before the response was complete (\(reason))"
        case let .invalidResponse(error): return "invalid response: \(error.reasonDescription)"
        case .shutDown: return "the client was shut down"
        }
    }
}

/// How an ``HTTPClient`` connects, pools and waits.
public struct HTTPClientConfiguration: Sendable {
    /// How long establishing a connection may take.
    public var connectTimeout: Duration
    /// How long a whole request may take, from ``HTTPClient/execute(_:completion:)`` to the end
    /// of its response (waiting for a connection and connecting included).
    public var requestTimeout: Duration
    /// How long a pooled connection may stay unused before it is closed. Keep it below the
    /// servers' keep-alive timeouts, so the client closes first.
    public var idleConnectionTimeout: Duration
    /// The most connections to one host and port (in use, idle or connecting); further
    /// requests wait in order.
    public var maximumConnectionsPerHost: Int
    /// Limits for responses (default 64 KiB heads, 4 MiB content).
    public var responseLimits: HTTPParserLimits
    /// `User-Agent` added to requests without one; nil adds none.
    public var userAgent: String?
    /// Whether a request is sent again, once, on a new connection when a pooled connection
    /// closes before any byte of its response arrived (the server closed the idle connection as
    /// the request went out). The server may then have seen the request twice — fine for
    /// webhooks, which are delivered at least once; set false for strictly-once semantics.
    public var retriesOnStaleConnection: Bool
    /// TCP options for the connections.
    public var connectionOptions: TCPConnection.Options

    /// A configuration with the given values.
    public init(
        connectTimeout: Duration = .seconds(5),
        requestTimeout: Duration = .seconds(30),
        idleConnectionTimeout: Duration = .seconds(20),
        maximumConnectionsPerHost: Int = 8,
        responseLimits: HTTPParserLimits = HTTPParserLimits(maximumHeadSize: 64 * 1024, maximumBodySize: 4 * 1024 * 1024),
        userAgent: String? = "Vigil",
        retriesOnStaleConnection: Bool = true,
        connectionOptions: TCPConnection.Options = TCPConnection.Options()
    ) {
        precondition(maximumConnectionsPerHost > 0, "maximumConnectionsPerHost must be positive")
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.idleConnectionTimeout = idleConnectionTimeout
        self.maximumConnectionsPerHost = maximumConnectionsPerHost
        self.responseLimits = responseLimits
        self.userAgent = userAgent
        self.retriesOnStaleConnection = retriesOnStaleConnection
        self.connectionOptions = connectionOptions
    }
}

/// Counters an ``HTTPClient`` keeps.
public struct HTTPClientStatistics: Sendable, Hashable {
    /// All zero.
    public init() {}

    /// TCP connections established.
    public internal(set) var connectionsOpened = 0
    /// Requests written (retries included).
    public internal(set) var requestsSent = 0
    /// Complete responses received.
    public internal(set) var responsesReceived = 0
    /// Responses that came over a reused connection.
    public internal(set) var reusedConnectionResponses = 0
    /// Requests sent again after a stale pooled connection closed.
    public internal(set) var retries = 0
    /// Requests that ended in an error.
    public internal(set) var failures = 0
}

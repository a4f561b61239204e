/// A complete request as the server hands it to a handler: head, content, trailers, and what the
/// router matched.
public struct HTTPRequest: Sendable {
    /// The request line and header fields.
    public var head: HTTPRequestHead
    /// The content (de-chunked), at most the server's body limit.
    public var body: [UInt8]
    /// Trailer fields of a chunked request; empty otherwise.
    public var trailers: HTTPHeaders
    /// The client's address, when known.
    public var remoteAddress: SocketAddress?
    /// Values of the matched route's `{name}` segments, percent-decoded; set by ``HTTPRouter``.
    public var pathParameters: [String: String]

    /// A request.
    public init(
        head: HTTPRequestHead, body: [UInt8] = [], trailers: HTTPHeaders = HTTPHeaders(),
        remoteAddress: SocketAddress? = nil, pathParameters: [String: String] = [:]
    ) {
        self.head = head
        self.body = body
        self.trailers = trailers
        self.remoteAddress = remoteAddress
        self.pathParameters = pathParameters
    }

    /// The method.
    public var method: HTTPMethod { head.method }
    /// The request target as sent.
    public var target: String { head.target }
    /// The header fields.
    public var headers: HTTPHeaders { head.headers }
    /// The path, still percent-encoded (see ``HTTPRequestHead/path``).
    public var path: Substring { head.path }

    /// The query string's parameters, percent-decoded (`+` is a space); empty without a query.
    public func queryParameters() throws(HTTPQueryError) -> HTTPQuery {
        guard let query = head.query else { return HTTPQuery() }
        return try HTTPQuery(parsing: query)
    }
}

/// The status line and header fields of a response (RFC 9112 §4).
public struct HTTPResponseHead: Hashable, Sendable, CustomStringConvertible {
    /// The protocol version the server speaks.
    public var version: HTTPVersion
    /// The status code and reason phrase (as received).
    public var status: HTTPStatus
    /// The header fields.
    public var headers: HTTPHeaders

    /// A response head.
    public init(version: HTTPVersion = .http1_1, status: HTTPStatus, headers: HTTPHeaders = HTTPHeaders()) {
        self.version = version
        self.status = status
        self.headers = headers
    }

    /// Whether the server keeps the connection open after this response (RFC 9112 §9.3).
    public var isKeepAlive: Bool {
        HTTPConnectionSemantics.isKeepAlive(version: version, headers: headers)
    }

    /// `HTTP/1.1 200 OK` and the fields, one per line.
    public var description: String {
        headers.isEmpty ? "\(version) \(status)" : "\(version) \(status)\n\(headers)"
    }
}

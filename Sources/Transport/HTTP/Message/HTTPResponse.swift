/// A complete response a handler gives the server: status, header fields and content.
///
/// The server frames it: it sets `Content-Length` (dropping any framing fields the handler set),
/// adds `Date` unless present and `Connection: close` when it will close, and sends no content
/// for `HEAD` requests and for 1xx/204/304 statuses.
public struct HTTPResponse: Hashable, Sendable {
    /// The status.
    public var status: HTTPStatus
    /// The header fields. `Connection: close` here makes the server close after sending it.
    public var headers: HTTPHeaders
    /// The content.
    public var body: [UInt8]

    /// A response.
    public init(status: HTTPStatus, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A `text/plain; charset=utf-8` response.
    public static func text(_ status: HTTPStatus, _ text: String, headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        var headers = headers
        headers.replaceOrAdd(name: "Content-Type", value: "text/plain; charset=utf-8")
        return HTTPResponse(status: status, headers: headers, body: Array(text.utf8))
    }

    /// An `application/json` response with `json` as its content (already serialized).
    public static func json(_ status: HTTPStatus, _ json: String, headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        var headers = headers
        headers.replaceOrAdd(name: "Content-Type", value: "application/json")
        return HTTPResponse(status: status, headers: headers, body: Array(json.utf8))
    }
}

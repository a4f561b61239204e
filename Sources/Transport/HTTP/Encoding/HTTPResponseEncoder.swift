/// Writes responses (RFC 9112 §4, §6): the status line, the handler's fields, then the framing
/// the encoder owns — `Content-Length`, `Date` unless present, `Connection` — and the content.
///
/// A pure function of its inputs: the server passes what it knows about the request (method,
/// version) and whether it will close the connection.
public struct HTTPResponseEncoder: Sendable {
    /// A `Server` field value added to every response, or nil for none.
    public var serverName: String?

    /// An encoder adding `Server: serverName` when given.
    public init(serverName: String? = nil) {
        self.serverName = serverName
    }

    /// What the encoder needs to know about the request being answered.
    public struct Context: Sendable, Hashable {
        /// The request's method: a `HEAD` response carries no content.
        public var requestMethod: HTTPMethod
        /// The request's version: an HTTP/1.0 client that keeps the connection open is told so.
        public var requestVersion: HTTPVersion
        /// Whether the connection closes after this response (`Connection: close` is sent).
        public var closesConnection: Bool
        /// The `Date` value to add unless the response has one; nil adds none.
        public var date: String?

        /// A context.
        public init(requestMethod: HTTPMethod, requestVersion: HTTPVersion = .http1_1, closesConnection: Bool = false, date: String? = nil) {
            self.requestMethod = requestMethod
            self.requestVersion = requestVersion
            self.closesConnection = closesConnection
            self.date = date
        }
    }

    /// Appends `response` to `buffer`. Handler-set `Content-Length`, `Transfer-Encoding`,
    /// `Connection` and `Keep-Alive` are replaced by the encoder's own. On error nothing is appended.
    public func encode(_ response: HTTPResponse, context: Context, into buffer: inout [UInt8]) throws(HTTPEncodingError) {
        let status = response.status
        guard (100...599).contains(status.code), status.code != 101 else { throw .invalidStatusCode(status.code) }
        guard status.reasonPhrase.utf8.allSatisfy(HTTPSyntax.isFieldValueByte) else { throw .invalidReasonPhrase(status.reasonPhrase) }
        let start = buffer.count
        do {
            buffer.append(contentsOf: "HTTP/1.1 ".utf8)
            HTTPEncoding.appendDecimal(status.code, to: &buffer)
            buffer.append(HTTPSyntax.space)
            buffer.append(contentsOf: status.reasonPhrase.utf8)
            buffer.append(contentsOf: HTTPEncoding.crlf)
            var hasDate = false
            for field in response.headers where !HTTPEncoding.isFramingField(field.name) {
                if !hasDate && HTTPHeaders.nameEquals(field.name, "Date") { hasDate = true }
                try HTTPEncoding.appendField(name: field.name, value: field.value, to: &buffer)
            }
            if let date = context.date, !hasDate {
                try HTTPEncoding.appendField(name: "Date", value: date, to: &buffer)
            }
            if let serverName, !response.headers.contains("Server") {
                try HTTPEncoding.appendField(name: "Server", value: serverName, to: &buffer)
            }
            if !status.forbidsContent {
                buffer.append(contentsOf: "Content-Length: ".utf8)
                HTTPEncoding.appendDecimal(response.body.count, to: &buffer)
                buffer.append(contentsOf: HTTPEncoding.crlf)
            }
            if context.closesConnection {
                buffer.append(contentsOf: "Connection: close\r\n".utf8)
            } else if context.requestVersion < .http1_1 && !status.isInformational {
                buffer.append(contentsOf: "Connection: keep-alive\r\n".utf8)
            }
            buffer.append(contentsOf: HTTPEncoding.crlf)
        } catch {
            buffer.removeSubrange(start...)
            throw error
        }
        if !status.forbidsContent && context.requestMethod != .head {
            buffer.append(contentsOf: response.body)
        }
    }

    /// The bytes of `response`.
    public func encode(_ response: HTTPResponse, context: Context) throws(HTTPEncodingError) -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(128 + response.body.count)
        try encode(response, context: context, into: &buffer)
        return buffer
    }

    /// `HTTP/1.1 100 Continue` and an empty line.
    public static let continueResponse = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
}

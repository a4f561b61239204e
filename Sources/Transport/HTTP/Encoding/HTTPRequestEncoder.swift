/// Writes requests (RFC 9112 §3, §6) for the client: the request line, the caller's fields, and
/// the framing the encoder owns — `Content-Length` whenever there is content or the method
/// usually has some (`POST`, `PUT`, `PATCH`).
public enum HTTPRequestEncoder {
    /// Appends the request to `buffer`; the caller's `Content-Length`, `Transfer-Encoding`,
    /// `Connection` and `Keep-Alive` fields are replaced (add `Connection: close` through
    /// `closesConnection`). On error nothing is appended.
    public static func encode(
        _ head: HTTPRequestHead, body: [UInt8], closesConnection: Bool = false, into buffer: inout [UInt8]
    ) throws(HTTPEncodingError) {
        guard HTTPSyntax.isToken(head.method.rawValue) else { throw .invalidMethod(head.method.rawValue) }
        guard !head.target.isEmpty, head.target.utf8.allSatisfy(HTTPSyntax.isTargetByte) else { throw .invalidTarget(head.target) }
        let start = buffer.count
        do {
            buffer.append(contentsOf: head.method.rawValue.utf8)
            buffer.append(HTTPSyntax.space)
            buffer.append(contentsOf: head.target.utf8)
            buffer.append(contentsOf: head.version == .http1_0 ? " HTTP/1.0\r\n".utf8 : " HTTP/1.1\r\n".utf8)
            for field in head.headers where !HTTPEncoding.isFramingField(field.name) {
                try HTTPEncoding.appendField(name: field.name, value: field.value, to: &buffer)
            }
            let method = head.method
            if !body.isEmpty || method == .post || method == .put || method == .patch {
                buffer.append(contentsOf: "Content-Length: ".utf8)
                HTTPEncoding.appendDecimal(body.count, to: &buffer)
                buffer.append(contentsOf: HTTPEncoding.crlf)
            }
            if closesConnection {
                buffer.append(contentsOf: "Connection: close\r\n".utf8)
            } else if head.version == .http1_0 {
                buffer.append(contentsOf: "Connection: keep-alive\r\n".utf8)
            }
            buffer.append(contentsOf: HTTPEncoding.crlf)
        } catch {
            buffer.removeSubrange(start...)
            throw error
        }
        buffer.append(contentsOf: body)
    }
}

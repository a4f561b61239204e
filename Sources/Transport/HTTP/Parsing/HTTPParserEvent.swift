/// What a parser found next in the byte stream.
///
/// Every message is one `head`, any number of `body` pieces, and one `end`, in that order.
public enum HTTPParserEvent<Head: Sendable>: Sendable {
    /// The start line and header fields.
    case head(Head)
    /// The next piece of content (de-chunked). It is a view of the parser's buffer: copy what
    /// you keep before feeding the parser again.
    case body(ArraySlice<UInt8>)
    /// The message is complete; `trailers` holds a chunked message's trailer fields (else empty).
    case end(trailers: HTTPHeaders)
}

extension HTTPParserEvent: Equatable where Head: Equatable {}
extension HTTPParserEvent: Hashable where Head: Hashable {}

/// An incremental HTTP/1.1 response parser for a client: a pure state machine over one
/// connection's bytes, the counterpart of ``HTTPRequestParser``.
///
/// A response's framing depends on its request (a `HEAD` response has no content), so tell the
/// parser about every request sent, in order, with ``expectResponse(to:)``. Interim (1xx)
/// responses are reported as a head and an end each, before the final response. A response with
/// neither `Content-Length` nor `Transfer-Encoding` lasts until the connection closes: call
/// ``finish()`` at end of file to get its `end`.
///
/// Refuses with ``HTTPParseError``: malformed status lines and fields, conflicting framing
/// (including `Transfer-Encoding` with `Content-Length`), codings other than `chunked`,
/// `101 Switching Protocols`, responses nobody asked for, and heads or content above the limits.
public struct HTTPResponseParser: Sendable {
    var core: HTTPMessageParser

    /// A parser enforcing `limits` (default: 64 KiB heads, 4 MiB content).
    public init(limits: HTTPParserLimits = HTTPParserLimits(maximumHeadSize: 64 * 1024, maximumBodySize: 4 * 1024 * 1024)) {
        core = HTTPMessageParser(role: .response, limits: limits)
    }

    /// The limits it enforces.
    public var limits: HTTPParserLimits { core.limits }

    /// Records that a request with `method` was sent; responses are matched to requests in order.
    public mutating func expectResponse(to method: HTTPMethod) { core.expectResponse(to: method) }

    /// Appends received bytes (dropped after an error).
    public mutating func feed(_ bytes: ArraySlice<UInt8>) { core.feed(bytes) }

    /// Appends received bytes (dropped after an error).
    public mutating func feed(_ bytes: [UInt8]) { core.feed(bytes[...]) }

    /// Appends received bytes (dropped after an error).
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) { core.feed(bytes) }

    /// The next event, or nil when more bytes are needed.
    public mutating func next() throws(HTTPParseError) -> HTTPParserEvent<HTTPResponseHead>? {
        switch try core.next() {
        case let .responseHead(head)?: return .head(head)
        case let .body(piece)?: return .body(piece)
        case let .end(trailers)?: return .end(trailers: trailers)
        case .requestHead?: preconditionFailure("a response parser produced a request head")
        case nil: return nil
        }
    }

    /// The server closed the connection: returns the `end` of a response delimited by the close,
    /// nil at a message boundary, or throws ``HTTPParseError/Reason/unexpectedEndOfStream`` if a
    /// response is incomplete. Call after ``next()`` returned nil.
    public mutating func finish() throws(HTTPParseError) -> HTTPParserEvent<HTTPResponseHead>? {
        switch try core.finish() {
        case let .end(trailers)?: return .end(trailers: trailers)
        default: return nil
        }
    }

    /// Requests sent whose final responses have not been parsed yet.
    public var pendingResponseCount: Int { core.pendingMethods.count }

    /// Bytes fed and not yet consumed by events.
    public var bufferedByteCount: Int { core.bufferedByteCount }

    /// Whether the stream is between responses with nothing of the next one buffered.
    public var isAtMessageBoundary: Bool { core.isAtMessageBoundary }

    /// Whether an error stopped the parser.
    public var hasFailed: Bool { core.state == .failed }
}

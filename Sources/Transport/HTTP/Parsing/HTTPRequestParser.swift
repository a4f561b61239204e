/// An incremental HTTP/1.1 request parser: a pure state machine over one connection's bytes.
///
/// Feed bytes as they arrive, in any split, then call ``next()`` until it returns nil:
///
/// ```swift
/// parser.feed(bytes)
/// while let event = try parser.next() {
///     switch event {
///     case let .head(head): …            // method, target, version, fields
///     case let .body(piece): …           // de-chunked content, a view of the parser's buffer
///     case let .end(trailers): …         // the request is complete; the next one may follow
///     }
/// }
/// ```
///
/// Requests follow each other on the stream (keep-alive, pipelining): after `end` the parser
/// reads the next head. It never reads ahead of what ``next()`` is asked for, so a server that
/// stops calling it while a request is handled answers pipelined requests in order.
///
/// Strict by design (RFC 9112): it refuses, with a precise ``HTTPParseError``, malformed request
/// lines and fields, obsolete line folding, whitespace before colons, bare CR and (unless
/// ``HTTPParserLimits/acceptsBareLineFeed``) bare LF, conflicting or malformed `Content-Length`,
/// `Transfer-Encoding` together with `Content-Length`, codings other than `chunked`, a missing or
/// repeated `Host` in HTTP/1.1, expectations other than `100-continue`, and heads or content
/// above ``HTTPParserLimits``. Memory stays bounded by what is fed plus one partial line.
public struct HTTPRequestParser: Sendable {
    var core: HTTPMessageParser

    /// A parser enforcing `limits`.
    public init(limits: HTTPParserLimits = HTTPParserLimits()) {
        core = HTTPMessageParser(role: .request, limits: limits)
    }

    /// The limits it enforces.
    public var limits: HTTPParserLimits { core.limits }

    /// Appends received bytes (dropped after an error).
    public mutating func feed(_ bytes: ArraySlice<UInt8>) { core.feed(bytes) }

    /// Appends received bytes (dropped after an error).
    public mutating func feed(_ bytes: [UInt8]) { core.feed(bytes[...]) }

    /// Appends received bytes (dropped after an error).
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) { core.feed(bytes) }

    /// The next event, or nil when more bytes are needed. After an error the parser stays
    /// failed and returns nil.
    public mutating func next() throws(HTTPParseError) -> HTTPParserEvent<HTTPRequestHead>? {
        switch try core.next() {
        case let .requestHead(head)?: return .head(head)
        case let .body(piece)?: return .body(piece)
        case let .end(trailers)?: return .end(trailers: trailers)
        case .responseHead?: preconditionFailure("a request parser produced a response head")
        case nil: return nil
        }
    }

    /// The peer closed its side: throws ``HTTPParseError/Reason/unexpectedEndOfStream`` if a
    /// request is incomplete. Call after ``next()`` returned nil.
    public mutating func finish() throws(HTTPParseError) {
        _ = try core.finish()
    }

    /// Bytes fed and not yet consumed by events.
    public var bufferedByteCount: Int { core.bufferedByteCount }

    /// Whether the stream is between requests with nothing of the next one buffered.
    public var isAtMessageBoundary: Bool { core.isAtMessageBoundary }

    /// Whether the current request's head announced content not yet consumed.
    public var isExpectingContent: Bool { core.isExpectingContent }

    /// Whether an error stopped the parser.
    public var hasFailed: Bool { core.state == .failed }
}

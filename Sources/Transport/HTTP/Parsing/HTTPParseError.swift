/// Why bytes are not an acceptable HTTP/1.1 message, with where it was found.
///
/// Every reason maps to the status a server answers with (``status``): 400 for malformed
/// syntax and framing, 431 for oversized heads, 413 for oversized content, 417 for an
/// expectation other than `100-continue`, 501 for an unknown transfer coding, 505 for an
/// unsupported version. After any error the parser is stopped (``HTTPRequestParser/hasFailed``):
/// the stream is out of sync, and the connection must close once the error is answered.
public struct HTTPParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was wrong.
    public enum Reason: Sendable, Hashable {
        /// The head (start line, fields, terminators) exceeds `limit` bytes. 431.
        case headTooLarge(limit: Int)
        /// More than `limit` header or trailer fields. 431.
        case tooManyFields(limit: Int)
        /// The content exceeds `limit` bytes (declared by `Content-Length` or reached while
        /// de-chunking). 413.
        case bodyTooLarge(limit: Int)
        /// The request line is not `method SP request-target SP HTTP-version`. 400.
        case invalidRequestLine
        /// The method is not a token. 400.
        case invalidMethod
        /// The request target has a byte outside visible ASCII, or a form its method may not use
        /// (origin form `/…`, absolute form `scheme://…`, `*` for `OPTIONS`, authority for
        /// `CONNECT`). 400.
        case invalidTarget
        /// The version is not `HTTP/DIGIT.DIGIT`. 400.
        case invalidVersion
        /// A well-formed version other than 1.0 and 1.1. 505.
        case unsupportedVersion(major: UInt8, minor: UInt8)
        /// The status line is not `HTTP-version SP 3DIGIT [SP reason-phrase]`.
        case invalidStatusLine
        /// The status code is not three digits in 100…599.
        case invalidStatusCode
        /// `101 Switching Protocols`: protocol upgrades are not supported.
        case unsupportedUpgrade
        /// A response arrived with no request waiting for it.
        case unsolicitedResponse
        /// Whitespace between the start line and the first field (RFC 9112 §2.2). 400.
        case whitespaceAfterStartLine
        /// A field line starts with whitespace: obsolete line folding (RFC 9112 §5.2). 400.
        case obsoleteLineFolding
        /// A field line has no colon. 400.
        case missingColon
        /// A field name is empty or not a token. 400.
        case invalidFieldName
        /// Whitespace between a field name and the colon (RFC 9112 §5.1). 400.
        case whitespaceBeforeColon
        /// A field value contains a control character (other than HTAB). 400.
        case invalidFieldValue(name: String)
        /// A LF not preceded by CR ends a line (see ``HTTPParserLimits/acceptsBareLineFeed``). 400.
        case bareLineFeed
        /// A CR not followed by LF. 400.
        case bareCarriageReturn
        /// A `Content-Length` value is not a list of decimal digit strings, or overflows. 400.
        case invalidContentLength(String)
        /// `Content-Length` values differ. 400.
        case conflictingContentLength
        /// Both `Transfer-Encoding` and `Content-Length` (RFC 9112 §6.3 item 3: a request
        /// smuggling vector; refused). 400.
        case contentLengthWithTransferEncoding
        /// `Transfer-Encoding` in an HTTP/1.0 message (RFC 9112 §6.1: faulty framing). 400.
        case transferEncodingInHTTP10
        /// A transfer coding other than `chunked` (only `chunked` is implemented). 501.
        case unsupportedTransferCoding(String)
        /// `Transfer-Encoding` whose final coding is not `chunked`, or `chunked` twice, or an
        /// empty value (RFC 9112 §6.3 item 4). 400.
        case invalidTransferEncoding(String)
        /// `Host` missing from an HTTP/1.1 request (RFC 9112 §3.2). 400.
        case missingHost
        /// More than one `Host` field. 400.
        case multipleHosts
        /// A `Host` value that is not `uri-host [":" port]`. 400.
        case invalidHost
        /// An `Expect` value other than `100-continue`. 417.
        case unsupportedExpectation(String)
        /// A chunk size that is not hexadecimal digits (or overflows). 400.
        case invalidChunkSize
        /// A malformed chunk extension. 400.
        case invalidChunkExtension
        /// A chunk-size line longer than `limit` bytes. 400.
        case chunkHeaderTooLarge(limit: Int)
        /// Chunk data not followed by CRLF. 400.
        case missingChunkTerminator
        /// The stream ended inside a message. 400.
        case unexpectedEndOfStream
    }

    /// Where a message's bytes were being read when the error was found.
    public enum Section: Sendable, Hashable {
        /// The request line or status line.
        case startLine
        /// The header field lines (or the head as a whole).
        case headers
        /// Content, chunk-size lines and chunk terminators.
        case body
        /// The trailer section of a chunked message.
        case trailers
    }

    /// What was wrong.
    public let reason: Reason
    /// Where in the message.
    public let section: Section
    /// The 1-based line within the head or trailer section (1 is the start line), when known.
    public let line: Int?
    /// The stream offset (bytes fed before it) of the start of the offending line or piece.
    public let streamOffset: UInt64

    /// An error at `streamOffset`.
    public init(_ reason: Reason, section: Section, line: Int? = nil, streamOffset: UInt64 = 0) {
        self.reason = reason
        self.section = section
        self.line = line
        self.streamOffset = streamOffset
    }

    /// The status a server answers this error with.
    public var status: HTTPStatus {
        switch reason {
        case .headTooLarge, .tooManyFields: return .requestHeaderFieldsTooLarge
        case .bodyTooLarge: return .contentTooLarge
        case .unsupportedVersion: return .httpVersionNotSupported
        case .unsupportedTransferCoding: return .notImplemented
        case .unsupportedExpectation: return .expectationFailed
        default: return .badRequest
        }
    }

    /// What went wrong, for a person (and for the text of the error response).
    public var reasonDescription: String {
        switch reason {
        case let .headTooLarge(limit): return "head (start line and header fields) exceeds \(limit) bytes"
        case let .tooManyFields(limit): return "more than \(limit) header fields"
        case let .bodyTooLarge(limit): return "content exceeds \(limit) bytes"
        case .invalidRequestLine: return "malformed request line (expected METHOD SP TARGET SP HTTP-VERSION)"
        case .invalidMethod: return "method is not a token"
        case .invalidTarget: return "invalid request target"
        case .invalidVersion: return "malformed HTTP version"
        case let .unsupportedVersion(major, minor): return "HTTP/\(major).\(minor) is not supported"
        case .invalidStatusLine: return "malformed status line"
        case .invalidStatusCode: return "status code is not in 100...599"
        case .unsupportedUpgrade: return "101 Switching Protocols is not supported"
        case .unsolicitedResponse: return "response without a request"
        case .whitespaceAfterStartLine: return "whitespace between start line and first header field"
        case .obsoleteLineFolding: return "obsolete line folding in header field"
        case .missingColon: return "header field line without a colon"
        case .invalidFieldName: return "header field name is not a token"
        case .whitespaceBeforeColon: return "whitespace between header field name and colon"
        case let .invalidFieldValue(name): return "control character in value of header field \(name)"
        case .bareLineFeed: return "line ends with LF without CR"
        case .bareCarriageReturn: return "CR not followed by LF"
        case let .invalidContentLength(value): return "invalid Content-Length \"\(value)\""
        case .conflictingContentLength: return "conflicting Content-Length values"
        case .contentLengthWithTransferEncoding: return "both Transfer-Encoding and Content-Length"
        case .transferEncodingInHTTP10: return "Transfer-Encoding in an HTTP/1.0 message"
        case let .unsupportedTransferCoding(value): return "unsupported transfer coding \"\(value)\""
        case let .invalidTransferEncoding(value): return "invalid Transfer-Encoding \"\(value)\" (chunked must be final, once)"
        case .missingHost: return "missing Host header field"
        case .multipleHosts: return "more than one Host header field"
        case .invalidHost: return "invalid Host header field"
        case let .unsupportedExpectation(value): return "unsupported expectation \"\(value)\""
        case .invalidChunkSize: return "invalid chunk size"
        case .invalidChunkExtension: return "invalid chunk extension"
        case let .chunkHeaderTooLarge(limit): return "chunk-size line exceeds \(limit) bytes"
        case .missingChunkTerminator: return "chunk data not followed by CRLF"
        case .unexpectedEndOfStream: return "stream ended inside a message"
        }
    }

    /// `400 Bad Request: obsolete line folding in header field (line 3)`.
    public var description: String {
        var text = "\(status): \(reasonDescription)"
        if let line { text += " (line \(line))" }
        return text
    }
}

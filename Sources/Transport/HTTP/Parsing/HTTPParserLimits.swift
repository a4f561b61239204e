/// How much a parser accepts before refusing a message, and how it treats line endings.
public struct HTTPParserLimits: Sendable, Hashable {
    /// The most bytes of a head: the start line, every field line and the empty line that ends
    /// the head, line terminators included (empty lines before a request line count too). Above
    /// it: ``HTTPParseError/Reason/headTooLarge(limit:)``, status 431. The same bound applies to
    /// a chunked message's trailer section on its own.
    public var maximumHeadSize: Int
    /// The most header (or trailer) fields; above it, status 431.
    public var maximumFieldCount: Int
    /// The most content bytes (after de-chunking); above it, status 413. A `Content-Length`
    /// above it is refused as soon as the head is parsed, before any content is read.
    public var maximumBodySize: Int
    /// The most bytes of one chunk-size line (size, extensions and CRLF); above it, status 400.
    public var maximumChunkHeaderSize: Int
    /// Whether a bare LF ends a line (RFC 9112 §2.2 allows recipients to accept it). Off by
    /// default: a bare LF is refused with ``HTTPParseError/Reason/bareLineFeed``, as lenient
    /// line splitting is a classic request-smuggling vector. A bare CR is always refused.
    public var acceptsBareLineFeed: Bool

    /// Limits with the given values; the defaults suit a server (16 KiB heads, 1 MiB content).
    public init(
        maximumHeadSize: Int = 16 * 1024,
        maximumFieldCount: Int = 100,
        maximumBodySize: Int = 1024 * 1024,
        maximumChunkHeaderSize: Int = 4 * 1024,
        acceptsBareLineFeed: Bool = false
    ) {
        precondition(maximumHeadSize >= 16, "maximumHeadSize must be at least 16 bytes")
        precondition(maximumFieldCount >= 0, "maximumFieldCount must not be negative")
        precondition(maximumBodySize >= 0, "maximumBodySize must not be negative")
        precondition(maximumChunkHeaderSize >= 3, "maximumChunkHeaderSize must be at least 3 bytes")
        self.maximumHeadSize = maximumHeadSize
        self.maximumFieldCount = maximumFieldCount
        self.maximumBodySize = maximumBodySize
        self.maximumChunkHeaderSize = maximumChunkHeaderSize
        self.acceptsBareLineFeed = acceptsBareLineFeed
    }
}

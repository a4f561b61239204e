/// The incremental HTTP/1.1 message parser shared by ``HTTPRequestParser`` and
/// ``HTTPResponseParser``: a pure state machine over one connection's byte stream.
///
/// Bytes are appended to one reused buffer; lines are found with `memchr` and parsed in place
/// as soon as they are complete (so an error in an early line is found as early as possible,
/// whatever the split), content is handed out as slices of the buffer. A line's bytes are
/// scanned once however the stream is split: the parser remembers how far it has looked.
struct HTTPMessageParser: Sendable {
    /// Which kind of messages the stream carries.
    enum Role: Sendable, Hashable {
        case request
        case response
    }

    enum State: Sendable, Hashable {
        /// Before a start line (requests: empty lines here are skipped).
        case startLine
        /// After the start line, reading field lines until the empty line.
        case fieldLines
        /// Content of known length; `end` follows when `remaining` reaches 0.
        case fixedBody(remaining: Int)
        /// Waiting for a chunk-size line.
        case chunkHeader
        /// Inside a chunk's data.
        case chunkData(remaining: Int)
        /// After a chunk's data: its CRLF.
        case chunkDataEnd
        /// After the last chunk: trailer fields until the empty line.
        case trailerLines
        /// A response delimited by the connection closing.
        case bodyUntilClose
        /// The stream ended cleanly (``finish()``); nothing more is accepted.
        case finished
        /// An error was reported; all further input is ignored.
        case failed
    }

    /// A start line, parsed and waiting for the fields.
    enum StartLine: Sendable {
        case none
        case request(method: HTTPMethod, target: String, version: HTTPVersion)
        case response(version: HTTPVersion, status: HTTPStatus)
    }

    /// What ``next()`` found.
    enum Event: Sendable {
        case requestHead(HTTPRequestHead)
        case responseHead(HTTPResponseHead)
        case body(ArraySlice<UInt8>)
        case end(HTTPHeaders)
    }

    let role: Role
    let limits: HTTPParserLimits
    private(set) var state = State.startLine

    /// Received bytes; those before `readIndex` are consumed.
    var buffer: [UInt8] = []
    var readIndex = 0
    /// Bytes from `readIndex` on that are known to hold no LF (a partial line).
    var scanned = 0
    /// The stream offset of `buffer[readIndex]`: every byte consumed so far.
    var streamOffset: UInt64 = 0
    /// Bytes of the current head or trailer section so far, terminators included.
    var sectionSize = 0
    /// Lines of the current head or trailer section so far.
    var lineNumber = 0
    var startLine = StartLine.none
    var fields: [HTTPField] = []
    /// Where the framing fields are in `fields` (recognized while parsing).
    var framingFields: [(HTTPFieldLineParser.FramingField, Int)] = []
    /// Content bytes of the current chunked message so far.
    var chunkedTotal = 0
    /// Methods of requests whose responses have not been parsed yet, oldest first (responses).
    var pendingMethods: [HTTPMethod] = []

    /// A drained buffer keeps its capacity up to this size; a larger one is released.
    static let retainedCapacity = 64 * 1024
    /// Consumed bytes tolerated at the front before compaction is considered.
    static let compactionThreshold = 4 * 1024

    init(role: Role, limits: HTTPParserLimits) {
        self.role = role
        self.limits = limits
    }

    // MARK: Input

    /// Bytes received and not yet consumed.
    var bufferedByteCount: Int { buffer.count - readIndex }

    /// Whether the stream is between messages with nothing of the next one buffered.
    var isAtMessageBoundary: Bool {
        state == .startLine && readIndex == buffer.count
    }

    /// Whether the current message announced content still to come (after its head).
    var isExpectingContent: Bool {
        switch state {
        case let .fixedBody(remaining): return remaining > 0
        case .chunkHeader, .chunkData, .chunkDataEnd, .bodyUntilClose: return true
        case .startLine, .fieldLines, .trailerLines, .finished, .failed: return false
        }
    }

    mutating func feed(_ bytes: UnsafeRawBufferPointer) {
        guard prepareForAppend(bytes.count) else { return }
        buffer.append(contentsOf: bytes)
    }

    mutating func feed(_ bytes: ArraySlice<UInt8>) {
        guard prepareForAppend(bytes.count) else { return }
        buffer.append(contentsOf: bytes)
    }

    /// Compacts consumed bytes away; false if the bytes are to be dropped.
    private mutating func prepareForAppend(_ count: Int) -> Bool {
        guard count > 0, state != .failed, state != .finished else { return false }
        if readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.capacity <= Self.retainedCapacity)
            readIndex = 0
        } else if readIndex >= Self.compactionThreshold && readIndex * 2 >= buffer.count {
            buffer.removeSubrange(0..<readIndex)
            readIndex = 0
        }
        return true
    }

    /// Records that a request with `method` was sent, so its response is framed right.
    mutating func expectResponse(to method: HTTPMethod) {
        pendingMethods.append(method)
    }

    // MARK: Events

    /// The next event, nil if more bytes are needed; an error stops the parser for good.
    mutating func next() throws(HTTPParseError) -> Event? {
        do {
            return try step()
        } catch {
            state = .failed
            throw error
        }
    }

    /// Ends the stream (the peer closed): completes a body delimited by the close, or throws
    /// ``HTTPParseError/Reason/unexpectedEndOfStream`` if a message is incomplete. Call after
    /// ``next()`` returned nil.
    mutating func finish() throws(HTTPParseError) -> Event? {
        switch state {
        case .bodyUntilClose:
            state = .finished
            return .end(HTTPHeaders())
        case .startLine where readIndex == buffer.count:
            state = .finished
            return nil
        case .finished, .failed:
            return nil
        default:
            let section: HTTPParseError.Section
            switch state {
            case .startLine: section = .startLine
            case .fieldLines: section = .headers
            case .trailerLines: section = .trailers
            default: section = .body
            }
            state = .failed
            throw HTTPParseError(.unexpectedEndOfStream, section: section, streamOffset: streamOffset + UInt64(bufferedByteCount))
        }
    }

    private mutating func step() throws(HTTPParseError) -> Event? {
        while true {
            switch state {
            case .startLine:
                guard let line = try nextLine(budget: limits.maximumHeadSize - sectionSize, section: .startLine) else { return nil }
                if line.range.isEmpty && role == .request {
                    // RFC 9112 §2.2: empty lines before a request line are ignored.
                    lineNumber = 0
                    continue
                }
                try parseStartLine(line)
                state = .fieldLines
            case .fieldLines:
                guard let line = try nextLine(budget: limits.maximumHeadSize - sectionSize, section: .headers) else { return nil }
                if line.range.isEmpty { return try completeHead(at: line.offset) }
                try parseFieldLine(line, section: .headers)
            case let .fixedBody(remaining):
                if remaining == 0 {
                    endMessage()
                    return .end(HTTPHeaders())
                }
                guard let piece = takeContent(upTo: remaining) else { return nil }
                state = .fixedBody(remaining: remaining - piece.count)
                return .body(piece)
            case .chunkHeader:
                guard let line = try nextLine(budget: limits.maximumChunkHeaderSize, section: .body) else { return nil }
                try parseChunkHeader(line)
            case let .chunkData(remaining):
                guard let piece = takeContent(upTo: remaining) else { return nil }
                state = piece.count == remaining ? .chunkDataEnd : .chunkData(remaining: remaining - piece.count)
                return .body(piece)
            case .chunkDataEnd:
                guard try consumeChunkTerminator() else { return nil }
                state = .chunkHeader
            case .trailerLines:
                guard let line = try nextLine(budget: limits.maximumHeadSize - sectionSize, section: .trailers) else { return nil }
                if line.range.isEmpty {
                    let trailers = HTTPHeaders(fields)
                    fields = []
                    endMessage()
                    return .end(trailers)
                }
                try parseFieldLine(line, section: .trailers)
            case .bodyUntilClose:
                guard let piece = takeContent(upTo: Int.max) else { return nil }
                return .body(piece)
            case .finished, .failed:
                return nil
            }
        }
    }

    /// Up to `limit` buffered content bytes, consumed; nil if none are buffered.
    private mutating func takeContent(upTo limit: Int) -> ArraySlice<UInt8>? {
        let count = min(limit, buffer.count - readIndex)
        guard count > 0 else { return nil }
        let piece = buffer[readIndex..<(readIndex + count)]
        consume(count)
        return piece
    }

    /// Marks `count` bytes at `readIndex` consumed.
    mutating func consume(_ count: Int) {
        readIndex += count
        streamOffset += UInt64(count)
        scanned = 0
    }

    /// Back to the start of the next message.
    private mutating func endMessage() {
        state = .startLine
        sectionSize = 0
        lineNumber = 0
        chunkedTotal = 0
    }

    /// Starts the trailer section after the last chunk.
    mutating func beginTrailers() {
        state = .trailerLines
        sectionSize = 0
        lineNumber = 0
        fields = []
    }

    /// Sets the state that reads the current message's content.
    mutating func setBodyState(_ newState: State) {
        state = newState
    }

    func error(_ reason: HTTPParseError.Reason, _ section: HTTPParseError.Section, line: Int? = nil, at offset: UInt64) -> HTTPParseError {
        HTTPParseError(reason, section: section, line: line, streamOffset: offset)
    }
}

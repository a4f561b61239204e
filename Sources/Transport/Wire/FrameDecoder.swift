/// An incremental frame decoder: a pure state machine over the bytes of one stream (docs/wire.md).
///
/// Feed it bytes as they arrive, in any split, then call ``next()`` until it returns `nil`:
///
/// ```swift
/// decoder.feed(chunk)
/// while true {
///     do {
///         guard let decoded = try decoder.next() else { break }
///         handle(decoded)
///     } catch {
///         reply(error)                         // an `error` frame with error.code
///         if !error.isRecoverable { close(); break }
///     }
/// }
/// ```
///
/// The length prefix is checked as soon as its 4 bytes are in, before any body byte is buffered;
/// the version as soon as its byte is in. A frame of unknown type, or with a body longer than its
/// type allows, is refused from its 10-byte header and its body is skipped as it arrives, never
/// buffered. So memory never exceeds one legitimate frame plus the last chunk fed, and nothing is
/// reserved on the peer's say-so. After an unrecoverable error the decoder drops all further input
/// and ``next()`` returns `nil`: the error is reported once.
///
/// One buffer is reused for the whole stream: chunks are appended in bulk, frames are parsed in
/// place, and consumed bytes are compacted away only when they outweigh the unread ones.
public struct FrameDecoder: Sendable {
    /// The largest frame (length prefix included) this decoder accepts.
    public let maximumFrameSize: Int

    private enum Mode: Sendable {
        /// Reading frames.
        case framing
        /// Dropping the rest of a refused frame's body as it arrives.
        case skipping(remaining: Int)
        /// Stopped by an unrecoverable error; all input is dropped.
        case failed
    }

    private var mode = Mode.framing
    /// Received bytes; those before `readIndex` are consumed.
    private var buffer: [UInt8] = []
    private var readIndex = 0
    /// The stream offset of `buffer[readIndex]`: every byte consumed or skipped so far.
    private var streamOffset: UInt64 = 0

    /// A drained buffer keeps its capacity up to this size; a larger one (after a large frame) is freed.
    private static let retainedCapacity = 64 * 1024

    /// A decoder refusing frames above `maximumFrameSize` bytes (1 KiB … 16 MiB; default 256 KiB).
    public init(maximumFrameSize: Int = WireFormat.defaultMaximumFrameSize) {
        precondition(
            (WireFormat.minimumConfigurableFrameSize...WireFormat.maximumConfigurableFrameSize).contains(maximumFrameSize),
            "maximum frame size \(maximumFrameSize) outside 1 KiB … 16 MiB"
        )
        self.maximumFrameSize = maximumFrameSize
    }

    /// Bytes received and not yet decoded (part of a frame, or frames not yet taken by ``next()``).
    public var bufferedByteCount: Int { buffer.count - readIndex }

    /// Whether the stream stopped at a frame boundary: nothing buffered, nothing being skipped.
    /// A peer closing when this is `false` closed mid-frame.
    public var isAtFrameBoundary: Bool {
        if case .framing = mode { return bufferedByteCount == 0 }
        return false
    }

    /// Whether an unrecoverable error stopped the decoder.
    public var hasFailed: Bool {
        if case .failed = mode { return true }
        return false
    }

    /// The buffer's capacity, for tests of the allocation behaviour.
    var bufferCapacity: Int { buffer.capacity }

    /// Adds received bytes. Cheap: bytes of a refused frame are dropped, others appended in bulk.
    public mutating func feed(_ bytes: some Collection<UInt8>) {
        switch mode {
        case .failed:
            return
        case let .skipping(remaining):
            let count = bytes.count
            if count < remaining {
                mode = .skipping(remaining: remaining - count)
                streamOffset += UInt64(count)
                return
            }
            mode = .framing
            streamOffset += UInt64(remaining)
            append(bytes.dropFirst(remaining))
        case .framing:
            append(bytes)
        }
    }

    private mutating func append(_ bytes: some Collection<UInt8>) {
        if readIndex > 0, readIndex >= buffer.count - readIndex {
            // The consumed prefix outweighs the unread bytes: moving them is cheaper than growing.
            buffer.removeSubrange(0..<readIndex)
            readIndex = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Empties a fully consumed buffer, keeping a modest capacity for the next frames.
    private mutating func releaseIfDrained() {
        guard readIndex == buffer.count else { return }
        buffer.removeAll(keepingCapacity: buffer.capacity <= Self.retainedCapacity)
        readIndex = 0
    }

    /// The next complete frame, or `nil` until more bytes arrive.
    ///
    /// - Throws: ``WireError``. A recoverable error consumed its frame (or is skipping its body): call
    ///   `next()` again for the following frame. An unrecoverable one stopped the decoder.
    public mutating func next() throws(WireError) -> DecodedFrame? {
        guard case .framing = mode else { return nil }
        let available = buffer.count - readIndex
        guard available >= WireFormat.lengthPrefixSize else { return nil }

        let length = readUInt32(at: readIndex)
        guard length >= WireFormat.headerAfterLength else {
            throw fail(.lengthTooShort(length: length), fieldOffset: 0)
        }
        let frameSize = UInt64(length) + UInt64(WireFormat.lengthPrefixSize)
        guard frameSize <= UInt64(maximumFrameSize) else {
            throw fail(.frameTooLarge(frameSize: frameSize, limit: maximumFrameSize), fieldOffset: 0)
        }
        // Below the configured maximum (≤ 16 MiB), so it fits an Int everywhere.
        let size = Int(frameSize)

        guard available > WireFormat.lengthPrefixSize else { return nil }
        let version = buffer[readIndex + 4]
        guard version == WireFormat.version else {
            throw fail(.unsupportedVersion(version), fieldOffset: 4)
        }

        guard available >= WireFormat.headerSize else { return nil }
        let typeByte = buffer[readIndex + 5]
        let requestID = RequestID(rawValue: readUInt32(at: readIndex + 6))
        let bodyLength = size - WireFormat.headerSize
        guard let type = FrameType(rawValue: typeByte) else {
            throw skip(frameSize: size, WireError(.unknownFrameType(typeByte), fieldOffset: 5, frameType: typeByte), requestID: requestID)
        }
        guard bodyLength <= type.maximumBodyLength else {
            let reason = WireError.Reason.bodyTooLarge(type, length: bodyLength, limit: type.maximumBodyLength)
            throw skip(frameSize: size, WireError(reason, fieldOffset: 0, frameType: typeByte), requestID: requestID)
        }

        guard available >= size else { return nil }
        let frameStart = readIndex
        let frameOffset = streamOffset
        readIndex += size
        streamOffset += UInt64(size)
        do {
            let frame = try parseFrame(type, frameStart: frameStart, frameEnd: frameStart + size)
            releaseIfDrained()
            return DecodedFrame(requestID: requestID, frame: frame)
        } catch {
            releaseIfDrained()
            var error = error
            error.streamOffset = frameOffset
            error.frameType = typeByte
            error.requestID = requestID
            throw error
        }
    }

    /// Parses a complete frame in place; the reader shares the buffer's storage (no copy).
    private func parseFrame(_ type: FrameType, frameStart: Int, frameEnd: Int) throws(WireError) -> Frame {
        var reader = FrameBodyReader(buffer, frameStart: frameStart, bodyStart: frameStart + WireFormat.headerSize, end: frameEnd)
        return try Self.parseBody(of: type, from: &reader)
    }

    private func readUInt32(at index: Int) -> UInt32 {
        UInt32(buffer[index]) << 24 | UInt32(buffer[index + 1]) << 16 | UInt32(buffer[index + 2]) << 8 | UInt32(buffer[index + 3])
    }

    /// Consumes the refused frame's buffered bytes and arranges to drop the rest as it arrives.
    private mutating func skip(frameSize: Int, _ error: WireError, requestID: RequestID) -> WireError {
        var error = error
        error.streamOffset = streamOffset
        error.requestID = requestID
        let available = buffer.count - readIndex
        let consumed = min(available, frameSize)
        readIndex += consumed
        streamOffset += UInt64(consumed)
        if consumed < frameSize { mode = .skipping(remaining: frameSize - consumed) }
        releaseIfDrained()
        return error
    }

    /// Stops the decoder for good and frees its buffer.
    private mutating func fail(_ reason: WireError.Reason, fieldOffset: Int) -> WireError {
        var error = WireError(reason, fieldOffset: fieldOffset)
        error.streamOffset = streamOffset
        mode = .failed
        buffer = []
        readIndex = 0
        return error
    }
}

/// Encodes frames to bytes (docs/wire.md).
///
/// Every frame is validated (field limits, counts, the maximum frame size) before a byte is written,
/// so a failed encode leaves the output untouched, and whatever encodes also decodes. The exact size
/// is computed first and reserved once: encoding a frame allocates at most once, and not at all when
/// appending into a buffer with room.
public struct FrameEncoder: Sendable {
    /// The largest frame (length prefix included) this encoder produces.
    public let maximumFrameSize: Int

    /// An encoder refusing frames above `maximumFrameSize` bytes (1 KiB … 16 MiB; default 256 KiB).
    public init(maximumFrameSize: Int = WireFormat.defaultMaximumFrameSize) {
        precondition(
            (WireFormat.minimumConfigurableFrameSize...WireFormat.maximumConfigurableFrameSize).contains(maximumFrameSize),
            "maximum frame size \(maximumFrameSize) outside 1 KiB … 16 MiB"
        )
        self.maximumFrameSize = maximumFrameSize
    }

    /// The frame's bytes, header included.
    ///
    /// - Throws: ``WireError`` with ``WireError/Reason/invalidField(field:reason:)`` for a field the
    ///   wire forbids, or ``WireError/Reason/frameTooLarge(frameSize:limit:)``.
    public func encode(_ frame: Frame, requestID: RequestID = .zero) throws(WireError) -> [UInt8] {
        var bytes: [UInt8] = []
        try encode(frame, requestID: requestID, into: &bytes)
        return bytes
    }

    /// Appends the frame's bytes to `buffer`; on error `buffer` is unchanged.
    ///
    /// - Throws: as ``encode(_:requestID:)``.
    public func encode(_ frame: Frame, requestID: RequestID = .zero, into buffer: inout [UInt8]) throws(WireError) {
        let frameSize = try encodedSize(of: frame)
        let needed = buffer.count + frameSize
        if buffer.capacity < needed {
            // `reserveCapacity` grows to exactly what is asked; doubling keeps a run of appends linear.
            buffer.reserveCapacity(max(needed, 2 * buffer.capacity))
        }
        var writer = FrameWriter()
        swap(&writer.bytes, &buffer)
        writer.write(UInt32(truncatingIfNeeded: frameSize - WireFormat.lengthPrefixSize))
        writer.write(WireFormat.version)
        writer.write(frame.type.rawValue)
        writer.write(requestID.rawValue)
        Self.writeBody(of: frame, to: &writer)
        swap(&writer.bytes, &buffer)
    }

    /// The frame's encoded size, length prefix included, after validating every field.
    ///
    /// - Throws: as ``encode(_:requestID:)``.
    public func encodedSize(of frame: Frame) throws(WireError) -> Int {
        let frameSize = WireFormat.headerSize + (try Self.validatedBodyLength(of: frame))
        guard frameSize <= maximumFrameSize else {
            throw WireError(.frameTooLarge(frameSize: UInt64(frameSize), limit: maximumFrameSize), frameType: frame.type.rawValue)
        }
        return frameSize
    }
}

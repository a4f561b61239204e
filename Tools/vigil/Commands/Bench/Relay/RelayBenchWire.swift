import Transport

/// The load generator's side of the relay wire (docs/wire.md), cut to what a benchmark client
/// does per message: patch a `send` template encoded once by ``FrameEncoder``, find complete
/// frames, read a `deliver`'s envelope id and payload stamp in place, and build `ack` frames.
/// Everything else (registered, error, ping) goes through ``FrameDecoder``. ``verify(payloadSize:)``
/// checks the shortcuts against the codec before any figure is taken.
enum RelayBenchWire {
    /// `deliver` (0x85) and `accepted` (0x84) type bytes, the hot frames.
    static let deliverType = FrameType.deliver.rawValue
    static let acceptedType = FrameType.accepted.rawValue

    /// Why a byte stream from the relay could not be followed.
    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    /// A `send` frame to `recipient` whose client message id and payload stamp are patched per
    /// message: encoded once, copied and patched for each.
    struct SendTemplate {
        /// The encoded frame with client message id 0 and a zero stamp.
        let bytes: [UInt8]
        /// Offset of the `u64` client message id.
        let clientMessageIDOffset: Int
        /// Offset of the ciphertext, whose first 16 bytes carry the stamp and the sequence number.
        let payloadOffset: Int

        /// Encodes the template; `payloadSize` is the ciphertext length (at least 16).
        init(recipient: PhoneNumber, payloadSize: Int) throws(WireError) {
            var payload = [UInt8](repeating: 0, count: payloadSize)
            for index in 16..<payloadSize { payload[index] = UInt8(truncatingIfNeeded: index &* 31) }
            bytes = try FrameEncoder().encode(.send(OutgoingEnvelope(
                recipient: recipient, clientMessageID: 0, kind: .user, ciphertext: payload
            )))
            // docs/wire.md: header 10 B, phone `u8 n ‖ n B` (n = 1 + digits), `u64` id, kind 2 B, `u32` length.
            clientMessageIDOffset = WireFormat.headerSize + 2 + recipient.digitCount
            payloadOffset = clientMessageIDOffset + 8 + 2 + 4
        }

        /// Appends a copy of the frame with `clientMessageID` and the payload stamp filled in.
        func append(to buffer: inout [UInt8], clientMessageID: UInt64, stamp: UInt64, sequence: UInt64) {
            let base = buffer.count
            buffer.append(contentsOf: bytes)
            let idOffset = base + clientMessageIDOffset
            let stampOffset = base + payloadOffset
            buffer.withUnsafeMutableBytes { raw in
                raw.storeBytes(of: clientMessageID.bigEndian, toByteOffset: idOffset, as: UInt64.self)
                raw.storeBytes(of: stamp.littleEndian, toByteOffset: stampOffset, as: UInt64.self)
                raw.storeBytes(of: sequence.littleEndian, toByteOffset: stampOffset + 8, as: UInt64.self)
            }
        }
    }

    /// Calls `body(type, frame)` for every complete frame at the front of `bytes` and returns how
    /// many bytes those frames take (the rest is an incomplete frame).
    static func forEachFrame(
        in bytes: ArraySlice<UInt8>, _ body: (UInt8, ArraySlice<UInt8>) throws(Malformed) -> Void
    ) throws(Malformed) -> Int {
        var start = bytes.startIndex
        while bytes.endIndex - start >= WireFormat.headerSize {
            let length = Int(readUInt32BigEndian(bytes, at: start))
            guard length >= WireFormat.headerAfterLength, length + 4 <= WireFormat.defaultMaximumFrameSize else {
                throw Malformed(description: "relay sent a frame length of \(length)")
            }
            let end = start + 4 + length
            guard end <= bytes.endIndex else { break }
            try body(bytes[start + 5], bytes[start..<end])
            start = end
        }
        return start - bytes.startIndex
    }

    /// A `deliver` frame's envelope id (its 16 bytes' range) and the payload's stamp.
    static func parseDeliver(_ frame: ArraySlice<UInt8>) throws(Malformed) -> (id: Range<Int>, stamp: UInt64) {
        let body = frame.startIndex + WireFormat.headerSize
        // envelope id 16 B ‖ phone (u8 n ‖ n B) ‖ time 8 B ‖ kind 2 B ‖ u32 length ‖ ciphertext
        guard frame.endIndex - body > 17 else { throw Malformed(description: "short deliver frame") }
        let phoneLength = Int(frame[body + 16])
        let payload = body + 17 + phoneLength + 8 + 2 + 4
        guard payload + 8 <= frame.endIndex else { throw Malformed(description: "deliver payload shorter than its stamp") }
        return (body..<(body + EnvelopeID.byteCount), readUInt64LittleEndian(frame, at: payload))
    }

    /// Appends `ack` frames for the envelope ids in `ids` (16 bytes each, concatenated), at most
    /// 256 ids per frame.
    static func appendAcks(ids: [UInt8], to buffer: inout [UInt8]) {
        let perFrame = WireFormat.maximumEnvelopeIDCount * EnvelopeID.byteCount
        var offset = 0
        while offset < ids.count {
            let chunk = min(perFrame, ids.count - offset)
            let count = chunk / EnvelopeID.byteCount
            let length = UInt32(WireFormat.headerAfterLength + 2 + chunk)
            buffer.append(contentsOf: [
                UInt8(truncatingIfNeeded: length >> 24), UInt8(truncatingIfNeeded: length >> 16),
                UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length),
                WireFormat.version, FrameType.ack.rawValue, 0, 0, 0, 0,
                UInt8(truncatingIfNeeded: count >> 8), UInt8(truncatingIfNeeded: count),
            ])
            buffer.append(contentsOf: ids[offset..<(offset + chunk)])
            offset += chunk
        }
    }

    /// Decodes one complete frame with the real codec (the rare frames: registered, error, ping).
    static func decode(_ frame: ArraySlice<UInt8>) throws(Malformed) -> DecodedFrame {
        var decoder = FrameDecoder()
        decoder.feed(frame)
        let decoded: DecodedFrame?
        do throws(WireError) {
            decoded = try decoder.next()
        } catch {
            throw Malformed(description: "undecodable frame from the relay: \(error)")
        }
        guard let decoded else { throw Malformed(description: "incomplete frame") }
        return decoded
    }

    /// Checks every shortcut above against ``FrameEncoder`` / ``FrameDecoder``.
    static func verify(payloadSize: Int) throws(CLIError) {
        guard let recipient = PhoneNumber(digits: 15_551_000_007), let sender = PhoneNumber(digits: 15_552_000_007) else {
            throw CLIError("bench: invalid test numbers")
        }
        do {
            let template = try SendTemplate(recipient: recipient, payloadSize: payloadSize)
            var bytes: [UInt8] = []
            template.append(to: &bytes, clientMessageID: 0x0102_0304_0506_0708, stamp: 0x1122_3344_5566_7788, sequence: 9)
            guard case let .send(envelope) = try decode(bytes[...]).frame,
                  envelope.recipient == recipient, envelope.clientMessageID == 0x0102_0304_0506_0708,
                  envelope.ciphertext.count == payloadSize,
                  readUInt64LittleEndian(envelope.ciphertext[...], at: 0) == 0x1122_3344_5566_7788
            else { throw CLIError("bench: the patched send template does not decode as intended") }

            let id = EnvelopeID(high: 0x0a0b_0c0d_0e0f_1011, low: 0x1213_1415_1617_1819)
            let deliver = try FrameEncoder().encode(.deliver(DeliveredEnvelope(
                id: id, sender: sender, serverTimeMilliseconds: 1, kind: .user, ciphertext: envelope.ciphertext
            )))
            var seen = 0
            let consumed = try forEachFrame(in: deliver[...]) { type, frame throws(Malformed) in
                let parsed = try parseDeliver(frame)
                guard type == deliverType, Array(frame[parsed.id]) == id.bytes, parsed.stamp == 0x1122_3344_5566_7788 else {
                    throw Malformed(description: "deliver fields read wrongly")
                }
                seen += 1
            }
            guard seen == 1, consumed == deliver.count else { throw CLIError("bench: deliver frame not split as encoded") }

            let ids = (0..<300).map { EnvelopeID(high: UInt64($0), low: ~UInt64($0)) }
            var acks: [UInt8] = []
            appendAcks(ids: ids.flatMap(\.bytes), to: &acks)
            var expected = try FrameEncoder().encode(.ack(envelopeIDs: Array(ids[0..<256])))
            expected += try FrameEncoder().encode(.ack(envelopeIDs: Array(ids[256...])))
            guard acks == expected else { throw CLIError("bench: hand-built ack frames differ from the encoder's") }
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError("bench: wire self-check failed: \(error)")
        }
    }

    /// A big-endian `u32` at `index`.
    static func readUInt32BigEndian(_ bytes: ArraySlice<UInt8>, at index: Int) -> UInt32 {
        UInt32(bytes[index]) << 24 | UInt32(bytes[index + 1]) << 16 | UInt32(bytes[index + 2]) << 8 | UInt32(bytes[index + 3])
    }

    /// A little-endian `u64` at `index` (the payload stamp's byte order).
    static func readUInt64LittleEndian(_ bytes: ArraySlice<UInt8>, at index: Int) -> UInt64 {
        var value: UInt64 = 0
        for offset in (0..<8).reversed() { value = value << 8 | UInt64(bytes[index + offset]) }
        return value
    }
}

/// Reads one complete, buffered frame body field by field. Every read is bounds-checked against the
/// body's end and throws a ``WireError`` naming the field and its offset in the frame; nothing traps.
struct FrameBodyReader {
    private let bytes: [UInt8]
    private let frameStart: Int
    private var index: Int
    private let end: Int

    /// A reader over `bytes[bodyStart..<end]`, a frame whose length prefix starts at `frameStart`.
    init(_ bytes: [UInt8], frameStart: Int, bodyStart: Int, end: Int) {
        self.bytes = bytes
        self.frameStart = frameStart
        self.index = bodyStart
        self.end = end
    }

    /// The current position, counted from the frame's length prefix.
    var offsetInFrame: Int { index - frameStart }

    private var remaining: Int { end - index }

    private func truncated(_ field: String, needed: Int) -> WireError {
        WireError(.truncated(field: field, needed: needed, available: remaining), fieldOffset: offsetInFrame)
    }

    /// An ``WireError/Reason/invalidField(field:reason:)`` error for the field starting at `offset`.
    func invalid(_ field: String, _ why: String, at offset: Int) -> WireError {
        WireError(.invalidField(field: field, reason: why), fieldOffset: offset)
    }

    /// Reads a big-endian integer of `count` bytes.
    private mutating func readInteger(_ count: Int, _ field: String) throws(WireError) -> UInt64 {
        guard remaining >= count else { throw truncated(field, needed: count) }
        var value: UInt64 = 0
        for offset in index..<(index + count) { value = value << 8 | UInt64(bytes[offset]) }
        index += count
        return value
    }

    mutating func readUInt8(_ field: String) throws(WireError) -> UInt8 {
        UInt8(truncatingIfNeeded: try readInteger(1, field))
    }

    mutating func readUInt16(_ field: String) throws(WireError) -> UInt16 {
        UInt16(truncatingIfNeeded: try readInteger(2, field))
    }

    mutating func readUInt32(_ field: String) throws(WireError) -> UInt32 {
        UInt32(truncatingIfNeeded: try readInteger(4, field))
    }

    mutating func readUInt64(_ field: String) throws(WireError) -> UInt64 {
        try readInteger(8, field)
    }

    /// The next `count` bytes, without copying.
    private mutating func readSlice(_ count: Int, _ field: String) throws(WireError) -> ArraySlice<UInt8> {
        guard remaining >= count else { throw truncated(field, needed: count) }
        defer { index += count }
        return bytes[index..<(index + count)]
    }

    /// `u8 n ‖ n B` holding `+` and 8–15 digits, the first non-zero.
    mutating func readPhone(_ field: String) throws(WireError) -> PhoneNumber {
        let start = offsetInFrame
        let length = Int(try readUInt8(field))
        guard (1 + PhoneNumber.minimumDigitCount...1 + PhoneNumber.maximumDigitCount).contains(length) else {
            throw invalid(field, "length \(length) not in 9…16", at: start)
        }
        guard let phone = PhoneNumber(e164: try readSlice(length, field)) else {
            throw invalid(field, "not E.164 (+ and 8–15 digits, the first not 0)", at: start)
        }
        return phone
    }

    mutating func readDevice() throws(WireError) -> DeviceID {
        let start = offsetInFrame
        guard let device = DeviceID(rawValue: try readUInt32("device")) else {
            throw invalid("device", "0 is reserved", at: start)
        }
        return device
    }

    mutating func readToken() throws(WireError) -> RelayToken {
        RelayToken(words: (try readUInt64("token"), try readUInt64("token"), try readUInt64("token"), try readUInt64("token")))
    }

    mutating func readEnvelopeID(_ field: String) throws(WireError) -> EnvelopeID {
        guard remaining >= EnvelopeID.byteCount else { throw truncated(field, needed: EnvelopeID.byteCount) }
        return EnvelopeID(high: try readUInt64(field), low: try readUInt64(field))
    }

    /// `u8 kind ‖ u8 category`.
    mutating func readKind() throws(WireError) -> EnvelopeKind {
        let start = offsetInFrame
        let kind = try readUInt8("kind")
        let category = try readUInt8("category")
        guard let value = EnvelopeKind(kind: kind, category: category) else {
            throw invalid("kind", "kind \(kind) with category \(category)", at: start)
        }
        return value
    }

    /// A one-byte enumeration value; `field` names it in errors.
    mutating func readEnum<T: RawRepresentable<UInt8>>(_: T.Type, _ field: String) throws(WireError) -> T {
        let start = offsetInFrame
        let raw = try readUInt8(field)
        guard let value = T(rawValue: raw) else { throw invalid(field, "unknown value \(raw)", at: start) }
        return value
    }

    /// `u16 n ‖ n × 16 B`, 1 ≤ n ≤ 256.
    mutating func readEnvelopeIDs() throws(WireError) -> [EnvelopeID] {
        let start = offsetInFrame
        let count = Int(try readUInt16("envelope id count"))
        guard (1...WireFormat.maximumEnvelopeIDCount).contains(count) else {
            throw invalid("envelope id count", "\(count) not in 1…\(WireFormat.maximumEnvelopeIDCount)", at: start)
        }
        guard remaining >= count * EnvelopeID.byteCount else {
            throw truncated("envelope ids", needed: count * EnvelopeID.byteCount)
        }
        var ids: [EnvelopeID] = []
        ids.reserveCapacity(count)
        for _ in 0..<count { ids.append(try readEnvelopeID("envelope id")) }
        return ids
    }

    /// `u16 n ‖ n B` (`long == false`) or `u32 n ‖ n B`, 1 ≤ n ≤ `limit`, copied out.
    mutating func readOpaque(_ field: String, long: Bool, limit: Int) throws(WireError) -> [UInt8] {
        let start = offsetInFrame
        let count = long ? Int(try readUInt32(field)) : Int(try readUInt16(field))
        guard (1...limit).contains(count) else { throw invalid(field, "length \(count) not in 1…\(limit)", at: start) }
        return Array(try readSlice(count, field))
    }

    /// `u16 n ‖ n B` of valid UTF-8, n ≤ 512.
    mutating func readText(_ field: String, limit: Int = WireFormat.maximumErrorTextLength) throws(WireError) -> String {
        let start = offsetInFrame
        let count = Int(try readUInt16(field))
        guard count <= limit else { throw invalid(field, "length \(count) above \(limit)", at: start) }
        guard let text = String(validating: try readSlice(count, field), as: UTF8.self) else {
            throw invalid(field, "not valid UTF-8", at: start)
        }
        return text
    }

    /// Throws unless the whole body was read.
    func expectEnd() throws(WireError) {
        if remaining > 0 { throw WireError(.trailingBytes(count: remaining), fieldOffset: offsetInFrame) }
    }
}

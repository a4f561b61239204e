/// Appends big-endian fields to a byte buffer whose capacity the encoder reserved up front, so
/// writing a frame never reallocates. Multi-byte integers are copied in one append each.
struct FrameWriter {
    var bytes: [UInt8] = []

    mutating func write(_ value: UInt8) {
        bytes.append(value)
    }

    mutating func write(_ value: UInt16) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func write(_ value: UInt32) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func write(_ value: UInt64) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func write(_ phone: PhoneNumber) {
        let count = phone.digitCount
        write(UInt8(truncatingIfNeeded: count + 1))
        write(UInt8(ascii: "+"))
        var divisor = PhoneNumber.powerOfTen(count - 1)
        var rest = phone.digits
        while divisor > 0 {
            write(UInt8(truncatingIfNeeded: rest / divisor) + UInt8(ascii: "0"))
            rest %= divisor
            divisor /= 10
        }
    }

    mutating func write(_ device: DeviceID) {
        write(device.rawValue)
    }

    mutating func write(_ token: RelayToken) {
        let words = token.bigEndianWords
        write(words.0)
        write(words.1)
        write(words.2)
        write(words.3)
    }

    mutating func write(_ id: EnvelopeID) {
        write(id.high)
        write(id.low)
    }

    mutating func write(_ kind: EnvelopeKind) {
        write(kind.kindByte)
        write(kind.categoryByte)
    }

    /// A `u16` count and the ids; the encoder has checked the count.
    mutating func write(_ ids: [EnvelopeID]) {
        write(UInt16(truncatingIfNeeded: ids.count))
        for id in ids { write(id) }
    }

    /// A `u16` length and the bytes; the encoder has checked the length.
    mutating func writeShortOpaque(_ value: [UInt8]) {
        write(UInt16(truncatingIfNeeded: value.count))
        bytes.append(contentsOf: value)
    }

    /// A `u32` length and the bytes; the encoder has checked the length.
    mutating func writeLongOpaque(_ value: [UInt8]) {
        write(UInt32(truncatingIfNeeded: value.count))
        bytes.append(contentsOf: value)
    }

    /// A `u16` length and the UTF-8 bytes; the encoder has checked the length.
    mutating func writeText(_ text: String) {
        write(UInt16(truncatingIfNeeded: text.utf8.count))
        bytes.append(contentsOf: text.utf8)
    }
}

/// The relay-assigned 16-byte id of an envelope: returned in `accepted`, carried by `deliver`, and
/// referenced by `ack`, receipts and reports. Opaque to clients.
public struct EnvelopeID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The length on the wire.
    public static let byteCount = 16

    /// Bytes 0–7, big-endian.
    public let high: UInt64
    /// Bytes 8–15, big-endian.
    public let low: UInt64

    /// An id from its two big-endian halves.
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// An id from exactly 16 bytes; `nil` for any other count.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == Self.byteCount else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (index, byte) in bytes.enumerated() {
            if index < 8 { high = high << 8 | UInt64(byte) } else { low = low << 8 | UInt64(byte) }
        }
        self.init(high: high, low: low)
    }

    /// A random id drawn from `generator`.
    public static func random(using generator: inout some RandomNumberGenerator) -> EnvelopeID {
        EnvelopeID(high: generator.next(), low: generator.next())
    }

    /// The 16 bytes.
    public var bytes: [UInt8] {
        (0..<Self.byteCount).map { index in
            let word = index < 8 ? high : low
            return UInt8(truncatingIfNeeded: word >> UInt64(56 - 8 * (index % 8)))
        }
    }

    /// Orders by the bytes, as unsigned big-endian numbers.
    public static func < (lhs: EnvelopeID, rhs: EnvelopeID) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }

    /// 32 lowercase hex digits.
    public var description: String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(2 * Self.byteCount)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}

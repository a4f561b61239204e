/// 32 secret bytes as four big-endian 64-bit words — the storage of ``RelayToken`` and
/// ``TokenDigest``: a trivial value (no heap storage, nothing left behind by copies), converted
/// from and to bytes, and compared in constant time.
struct Secret256: Sendable {
    /// The length in bytes.
    static let byteCount = 32

    /// Bytes 0–7, 8–15, 16–23 and 24–31, big-endian.
    let words: (UInt64, UInt64, UInt64, UInt64)

    init(words: (UInt64, UInt64, UInt64, UInt64)) {
        self.words = words
    }

    /// From exactly 32 bytes; `nil` for any other count.
    init?(bytes: some Collection<UInt8>) {
        guard bytes.count == Self.byteCount else { return nil }
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        for (index, byte) in bytes.enumerated() {
            let shift = UInt64(56 - 8 * (index % 8))
            switch index / 8 {
            case 0: words.0 |= UInt64(byte) << shift
            case 1: words.1 |= UInt64(byte) << shift
            case 2: words.2 |= UInt64(byte) << shift
            default: words.3 |= UInt64(byte) << shift
            }
        }
        self.words = words
    }

    /// The 32 bytes.
    var bytes: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.byteCount)
        for word in [words.0, words.1, words.2, words.3] {
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
        }
        return bytes
    }

    /// Constant-time equality: every word XORed into one accumulator, tested once at the end, no
    /// early exit — the time taken does not reveal how many leading bytes matched.
    @inline(never)
    static func constantTimeEqual(_ lhs: Secret256, _ rhs: Secret256) -> Bool {
        var difference: UInt64 = 0
        difference |= lhs.words.0 ^ rhs.words.0
        difference |= lhs.words.1 ^ rhs.words.1
        difference |= lhs.words.2 ^ rhs.words.2
        difference |= lhs.words.3 ^ rhs.words.3
        return difference == 0
    }
}

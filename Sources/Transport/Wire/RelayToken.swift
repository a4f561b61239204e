/// The 32-byte secret the relay issues at registration and a device presents in every later `hello`.
///
/// Equality is constant-time: `==` XOR-accumulates all 32 bytes and tests the accumulator once, with
/// no early exit, so the time a comparison takes does not reveal how many leading bytes matched.
/// Deliberately not `Hashable` (hash tables keyed by a secret leak through timing) and never printed.
/// `Transport` does not link `Crypto`; the comparison is this small loop on purpose.
public struct RelayToken: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The token's length in bytes.
    public static let byteCount = 32

    /// The 32 bytes as four big-endian 64-bit words, so the value is trivial (no heap storage).
    private let words: (UInt64, UInt64, UInt64, UInt64)

    /// A token from exactly 32 bytes; `nil` for any other count.
    public init?(bytes: some Collection<UInt8>) {
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

    /// A token from four big-endian words (bytes 0–7, 8–15, 16–23, 24–31).
    init(words: (UInt64, UInt64, UInt64, UInt64)) {
        self.words = words
    }

    /// A fresh token drawn from `generator`. The relay passes a cryptographically secure generator
    /// (`SystemRandomNumberGenerator` reads the kernel's CSPRNG); tests pass a seeded one.
    public static func random(using generator: inout some RandomNumberGenerator) -> RelayToken {
        RelayToken(words: (generator.next(), generator.next(), generator.next(), generator.next()))
    }

    /// The 32 bytes.
    public var bytes: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.byteCount)
        for word in [words.0, words.1, words.2, words.3] {
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
        }
        return bytes
    }

    /// The four big-endian words, for the encoder.
    var bigEndianWords: (UInt64, UInt64, UInt64, UInt64) { words }

    /// Constant-time equality: every byte is XORed into one accumulator, tested once at the end.
    @inline(never)
    public static func == (lhs: RelayToken, rhs: RelayToken) -> Bool {
        var difference: UInt64 = 0
        difference |= lhs.words.0 ^ rhs.words.0
        difference |= lhs.words.1 ^ rhs.words.1
        difference |= lhs.words.2 ^ rhs.words.2
        difference |= lhs.words.3 ^ rhs.words.3
        return difference == 0
    }

    /// Never the secret: `RelayToken(redacted)`.
    public var description: String { "RelayToken(redacted)" }

    /// Never the secret: `RelayToken(redacted)`.
    public var debugDescription: String { description }
}

/// The one-way digest of a secret token — what a service keeps in place of the token itself
/// (the relay's registrations, `vigil serve`'s admin token): 32 bytes, the output of the
/// ``TokenHasher`` the executable supplies (SHA-256 in `vigil`).
///
/// Equality is constant-time (all 32 bytes XOR-accumulated, one test at the end, no early exit),
/// so comparing a presented token's digest with the stored one does not reveal how many leading
/// bytes matched. Deliberately not `Hashable`, and never printed.
public struct TokenDigest: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The digest's length in bytes.
    public static let byteCount = 32

    /// The stand-in an unknown account is compared against, so a refusal takes the same time
    /// whether or not the account exists. No hasher maps a token to it in practice (2⁻²⁵⁶).
    static let zero = TokenDigest(words: (0, 0, 0, 0))

    /// The 32 bytes as four big-endian 64-bit words (a trivial value: no heap storage).
    private let words: (UInt64, UInt64, UInt64, UInt64)

    private init(words: (UInt64, UInt64, UInt64, UInt64)) {
        self.words = words
    }

    /// A digest from exactly 32 bytes; `nil` for any other count.
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

    /// The 32 bytes.
    public var bytes: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.byteCount)
        for word in [words.0, words.1, words.2, words.3] {
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
        }
        return bytes
    }

    /// Constant-time equality: every word XORed into one accumulator, tested once at the end.
    @inline(never)
    public static func == (lhs: TokenDigest, rhs: TokenDigest) -> Bool {
        var difference: UInt64 = 0
        difference |= lhs.words.0 ^ rhs.words.0
        difference |= lhs.words.1 ^ rhs.words.1
        difference |= lhs.words.2 ^ rhs.words.2
        difference |= lhs.words.3 ^ rhs.words.3
        return difference == 0
    }

    /// Never the bytes: `TokenDigest(redacted)`.
    public var description: String { "TokenDigest(redacted)" }

    /// Never the bytes: `TokenDigest(redacted)`.
    public var debugDescription: String { description }
}

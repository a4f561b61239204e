/// The 32-byte secret the relay issues at registration and a device presents in every later `hello`.
///
/// Equality is constant-time: `==` XOR-accumulates all 32 bytes and tests the accumulator once, with
/// no early exit, so the time a comparison takes does not reveal how many leading bytes matched.
/// Deliberately not `Hashable` (hash tables keyed by a secret leak through timing) and never printed.
/// `Transport` does not link `Crypto`; the comparison is this small loop on purpose.
public struct RelayToken: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The token's length in bytes.
    public static let byteCount = 32

    /// The 32 bytes (a trivial value: no heap storage).
    private let secret: Secret256

    /// A token from exactly 32 bytes; `nil` for any other count.
    public init?(bytes: some Collection<UInt8>) {
        guard let secret = Secret256(bytes: bytes) else { return nil }
        self.secret = secret
    }

    /// A token from four big-endian words (bytes 0–7, 8–15, 16–23, 24–31).
    init(words: (UInt64, UInt64, UInt64, UInt64)) {
        secret = Secret256(words: words)
    }

    /// A fresh token drawn from `generator`. The relay passes a cryptographically secure generator
    /// (`SystemRandomNumberGenerator` reads the kernel's CSPRNG); tests pass a seeded one.
    public static func random(using generator: inout some RandomNumberGenerator) -> RelayToken {
        RelayToken(words: (generator.next(), generator.next(), generator.next(), generator.next()))
    }

    /// The 32 bytes.
    public var bytes: [UInt8] { secret.bytes }

    /// The four big-endian words, for the encoder.
    var bigEndianWords: (UInt64, UInt64, UInt64, UInt64) { secret.words }

    /// Constant-time equality (``Secret256/constantTimeEqual(_:_:)``).
    public static func == (lhs: RelayToken, rhs: RelayToken) -> Bool {
        Secret256.constantTimeEqual(lhs.secret, rhs.secret)
    }

    /// Never the secret: `RelayToken(redacted)`.
    public var description: String { "RelayToken(redacted)" }

    /// Never the secret: `RelayToken(redacted)`.
    public var debugDescription: String { description }
}

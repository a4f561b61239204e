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

    /// The 32 bytes (a trivial value: no heap storage).
    private let secret: Secret256

    private init(words: (UInt64, UInt64, UInt64, UInt64)) {
        secret = Secret256(words: words)
    }

    /// A digest from exactly 32 bytes; `nil` for any other count.
    public init?(bytes: some Collection<UInt8>) {
        guard let secret = Secret256(bytes: bytes) else { return nil }
        self.secret = secret
    }

    /// The 32 bytes.
    public var bytes: [UInt8] { secret.bytes }

    /// Constant-time equality (``Secret256/constantTimeEqual(_:_:)``).
    public static func == (lhs: TokenDigest, rhs: TokenDigest) -> Bool {
        Secret256.constantTimeEqual(lhs.secret, rhs.secret)
    }

    /// Never the bytes: `TokenDigest(redacted)`.
    public var description: String { "TokenDigest(redacted)" }

    /// Never the bytes: `TokenDigest(redacted)`.
    public var debugDescription: String { description }
}

/// A 96-bit AEAD nonce, as ChaCha20-Poly1305 (RFC 8439) and AES-GCM (the recommended IV length)
/// take it.
///
/// A (key, nonce) pair must never seal two different messages: either derive a fresh key per
/// message (as the Double Ratchet does) or draw nonces at random / from a counter per key.
public struct AEADNonce: Sendable, Hashable {
    /// The nonce length in bytes (12).
    public static let byteCount = 12

    /// The 12 nonce bytes.
    public let rawRepresentation: [UInt8]

    /// A nonce from its 12 bytes.
    public init(rawRepresentation: some Collection<UInt8>) throws(CryptoError) {
        guard rawRepresentation.count == Self.byteCount else {
            throw .incorrectSize(.nonce, expected: Self.byteCount...Self.byteCount, actual: rawRepresentation.count)
        }
        self.rawRepresentation = Array(rawRepresentation)
    }

    /// A fresh random nonce from `random` (the operating system's generator by default).
    public init(using random: any RandomSource = SystemRandom()) throws(CryptoError) {
        self.rawRepresentation = try random.bytes(count: Self.byteCount)
    }
}

/// ChaCha20-Poly1305 authenticated encryption (RFC 8439): 32-byte key, 12-byte nonce, 16-byte
/// tag, optional associated data.
///
/// ```swift
/// let box = try ChaChaPoly.seal(message, using: key, nonce: AEADNonce(), authenticating: header)
/// let message = try ChaChaPoly.open(box, using: key, authenticating: header)
/// ```
public enum ChaChaPoly {
    /// The key length in bytes (32).
    public static let keyByteCount = 32

    /// A ChaCha20-Poly1305 nonce (96 bits).
    public typealias Nonce = AEADNonce

    /// A ChaCha20-Poly1305 sealed box.
    public typealias SealedBox = AEADSealedBox

    /// Encrypts `message` and authenticates it together with `authenticatedData`.
    ///
    /// Throws `incorrectSize(.key, …)` unless `key` is 32 bytes.
    @inlinable
    public static func seal(
        _ message: some Collection<UInt8>, using key: SymmetricKey, nonce: AEADNonce,
        authenticating authenticatedData: some Collection<UInt8> = [UInt8]()
    ) throws(CryptoError) -> AEADSealedBox {
        try AEADCipher.chaCha20Poly1305.seal(message, key: key, nonce: nonce, aad: authenticatedData)
    }

    /// Verifies and decrypts `box`; throws `CryptoError.authenticationFailure` if the key, nonce,
    /// ciphertext, tag or `authenticatedData` differ from what was sealed.
    @inlinable
    public static func open(
        _ box: AEADSealedBox, using key: SymmetricKey,
        authenticating authenticatedData: some Collection<UInt8> = [UInt8]()
    ) throws(CryptoError) -> [UInt8] {
        try AEADCipher.chaCha20Poly1305.open(box, key: key, aad: authenticatedData)
    }
}

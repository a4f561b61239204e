/// Namespace for AES.
public enum AES {
    /// AES-256-GCM authenticated encryption (NIST SP 800-38D) for data at rest: 32-byte key,
    /// 12-byte nonce, 16-byte tag, optional associated data. Other key sizes, nonce lengths and
    /// tag lengths are deliberately not offered.
    public enum GCM {
        /// The key length in bytes (32).
        public static let keyByteCount = 32

        /// An AES-GCM nonce (96 bits).
        public typealias Nonce = AEADNonce

        /// An AES-GCM sealed box.
        public typealias SealedBox = AEADSealedBox

        /// Encrypts `message` and authenticates it together with `authenticatedData`.
        ///
        /// Throws `incorrectSize(.key, …)` unless `key` is 32 bytes.
        @inlinable
        public static func seal(
            _ message: some Collection<UInt8>, using key: SymmetricKey, nonce: AEADNonce,
            authenticating authenticatedData: some Collection<UInt8> = [UInt8]()
        ) throws(CryptoError) -> AEADSealedBox {
            try AEADCipher.aes256GCM.seal(message, key: key, nonce: nonce, aad: authenticatedData)
        }

        /// Verifies and decrypts `box`; throws `CryptoError.authenticationFailure` if the key,
        /// nonce, ciphertext, tag or `authenticatedData` differ from what was sealed.
        @inlinable
        public static func open(
            _ box: AEADSealedBox, using key: SymmetricKey,
            authenticating authenticatedData: some Collection<UInt8> = [UInt8]()
        ) throws(CryptoError) -> [UInt8] {
            try AEADCipher.aes256GCM.open(box, key: key, aad: authenticatedData)
        }
    }
}

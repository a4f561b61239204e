/// The protocol's key derivations (docs/protocol.md), with libsignal's constants.
public enum KeySchedule {
    static let x3dhInfo = Array("WhisperText".utf8)
    static let rootInfo = Array("WhisperRatchet".utf8)
    static let messageKeysInfo = Array("WhisperMessageKeys".utf8)
    static let zeroSalt = [UInt8](repeating: 0, count: 32)

    /// X3DH: SK = HKDF(salt = 0×32, ikm = 0xFF×32 ‖ DH1 ‖ DH2 ‖ DH3 [‖ DH4], "WhisperText", 32).
    public static func x3dhSecret(_ agreements: [SharedSecret]) throws(CryptoError) -> SymmetricKey {
        let input = SecureBytes(concatenating: [SecureBytes(repeating: 0xFF, count: 32)] + agreements.map(\.secureBytes))
        return try HKDF.deriveKey(inputKeyMaterial: SymmetricKey(secureBytes: input), salt: zeroSalt, info: x3dhInfo, outputByteCount: 32)
    }

    /// KDF_RK: HKDF(salt = RK, ikm = DH output, "WhisperRatchet", 64) → (RK', CK).
    public static func rootStep(rootKey: SymmetricKey, dhOutput: SecureBytes) throws(CryptoError) -> (rootKey: SymmetricKey, chainKey: SymmetricKey) {
        let output = try HKDF.deriveKey(
            inputKeyMaterial: SymmetricKey(secureBytes: dhOutput), salt: rootKey.secureBytes, info: rootInfo, outputByteCount: 64)
        return (SymmetricKey(data: output.secureBytes.prefix(32)), SymmetricKey(data: output.secureBytes.suffix(32)))
    }

    /// KDF_CK: message-key seed = HMAC(CK, 0x01), next CK = HMAC(CK, 0x02).
    public static func chainStep(_ chainKey: SymmetricKey) throws(CryptoError) -> (messageKeySeed: SymmetricKey, nextChainKey: SymmetricKey) {
        let seed = try HMAC.authenticationCode(for: CollectionOfOne(UInt8(1)), using: chainKey)
        let next = try HMAC.authenticationCode(for: CollectionOfOne(UInt8(2)), using: chainKey)
        return (seed.symmetricKey, next.symmetricKey)
    }

    /// Message keys: HKDF(salt = 0×32, ikm = seed, "WhisperMessageKeys", 80) → key [0, 32),
    /// nonce [64, 76). (libsignal's MAC key [32, 64) is unused: the AEAD authenticates.)
    public static func messageKeys(seed: SymmetricKey) throws(CryptoError) -> (key: SymmetricKey, nonce: AEADNonce) {
        let output = try HKDF.deriveKey(inputKeyMaterial: seed, salt: zeroSalt, info: messageKeysInfo, outputByteCount: 80)
        let bytes = output.secureBytes
        return (SymmetricKey(data: bytes.prefix(32)), try AEADNonce(rawRepresentation: bytes.dropFirst(64).prefix(12)))
    }
}

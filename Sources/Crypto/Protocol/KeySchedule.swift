import COpenSSL
import Glibc

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

    /// KDF_CK: message-key seed = HMAC(CK, 0x01), next CK = HMAC(CK, 0x02) — one HMAC context
    /// keyed once for both.
    public static func chainStep(_ chainKey: SymmetricKey) throws(CryptoError) -> (messageKeySeed: SymmetricKey, nextChainKey: SymmetricKey) {
        let template = try OpenSSLAlgorithms.hmacSHA256Template.get()
        var next: SecureBytes?
        let seed = try SecureBytes(count: 32) { (seedOut: UnsafeMutableRawBufferPointer) throws(CryptoError) in
            next = try SecureBytes(count: 32) { (nextOut: UnsafeMutableRawBufferPointer) throws(CryptoError) in
                var failed: UnsafePointer<CChar>?
                let result: Int32 = chainKey.secureBytes.withUnsafeBytes { (key: UnsafeRawBufferPointer) in
                    vigil_chain_step(
                        template.pointer, key.bytePointer, key.count, seedOut.mutableBytePointer,
                        nextOut.mutableBytePointer, &failed)
                }
                guard result == 1 else { throw OpenSSL.error(cName: failed) }
            }
        }
        guard let next else { preconditionFailure("chain step produced no next chain key") }
        return (SymmetricKey(secureBytes: seed), SymmetricKey(secureBytes: next))
    }

    /// Message keys: HKDF(salt = 0×32, ikm = seed, "WhisperMessageKeys", 80) → key [0, 32),
    /// nonce [64, 76). (libsignal's MAC key [32, 64) is unused: the AEAD authenticates.)
    public static func messageKeys(seed: SymmetricKey) throws(CryptoError) -> (key: SymmetricKey, nonce: AEADNonce) {
        let output = try HKDF.deriveKey(inputKeyMaterial: seed, salt: zeroSalt, info: messageKeysInfo, outputByteCount: 80)
        let bytes = output.secureBytes
        return (SymmetricKey(data: bytes.prefix(32)), try AEADNonce(rawRepresentation: bytes.dropFirst(64).prefix(12)))
    }

    /// The hot path of a sending or in-order receiving step: KDF_CK on `chainKey` and the
    /// message-key HKDF in one call into the shim (`vigil_chain_message_keys`, one HMAC context),
    /// equal to `chainStep` followed by `messageKeys(seed:)`. The message key and nonce are lent
    /// to `body` from a stack buffer that is wiped afterwards; the seed never reaches Swift.
    /// Returns the next chain key; if `body` throws, the error propagates and nothing is kept.
    static func nextMessageKey(
        chainKey: SymmetricKey,
        _ body: (_ key: UnsafeRawBufferPointer, _ nonce: UnsafeRawBufferPointer) throws(CryptoError) -> Void
    ) throws(CryptoError) -> SymmetricKey {
        let template = try OpenSSLAlgorithms.hmacSHA256Template.get()
        let next = try SecureBytes(count: 32) { (nextOut: UnsafeMutableRawBufferPointer) throws(CryptoError) in
            // 80 bytes: cipher key [0, 32), libsignal's MAC key [32, 64), nonce [64, 76), unused.
            var keys: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            var failure: CryptoError?
            withUnsafeMutableBytes(of: &keys) { (keyBytes: UnsafeMutableRawBufferPointer) in
                defer { OPENSSL_cleanse(keyBytes.baseAddress, keyBytes.count) }
                var failed: UnsafePointer<CChar>?
                let derived: Int32 = chainKey.secureBytes.withUnsafeBytes { (key: UnsafeRawBufferPointer) in
                    messageKeysInfo.withUnsafeBytes { (info: UnsafeRawBufferPointer) in
                        guard let macs = RatchetMACs.current(template: template) else {
                            return vigil_chain_message_keys(
                                template.pointer, key.bytePointer, key.count, info.bytePointer, info.count,
                                nextOut.mutableBytePointer, keyBytes.mutableBytePointer, keyBytes.count, &failed)
                        }
                        var discard: Int32 = 0
                        let result = vigil_chain_message_keys_cached(
                            macs, key.bytePointer, key.count, info.bytePointer, info.count,
                            nextOut.mutableBytePointer, keyBytes.mutableBytePointer, keyBytes.count, &discard, &failed)
                        if discard != 0 { RatchetMACs.discard() }
                        return result
                    }
                }
                guard derived == 1 else {
                    failure = OpenSSL.error(cName: failed)
                    return
                }
                do throws(CryptoError) {
                    try body(
                        UnsafeRawBufferPointer(rebasing: keyBytes[0..<32]),
                        UnsafeRawBufferPointer(rebasing: keyBytes[64..<(64 + AEADNonce.byteCount)]))
                } catch {
                    failure = error
                }
            }
            if let failure { throw failure }
        }
        return SymmetricKey(secureBytes: next)
    }
}

/// The calling thread's HMAC-SHA-256 contexts for `KeySchedule.nextMessageKey`
/// (`vigil_ratchet_macs`), in a POSIX thread-specific slot whose destructor frees them when the
/// thread exits.
///
/// Why this is safe: a slot is only ever read and written by its own thread, and the contexts
/// are used only inside one synchronous call into the shim (no suspension point, no re-entry), so
/// no two operations can share them; `pthread_key_t` is a plain integer created once under
/// Swift's thread-safe global initialization. Between calls the contexts hold no secret:
/// `vigil_chain_message_keys_cached` re-keys them with constants before it returns, and OpenSSL
/// wipes what it replaces.
enum RatchetMACs {
    /// The slot, or nil if the system refused to create one (then every call duplicates its own
    /// context, as the other HMAC paths do).
    private static let slot: pthread_key_t? = {
        var key = pthread_key_t()
        guard pthread_key_create(&key, { vigil_ratchet_macs_free($0) }) == 0 else { return nil }
        return key
    }()

    /// This thread's contexts, made on first use; nil if they cannot be made.
    static func current(template: SharedOpenSSLObject) -> UnsafeMutablePointer<vigil_ratchet_macs>? {
        guard let slot else { return nil }
        if let existing = pthread_getspecific(slot) {
            return existing.assumingMemoryBound(to: vigil_ratchet_macs.self)
        }
        guard let fresh = vigil_ratchet_macs_new(template.pointer) else { return nil }
        guard pthread_setspecific(slot, fresh) == 0 else {
            vigil_ratchet_macs_free(fresh)
            return nil
        }
        return fresh
    }

    /// Drops this thread's contexts (after the shim could not scrub them); the next call makes new ones.
    static func discard() {
        guard let slot, let existing = pthread_getspecific(slot) else { return }
        _ = pthread_setspecific(slot, nil)
        vigil_ratchet_macs_free(existing)
    }
}

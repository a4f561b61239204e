import COpenSSL

/// HMAC with SHA-256 (RFC 2104, FIPS 198-1).
///
/// Each call duplicates a template `EVP_MAC_CTX` whose digest was set once, keys it, absorbs the
/// message and finalizes, all in one call into the C shim (`vigil_hmac_sha256`): no algorithm is
/// looked up by name on the hot path. The Double Ratchet's chain step, two MACs under one key,
/// has its own entry point that keys the context once (`KeySchedule`).
public enum HMAC {
    /// The length of a full authentication code in bytes (32).
    public static let byteCount = 32

    /// The shortest truncation `isValidAuthenticationCode(_:truncatedTo:authenticating:using:)`
    /// accepts, in bytes (8, the length libsignal's message MAC uses).
    public static let minimumTruncatedByteCount = 8

    /// HMAC-SHA-256 of `message` under `key`.
    ///
    /// The corresponding C functions are `EVP_MAC_init`, `EVP_MAC_update` and `EVP_MAC_final`.
    public static func authenticationCode(
        for message: some Collection<UInt8>, using key: SymmetricKey
    ) throws(CryptoError) -> AuthenticationCode {
        let code = try SecureBytes(count: byteCount) { (output: UnsafeMutableRawBufferPointer) throws(CryptoError) in
            try key.withUnsafeBytes { (keyBytes: UnsafeRawBufferPointer) throws(CryptoError) in
                try message.withContiguousBytes { (messageBytes: UnsafeRawBufferPointer) throws(CryptoError) in
                    try compute(key: keyBytes, message: messageBytes, into: output)
                }
            }
        }
        return AuthenticationCode(secureBytes: code)
    }

    /// Whether `code` is the full 32-byte HMAC-SHA-256 of `message` under `key`, compared in
    /// constant time. A code of any other length is invalid.
    public static func isValidAuthenticationCode(
        _ code: some Collection<UInt8>, authenticating message: some Collection<UInt8>, using key: SymmetricKey
    ) throws(CryptoError) -> Bool {
        guard code.count == byteCount else { return false }
        let expected = try authenticationCode(for: message, using: key)
        return ConstantTime.equals(expected.secureBytes, code)
    }

    /// Whether `code` is HMAC-SHA-256 of `message` under `key` truncated to its first `byteCount`
    /// bytes (RFC 2104 §5), compared in constant time.
    ///
    /// The caller fixes the truncation length, never the peer: a `code` whose length differs from
    /// `byteCount` is invalid. `byteCount` must be in `minimumTruncatedByteCount...32`.
    public static func isValidAuthenticationCode(
        _ code: some Collection<UInt8>, truncatedTo byteCount: Int,
        authenticating message: some Collection<UInt8>, using key: SymmetricKey
    ) throws(CryptoError) -> Bool {
        let allowed = minimumTruncatedByteCount...Self.byteCount
        guard allowed.contains(byteCount) else {
            throw .incorrectSize(.tag, expected: allowed, actual: byteCount)
        }
        guard code.count == byteCount else { return false }
        let expected = try authenticationCode(for: message, using: key)
        return ConstantTime.equals(expected.secureBytes.prefix(byteCount), code)
    }

    private static func compute(
        key: UnsafeRawBufferPointer, message: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer
    ) throws(CryptoError) {
        let template = try OpenSSLAlgorithms.hmacSHA256Template.get()
        var failed: UnsafePointer<CChar>?
        guard vigil_hmac_sha256(
            template.pointer, key.bytePointer, key.count, message.bytePointer, message.count,
            output.mutableBytePointer, &failed) == 1
        else { throw OpenSSL.error(cName: failed) }
    }
}

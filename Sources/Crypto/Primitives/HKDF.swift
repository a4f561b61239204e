import COpenSSL

/// HKDF with SHA-256 (RFC 5869): extract-then-expand key derivation.
///
/// `deriveKey` runs both steps; `extract` and `expand` are exposed for key schedules that reuse a
/// pseudorandom key. Computed as RFC 5869's HMAC steps on OpenSSL's HMAC-SHA-256
/// (`vigil_hkdf_sha256` in the shim): OpenSSL 3.0's "HKDF" KDF does the same but fetches HMAC and
/// SHA-256 by name on every derivation, which cost more than the derivation itself.
public enum HKDF {
    /// SHA-256's output length, HashLen in RFC 5869 (32).
    public static let hashByteCount = 32

    /// The longest output expand can produce: 255 × HashLen = 8160 bytes.
    public static let maximumOutputByteCount = 255 * hashByteCount

    /// HKDF-SHA-256: `expand(extract(salt, inputKeyMaterial), info, outputByteCount)`.
    ///
    /// - Parameters:
    ///   - inputKeyMaterial: IKM, any length (e.g. concatenated Diffie-Hellman outputs).
    ///   - salt: any length; empty means HashLen zero bytes, as RFC 5869 specifies.
    ///   - info: context and application specific information; may be empty.
    ///   - outputByteCount: L, in `1...8160`.
    /// - Returns: the L bytes of output key material.
    public static func deriveKey(
        inputKeyMaterial: SymmetricKey, salt: some Collection<UInt8>, info: some Collection<UInt8>,
        outputByteCount: Int
    ) throws(CryptoError) -> SymmetricKey {
        try checkOutput(outputByteCount)
        return try derive(
            mode: vigil_hkdf_extract_and_expand(), key: inputKeyMaterial.secureBytes,
            salt: salt, info: info, outputByteCount: outputByteCount)
    }

    /// HKDF-Extract: PRK = HMAC-SHA-256(salt, IKM), 32 bytes. An empty salt means HashLen zeros.
    public static func extract(
        inputKeyMaterial: SymmetricKey, salt: some Collection<UInt8>
    ) throws(CryptoError) -> SymmetricKey {
        try derive(
            mode: vigil_hkdf_extract_only(), key: inputKeyMaterial.secureBytes,
            salt: salt, info: [UInt8](), outputByteCount: hashByteCount)
    }

    /// HKDF-Expand: the first `outputByteCount` bytes of T(1) ‖ T(2) ‖ … where
    /// T(i) = HMAC-SHA-256(PRK, T(i-1) ‖ info ‖ i).
    ///
    /// `pseudoRandomKey` must be at least HashLen (32) bytes, as RFC 5869 requires of a PRK.
    public static func expand(
        pseudoRandomKey: SymmetricKey, info: some Collection<UInt8>, outputByteCount: Int
    ) throws(CryptoError) -> SymmetricKey {
        guard pseudoRandomKey.byteCount >= hashByteCount else {
            throw .incorrectSize(.pseudoRandomKey, expected: hashByteCount...Int.max, actual: pseudoRandomKey.byteCount)
        }
        try checkOutput(outputByteCount)
        return try derive(
            mode: vigil_hkdf_expand_only(), key: pseudoRandomKey.secureBytes,
            salt: [UInt8](), info: info, outputByteCount: outputByteCount)
    }

    private static func checkOutput(_ outputByteCount: Int) throws(CryptoError) {
        guard (1...maximumOutputByteCount).contains(outputByteCount) else {
            throw .invalidOutputByteCount(requested: outputByteCount, allowed: 1...maximumOutputByteCount)
        }
    }

    /// Runs HKDF in `mode`; `key` is the IKM, or the PRK in expand-only mode. An empty salt is
    /// HashLen zeros (RFC 5869 §2.2), passed explicitly by the shim whatever OpenSSL's defaults.
    static func derive(
        mode: Int32, key: SecureBytes, salt: some Collection<UInt8>, info: some Collection<UInt8>,
        outputByteCount: Int
    ) throws(CryptoError) -> SymmetricKey {
        let template = try OpenSSLAlgorithms.hmacSHA256Template.get()
        let output = try SecureBytes(count: outputByteCount) { (out: UnsafeMutableRawBufferPointer) throws(CryptoError) in
            try key.withUnsafeBytes { (keyBytes: UnsafeRawBufferPointer) throws(CryptoError) in
                try salt.withContiguousBytes { (saltBytes: UnsafeRawBufferPointer) throws(CryptoError) in
                    try info.withContiguousBytes { (infoBytes: UnsafeRawBufferPointer) throws(CryptoError) in
                        var failed: UnsafePointer<CChar>?
                        guard vigil_hkdf_sha256(
                            template.pointer, mode, keyBytes.bytePointer, keyBytes.count,
                            saltBytes.bytePointer, saltBytes.count, infoBytes.bytePointer, infoBytes.count,
                            out.mutableBytePointer, out.count, &failed) == 1
                        else { throw OpenSSL.error(cName: failed) }
                    }
                }
            }
        }
        return SymmetricKey(secureBytes: output)
    }
}

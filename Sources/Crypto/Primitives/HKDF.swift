import COpenSSL

/// HKDF with SHA-256 (RFC 5869): extract-then-expand key derivation.
///
/// `deriveKey` runs both steps; `extract` and `expand` are exposed for key schedules that reuse a
/// pseudorandom key. Backed by OpenSSL's "HKDF" KDF, fetched once.
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
            mode: vigil_hkdf_mode_extract_and_expand(), key: inputKeyMaterial.secureBytes,
            salt: salt, info: info, outputByteCount: outputByteCount)
    }

    /// HKDF-Extract: PRK = HMAC-SHA-256(salt, IKM), 32 bytes. An empty salt means HashLen zeros.
    public static func extract(
        inputKeyMaterial: SymmetricKey, salt: some Collection<UInt8>
    ) throws(CryptoError) -> SymmetricKey {
        try derive(
            mode: vigil_hkdf_mode_extract_only(), key: inputKeyMaterial.secureBytes,
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
            mode: vigil_hkdf_mode_expand_only(), key: pseudoRandomKey.secureBytes,
            salt: [UInt8](), info: info, outputByteCount: outputByteCount)
    }

    private static func checkOutput(_ outputByteCount: Int) throws(CryptoError) {
        guard (1...maximumOutputByteCount).contains(outputByteCount) else {
            throw .invalidOutputByteCount(requested: outputByteCount, allowed: 1...maximumOutputByteCount)
        }
    }

    /// RFC 5869: a salt that is not provided is HashLen zeros. Passing them explicitly keeps the
    /// result independent of how OpenSSL treats an unset salt.
    private static let defaultSalt = [UInt8](repeating: 0, count: hashByteCount)

    private static func derive(
        mode: Int32, key: SecureBytes, salt: some Collection<UInt8>, info: some Collection<UInt8>,
        outputByteCount: Int
    ) throws(CryptoError) -> SymmetricKey {
        if salt.isEmpty && mode != vigil_hkdf_mode_expand_only() {
            return try derive(mode: mode, key: key, salt: defaultSalt, info: info, outputByteCount: outputByteCount)
        }
        let output = try SecureBytes(count: outputByteCount) { (out: UnsafeMutableRawBufferPointer) throws(CryptoError) in
            let context = try makeContext()
            defer { EVP_KDF_CTX_free(context) }
            try key.withUnsafeBytes { (keyBytes: UnsafeRawBufferPointer) throws(CryptoError) in
                try salt.withContiguousBytes { (saltBytes: UnsafeRawBufferPointer) throws(CryptoError) in
                    try info.withContiguousBytes { (infoBytes: UnsafeRawBufferPointer) throws(CryptoError) in
                        try OpenSSL.check(
                            vigil_hkdf_derive(
                                context, mode, keyBytes.bytePointer, keyBytes.count,
                                saltBytes.bytePointer, saltBytes.count, infoBytes.bytePointer, infoBytes.count,
                                out.mutableBytePointer, out.count),
                            "EVP_KDF_derive")
                    }
                }
            }
        }
        return SymmetricKey(secureBytes: output)
    }

    /// A fresh HKDF-SHA-256 context: a duplicate of the template where the library supports
    /// duplicating HKDF contexts (OpenSSL ≥ 3.1), otherwise a new context from the fetched KDF with
    /// the digest set by name (resolved through OpenSSL's method-store cache).
    private static func makeContext() throws(CryptoError) -> OpaquePointer {
        if let template = OpenSSLAlgorithms.hkdfSHA256Template {
            return try OpenSSL.unwrap(EVP_KDF_CTX_dup(template.pointer), "EVP_KDF_CTX_dup")
        }
        let kdf = try OpenSSLAlgorithms.hkdf.get()
        return try OpenSSL.unwrap(vigil_kdf_ctx_new_with_digest(kdf.pointer, "SHA256"), "EVP_KDF_CTX_new")
    }
}

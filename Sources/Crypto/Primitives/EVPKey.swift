import COpenSSL

/// An owned `EVP_PKEY` (X25519 or Ed25519), freed on release. OpenSSL wipes the private key
/// material when the key is freed (`OPENSSL_secure_clear_free` in the ECX key manager).
///
/// `@unchecked Sendable`: the key is created complete and never modified; each operation makes
/// its own `EVP_PKEY_CTX` / `EVP_MD_CTX` referencing it (directly or through a `ContextTemplate`
/// duplicate, or as the peer of `EVP_PKEY_derive_set_peer_ex`), and OpenSSL 3 supports concurrent
/// read-only use of one `EVP_PKEY` from several threads (its reference count is atomic).
final class EVPKey: @unchecked Sendable {
    let pointer: OpaquePointer

    private init(pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        EVP_PKEY_free(pointer)
    }

    /// A private key of `type` (`EVP_PKEY_X25519` / `EVP_PKEY_ED25519`) from its 32 raw bytes,
    /// imported through a duplicate of the type's shared key-manager context (no by-name fetch).
    static func privateKey(type: Int32, raw: SecureBytes) throws(CryptoError) -> EVPKey {
        let template = try (type == EVP_PKEY_X25519
            ? OpenSSLAlgorithms.x25519ImportTemplate : OpenSSLAlgorithms.ed25519ImportTemplate).get()
        precondition(type == EVP_PKEY_X25519 || type == EVP_PKEY_ED25519, "unsupported key type")
        var failed: UnsafePointer<CChar>?
        let pointer = raw.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            vigil_pkey_new_raw_private(template.pointer, bytes.bytePointer, bytes.count, &failed)
        }
        guard let pointer else { throw OpenSSL.error(cName: failed) }
        return EVPKey(pointer: pointer)
    }

    /// A public key of `type` from its 32 raw bytes.
    static func publicKey(type: Int32, raw: UnsafeRawBufferPointer) throws(CryptoError) -> EVPKey {
        let pointer = EVP_PKEY_new_raw_public_key(type, nil, raw.bytePointer, raw.count)
        return EVPKey(pointer: try OpenSSL.unwrap(pointer, "EVP_PKEY_new_raw_public_key"))
    }

    /// A public key of `type` from its 32 raw bytes, imported through a duplicate of the shared
    /// key-manager context for the type (see `OpenSSLAlgorithms.x25519ImportTemplate`), which
    /// costs about half of `EVP_PKEY_new_raw_public_key`'s by-name lookup.
    static func importedPublicKey(
        _ template: Result<SharedOpenSSLObject, CryptoError>, raw: some Collection<UInt8>
    ) throws(CryptoError) -> EVPKey {
        let template = try template.get()
        var pointer: OpaquePointer?
        var failed: UnsafePointer<CChar>?
        raw.readContiguousBytes { (bytes: UnsafeRawBufferPointer) in
            pointer = vigil_pkey_new_raw_public(template.pointer, bytes.bytePointer, bytes.count, &failed)
        }
        guard let pointer else { throw OpenSSL.error(cName: failed) }
        return EVPKey(pointer: pointer)
    }

    /// The 32-byte raw public key.
    func rawPublicKey() throws(CryptoError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 32)
        var length = bytes.count
        try OpenSSL.check(EVP_PKEY_get_raw_public_key(pointer, &bytes, &length), "EVP_PKEY_get_raw_public_key")
        precondition(length == 32, "raw public key length mismatch")
        return bytes
    }
}

import COpenSSL

/// An owned `EVP_PKEY` (X25519 or Ed25519), freed on release. OpenSSL wipes the private key
/// material when the key is freed (`OPENSSL_secure_clear_free` in the ECX key manager).
///
/// `@unchecked Sendable`: the key is created complete and never modified; each operation makes
/// its own `EVP_PKEY_CTX` / `EVP_MD_CTX` referencing it, and OpenSSL 3 supports concurrent
/// read-only use of one `EVP_PKEY` from several threads (its reference count is atomic).
final class EVPKey: @unchecked Sendable {
    let pointer: OpaquePointer

    private init(pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        EVP_PKEY_free(pointer)
    }

    /// A private key of `type` (`EVP_PKEY_X25519` / `EVP_PKEY_ED25519`) from its 32 raw bytes.
    static func privateKey(type: Int32, raw: SecureBytes) throws(CryptoError) -> EVPKey {
        let pointer = raw.withUnsafeBytes { bytes in
            EVP_PKEY_new_raw_private_key(type, nil, bytes.bytePointer, bytes.count)
        }
        return EVPKey(pointer: try OpenSSL.unwrap(pointer, "EVP_PKEY_new_raw_private_key"))
    }

    /// A public key of `type` from its 32 raw bytes.
    static func publicKey(type: Int32, raw: UnsafeRawBufferPointer) throws(CryptoError) -> EVPKey {
        let pointer = EVP_PKEY_new_raw_public_key(type, nil, raw.bytePointer, raw.count)
        return EVPKey(pointer: try OpenSSL.unwrap(pointer, "EVP_PKEY_new_raw_public_key"))
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

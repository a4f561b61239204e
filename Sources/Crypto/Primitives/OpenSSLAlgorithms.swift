import COpenSSL

/// An OpenSSL object fetched or built once and shared by every thread for the life of the process.
///
/// `@unchecked Sendable` is sound because of what the pointer refers to and how Vigil uses it:
/// - `EVP_MD`, `EVP_CIPHER`, `EVP_MAC` and `EVP_KDF` from `*_fetch` are immutable method tables;
///   OpenSSL 3 documents them as safe to share between threads (their reference counts are
///   atomic), and Vigil never frees them (they live in `static let`s, initialized once under
///   Swift's thread-safe lazy initialization).
/// - The template `EVP_MAC_CTX` and `EVP_PKEY_CTX` objects are only ever passed to
///   `EVP_MAC_CTX_dup` / `EVP_PKEY_CTX_dup`, which read their source (a struct copy plus the
///   provider's `dupctx`, itself a copy) and take atomic references on the shared method and key
///   objects; they are never initialized, updated or freed after construction.
final class SharedOpenSSLObject: @unchecked Sendable {
    /// The OpenSSL object.
    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) {
        self.pointer = pointer
    }
}

/// The algorithm objects Vigil uses, fetched once from the default provider.
///
/// Fetching by name in OpenSSL 3 takes a lock and a hash-table lookup; doing it on every call
/// dominates the cost of small messages, so each is fetched on first use and kept. A failed fetch
/// (a provider missing from the installation) is kept too and reported as a typed error on every
/// use, so no call site has to trap.
enum OpenSSLAlgorithms {
    /// SHA-256 (`EVP_MD_fetch(NULL, "SHA256", NULL)`).
    static let sha256 = fetch("EVP_MD_fetch") { EVP_MD_fetch(nil, "SHA256", nil) }
    /// SHA-512.
    static let sha512 = fetch("EVP_MD_fetch") { EVP_MD_fetch(nil, "SHA512", nil) }
    /// ChaCha20-Poly1305 (RFC 8439 AEAD).
    static let chaCha20Poly1305 = fetch("EVP_CIPHER_fetch") { EVP_CIPHER_fetch(nil, "ChaCha20-Poly1305", nil) }
    /// AES-256 in GCM mode.
    static let aes256GCM = fetch("EVP_CIPHER_fetch") { EVP_CIPHER_fetch(nil, "AES-256-GCM", nil) }
    /// HMAC.
    static let hmac = fetch("EVP_MAC_fetch") { EVP_MAC_fetch(nil, "HMAC", nil) }
    /// An HMAC context with its digest set to SHA-256 and no key: duplicated for each MAC (and for
    /// each HKDF, which runs as its HMAC steps) so the digest is not looked up by name per call.
    static let hmacSHA256Template: Result<SharedOpenSSLObject, CryptoError> = hmac.flatMap { mac in
        fetch("EVP_MAC_CTX_new") { vigil_mac_ctx_new_with_digest(mac.pointer, "SHA256") }
    }

    /// Key-manager contexts with no operation, duplicated to import raw keys: the import then
    /// skips the by-name key-manager fetch of `EVP_PKEY_new_raw_public_key` /
    /// `EVP_PKEY_new_raw_private_key`.
    static let x25519ImportTemplate = fetch("EVP_PKEY_CTX_new_from_name") { vigil_pkey_import_template("X25519") }
    static let ed25519ImportTemplate = fetch("EVP_PKEY_CTX_new_from_name") { vigil_pkey_import_template("ED25519") }

    private static func fetch(
        _ function: StaticString, _ body: () -> OpaquePointer?
    ) -> Result<SharedOpenSSLObject, CryptoError> {
        guard let pointer = body() else { return .failure(OpenSSL.error(function)) }
        return .success(SharedOpenSSLObject(pointer))
    }
}

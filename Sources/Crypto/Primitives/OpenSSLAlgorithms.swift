import COpenSSL

/// An OpenSSL object fetched or built once and shared by every thread for the life of the process.
///
/// `@unchecked Sendable` is sound because of what the pointer refers to and how Vigil uses it:
/// - `EVP_MD`, `EVP_CIPHER`, `EVP_MAC` and `EVP_KDF` from `*_fetch` are immutable method tables;
///   OpenSSL 3 documents them as safe to share between threads (their reference counts are
///   atomic), and Vigil never frees them (they live in `static let`s, initialized once under
///   Swift's thread-safe lazy initialization).
/// - The template `EVP_MAC_CTX` / `EVP_KDF_CTX` objects are only ever passed to
///   `EVP_MAC_CTX_dup` / `EVP_KDF_CTX_dup`, which read their source and take atomic references on
///   the fetched digest; they are never initialized, updated or freed after construction.
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
    /// HKDF.
    static let hkdf = fetch("EVP_KDF_fetch") { EVP_KDF_fetch(nil, "HKDF", nil) }

    /// An HMAC context with its digest set to SHA-256 and no key: duplicated for each MAC so the
    /// digest is not looked up by name per call.
    static let hmacSHA256Template: Result<SharedOpenSSLObject, CryptoError> = hmac.flatMap { mac in
        fetch("EVP_MAC_CTX_new") { vigil_mac_ctx_new_with_digest(mac.pointer, "SHA256") }
    }

    /// An HKDF context with its digest set to SHA-256, duplicated for each derivation — when the
    /// library can duplicate HKDF contexts. OpenSSL 3.0's HKDF has no `dupctx` (it arrived in
    /// 3.1; `EVP_KDF_CTX_dup` then returns NULL), so this is probed once and is `nil` on 3.0.
    static let hkdfSHA256Template: SharedOpenSSLObject? = {
        guard case .success(let kdf) = hkdf,
            let template = vigil_kdf_ctx_new_with_digest(kdf.pointer, "SHA256")
        else {
            ERR_clear_error()
            return nil
        }
        guard let probe = EVP_KDF_CTX_dup(template) else {
            EVP_KDF_CTX_free(template)
            ERR_clear_error()
            return nil
        }
        EVP_KDF_CTX_free(probe)
        return SharedOpenSSLObject(template)
    }()

    private static func fetch(
        _ function: StaticString, _ body: () -> OpaquePointer?
    ) -> Result<SharedOpenSSLObject, CryptoError> {
        guard let pointer = body() else { return .failure(OpenSSL.error(function)) }
        return .success(SharedOpenSSLObject(pointer))
    }
}

import COpenSSL
import Synchronization

/// An owned OpenSSL context prepared once for a key (a derivation context for an X25519 private
/// key, a digest-sign or digest-verify context for an Ed25519 key) and then used only as a
/// template: each operation works on its own duplicate (`EVP_PKEY_CTX_dup` in `vigil_derive`,
/// `EVP_MD_CTX_copy_ex` in `vigil_eddsa_sign` / `vigil_eddsa_verify`), which skips the by-name
/// method fetches of `EVP_PKEY_derive_init` / `EVP_DigestSignInit` on every call.
///
/// `@unchecked Sendable`: after `init` the context is never initialized, updated or used for an
/// operation again; it is only the source of `EVP_PKEY_CTX_dup` / `EVP_MD_CTX_copy_ex`, which read
/// it (a struct copy plus the provider's `dupctx`, itself a copy of the provider context) and take
/// atomic references on the shared key and method objects. Concurrent readers of an unchanging
/// context are safe; it is freed in `deinit`, when no other reference exists.
final class ContextTemplate: @unchecked Sendable {
    private enum Kind {
        case keyContext  // EVP_PKEY_CTX
        case digestContext  // EVP_MD_CTX
    }

    let pointer: OpaquePointer
    private let kind: Kind

    private init(pointer: OpaquePointer, kind: Kind) {
        self.pointer = pointer
        self.kind = kind
    }

    deinit {
        switch kind {
        case .keyContext: EVP_PKEY_CTX_free(pointer)
        case .digestContext: EVP_MD_CTX_free(pointer)
        }
    }

    /// A derivation context for the private key `key` (`EVP_PKEY_derive_init`).
    static func derivation(for key: EVPKey) throws(CryptoError) -> ContextTemplate {
        var failed: UnsafePointer<CChar>?
        guard let pointer = vigil_derive_template(key.pointer, &failed) else { throw OpenSSL.error(cName: failed) }
        return ContextTemplate(pointer: pointer, kind: .keyContext)
    }

    /// An Ed25519 digest-sign (`verify == false`) or digest-verify context for `key`.
    static func eddsa(for key: EVPKey, verify: Bool) throws(CryptoError) -> ContextTemplate {
        var failed: UnsafePointer<CChar>?
        guard let pointer = vigil_eddsa_template(key.pointer, verify ? 1 : 0, &failed) else {
            throw OpenSSL.error(cName: failed)
        }
        return ContextTemplate(pointer: pointer, kind: .digestContext)
    }
}

/// An object built on first use and then shared by every copy of the value that holds this box
/// (e.g. a public key's imported `EVP_PKEY`), for the box's lifetime.
///
/// Lock-free: threads that race on the first use may each build one; the first stored wins and
/// the others are released (`AtomicLazyReference`). The box is `Sendable` because its only state
/// is that atomic reference to a `Sendable` object.
final class LazyObject<Object: AnyObject & Sendable>: Sendable {
    private let reference = AtomicLazyReference<Object>()

    init() {}

    /// The stored object, building it with `make` if there is none yet.
    func get(orMake make: () throws(CryptoError) -> Object) throws(CryptoError) -> Object {
        if let existing = reference.load() { return existing }
        return reference.storeIfNil(try make())
    }
}

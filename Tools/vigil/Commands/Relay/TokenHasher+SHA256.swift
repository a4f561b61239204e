import Crypto
import Transport

extension TokenHasher {
    /// SHA-256 from `Crypto` (OpenSSL): the hasher every `vigil` command gives the relay and the
    /// integrity API, which cannot link `Crypto` themselves (DESIGN.md rule 1). `nil` only if
    /// libcrypto fails, and then the request that needed it is refused.
    static let sha256 = TokenHasher(name: "SHA-256") { secret in
        guard let digest = try? SHA256.hash(data: secret) else { return nil }
        return Array(digest)
    }
}

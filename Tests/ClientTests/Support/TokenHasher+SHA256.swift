import Crypto
import Transport

extension TokenHasher {
    /// SHA-256 from `Crypto`, as `vigil` gives the relay.
    static let sha256 = TokenHasher(name: "SHA-256") { secret in
        guard let digest = try? SHA256.hash(data: secret) else { return nil }
        return Array(digest)
    }
}

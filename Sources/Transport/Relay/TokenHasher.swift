/// The one-way function that turns a secret token into the ``TokenDigest`` a service stores and
/// compares — a plug-in point, like ``MetadataSink`` and ``AdmissionPolicy``.
///
/// `Transport` and `Integrity` link no hash implementation (DESIGN.md rule 1: nothing from
/// `Crypto` or `COpenSSL`, and no primitive written here), so the executable supplies one: `vigil`
/// passes SHA-256 from `Crypto` (`TokenHasher.sha256`). Tokens are 32 random bytes (the relay's)
/// or at least 16 (the admin token), so a fast preimage-resistant hash is what is needed — there
/// is nothing to brute-force that a slow password hash would protect.
///
/// ```swift
/// let hasher = TokenHasher(name: "SHA-256") { bytes in try? Array(SHA256.hash(data: bytes)) }
/// let stored = hasher.digest(of: token)        // kept instead of the token
/// let ok = hasher.digest(of: presented) == stored  // constant-time
/// ```
public struct TokenHasher: Sendable {
    /// The function's name, for messages (`SHA-256`).
    public let name: String
    private let function: @Sendable ([UInt8]) -> [UInt8]?

    /// A hasher computing `function`, which must return 32 bytes (or `nil` when it failed).
    public init(name: String, _ function: @escaping @Sendable (_ secret: [UInt8]) -> [UInt8]?) {
        self.name = name
        self.function = function
    }

    /// The digest of `secret`; `nil` if the function failed or did not return 32 bytes (the
    /// caller refuses the request rather than compare against something unknown).
    public func digest(of secret: some Collection<UInt8>) -> TokenDigest? {
        function(Array(secret)).flatMap { TokenDigest(bytes: $0) }
    }

    /// The digest of a relay token's 32 bytes.
    public func digest(of token: RelayToken) -> TokenDigest? {
        digest(of: token.bytes)
    }
}

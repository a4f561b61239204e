import Transport

extension TokenHasher {
    /// A stand-in for the executable's SHA-256 (`Transport` and its tests link no hash): each byte
    /// XOR 0x5A, in reverse order. Not one-way — it does not need to be — but never the token
    /// itself and a bijection, so tests can tell exactly what the relay stored and compared.
    static let testing = TokenHasher(name: "test stand-in") { secret in
        secret.reversed().map { $0 ^ 0x5A }
    }

    /// A hasher whose function fails, as libcrypto could.
    static let failing = TokenHasher(name: "failing") { _ in nil }

    /// What ``testing`` makes of `token`, computed independently of ``TokenHasher``.
    static func testingDigest(of token: RelayToken) -> [UInt8] {
        token.bytes.reversed().map { $0 ^ 0x5A }
    }
}

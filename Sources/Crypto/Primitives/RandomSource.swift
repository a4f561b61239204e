/// A source of random bytes for keys and nonces.
///
/// Production code uses `SystemRandom`; deterministic tests of the protocol layer inject
/// `SeededRandom`. Every Vigil API that generates a key or nonce takes an `any RandomSource`,
/// defaulting to `SystemRandom()`.
public protocol RandomSource: Sendable {
    /// Fills `buffer` completely with random bytes, or throws.
    func fill(_ buffer: UnsafeMutableRawBufferPointer) throws(CryptoError)
}

extension RandomSource {
    /// `count` random bytes as an array (for public values such as nonces).
    public func bytes(count: Int) throws(CryptoError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let result = bytes.withUnsafeMutableBytes { buffer in
            Result { () throws(CryptoError) in try fill(buffer) }
        }
        try result.get()
        return bytes
    }

    /// `count` random bytes in a wiped-on-release buffer (for secrets).
    public func secureBytes(count: Int) throws(CryptoError) -> SecureBytes {
        try SecureBytes(count: count, using: self)
    }
}

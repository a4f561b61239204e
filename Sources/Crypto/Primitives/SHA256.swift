/// SHA-256 (FIPS 180-4): one-shot with `hash(data:)`, or incremental with `update` / `finalize`.
///
/// ```swift
/// let digest = try SHA256.hash(data: bytes)
/// var hasher = try SHA256()
/// try hasher.update(data: part1)
/// try hasher.update(data: part2)
/// let same = try hasher.finalize()
/// ```
/// A `SHA256` value is a value: copying it forks the hash state (copy-on-write).
public struct SHA256: Sendable {
    /// The digest length in bytes (32).
    public static let byteCount = 32

    /// The block length in bytes (64).
    public static let blockByteCount = 64

    private var context: DigestContext

    /// A hasher with nothing absorbed yet.
    public init() throws(CryptoError) {
        context = try DigestContext(algorithm: try OpenSSLAlgorithms.sha256.get())
    }

    /// Absorbs `data`.
    ///
    /// The corresponding C function is `EVP_DigestUpdate`.
    public mutating func update(data: some Collection<UInt8>) throws(CryptoError) {
        if !isKnownUniquelyReferenced(&context) {
            context = try DigestContext(copying: context)
        }
        let context = self.context
        try data.withContiguousBytes { (bytes: UnsafeRawBufferPointer) throws(CryptoError) in
            try context.update(bytes)
        }
    }

    /// The digest of everything absorbed so far. The hasher itself is unchanged and can keep
    /// absorbing.
    public func finalize() throws(CryptoError) -> SHA256Digest {
        let copy = try DigestContext(copying: context)
        return try SHA256Digest { (output: UnsafeMutableRawBufferPointer) throws(CryptoError) in
            try copy.finalize(into: output)
        }
    }

    /// The SHA-256 digest of `data`.
    ///
    /// The corresponding C function is `EVP_Digest`.
    public static func hash(data: some Collection<UInt8>) throws(CryptoError) -> SHA256Digest {
        let algorithm = try OpenSSLAlgorithms.sha256.get()
        return try SHA256Digest { (output: UnsafeMutableRawBufferPointer) throws(CryptoError) in
            try oneShotDigest(data, algorithm: algorithm, into: output)
        }
    }
}

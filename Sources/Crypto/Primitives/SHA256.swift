import COpenSSL

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
    /// Contiguous inputs (arrays, slices, `Data`) go straight to a non-generic core: an
    /// unspecialized generic body would otherwise instantiate closure and result metadata on every
    /// call. Inlinable, so callers specialize it for their concrete collection.
    ///
    /// The corresponding C function is `EVP_Digest`.
    @inlinable
    public static func hash(data: some Collection<UInt8>) throws(CryptoError) -> SHA256Digest {
        var failure: CryptoError?
        let digest = data.withContiguousStorageIfAvailable { (bytes: UnsafeBufferPointer<UInt8>) in
            hash(contiguous: UnsafeRawBufferPointer(bytes), failure: &failure)
        }
        if let failure { throw failure }
        if let digest { return digest }
        return try hash(copying: data)
    }

    /// The non-generic body of `hash(data:)`. It reports failure through `failure` and fills the
    /// digest with a non-throwing closure: routing a typed error through the generic
    /// `SHA256Digest.init(writing:)` from here was miscompiled in release builds (garbage thrown
    /// errors, the -O issue with generic typed-throws closures that Vigil works around elsewhere).
    @usableFromInline
    static func hash(contiguous bytes: UnsafeRawBufferPointer, failure: inout CryptoError?) -> SHA256Digest {
        let algorithm: SharedOpenSSLObject
        switch OpenSSLAlgorithms.sha256 {
        case .success(let fetched): algorithm = fetched
        case .failure(let error):
            failure = error
            return SHA256Digest { (_: UnsafeMutableRawBufferPointer) in }
        }
        var status: Int32 = 0
        var length: UInt32 = 0
        // A non-throwing initializer closure: no typed error crosses the generic initializer.
        let digest = SHA256Digest { (output: UnsafeMutableRawBufferPointer) in
            status = EVP_Digest(bytes.baseAddress, bytes.count, output.mutableBytePointer, &length, algorithm.pointer, nil)
        }
        guard status == 1 else {
            failure = OpenSSL.error("EVP_Digest")
            return digest
        }
        precondition(Int(length) == byteCount, "digest length mismatch")
        return digest
    }

    /// `hash(data:)` for any collection (non-contiguous ones are copied into a wiped temporary).
    @usableFromInline
    static func hash(copying data: some Collection<UInt8>) throws(CryptoError) -> SHA256Digest {
        let algorithm = try OpenSSLAlgorithms.sha256.get()
        return try SHA256Digest { (output: UnsafeMutableRawBufferPointer) throws(CryptoError) in
            try oneShotDigest(data, algorithm: algorithm, into: output)
        }
    }
}

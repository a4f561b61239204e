/// A SHA-256 digest: 32 bytes held inline (no allocation).
///
/// Equality is constant-time (`CRYPTO_memcmp`), since a digest may be of a secret. It is a
/// read-only collection of its bytes, so it can be passed wherever bytes are accepted.
public struct SHA256Digest: Sendable, Hashable, RandomAccessCollection, CustomStringConvertible {
    /// The digest length in bytes (32).
    public static let byteCount = 32

    private var storage: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    /// A digest whose 32 bytes are written by `body`.
    init<E: Error>(writing body: (UnsafeMutableRawBufferPointer) throws(E) -> Void) throws(E) {
        let result = withUnsafeMutableBytes(of: &storage) { bytes in
            Result { () throws(E) in try body(bytes) }
        }
        try result.get()
    }

    /// A digest from its 32 raw bytes (e.g. read back from storage).
    public init(rawRepresentation: some Collection<UInt8>) throws(CryptoError) {
        guard rawRepresentation.count == Self.byteCount else {
            throw .incorrectSize(.digest, expected: Self.byteCount...Self.byteCount, actual: rawRepresentation.count)
        }
        self.init { (bytes: UnsafeMutableRawBufferPointer) in
            rawRepresentation.withContiguousInput { (source: UnsafeRawBufferPointer) in
                bytes.copyMemory(from: source)
            }
        }
    }

    /// The digest bytes as an array.
    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    /// Calls `body` with the 32 digest bytes.
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        let result = Swift.withUnsafeBytes(of: storage) { bytes in
            Result { () throws(E) -> R in try body(bytes) }
        }
        return try result.get()
    }

    /// Always 0.
    public var startIndex: Int { 0 }

    /// Always 32.
    public var endIndex: Int { Self.byteCount }

    /// The byte at `position` (0..<32).
    public subscript(position: Int) -> UInt8 {
        precondition(position >= 0 && position < Self.byteCount, "digest index out of range")
        return withUnsafeBytes { $0[position] }
    }

    /// Lends the inline bytes.
    public func withContiguousStorageIfAvailable<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R? {
        try Swift.withUnsafeBytes(of: storage) { try body($0.assumingMemoryBound(to: UInt8.self)) }
    }

    /// Constant-time comparison.
    public static func == (lhs: SHA256Digest, rhs: SHA256Digest) -> Bool {
        ConstantTime.equals(lhs, rhs)
    }

    /// Hashes the digest bytes.
    public func hash(into hasher: inout Hasher) {
        withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    /// "SHA256 digest: " followed by the bytes in lowercase hex.
    public var description: String { "SHA256 digest: \(hexString(self))" }
}

/// Lowercase hex of `bytes`, for public values (digests in descriptions, webhook signatures).
/// Contiguous input is read in one pass over its buffer (a webhook's signature is written for
/// every delivery); other sequences are copied into an array first.
public func hexString(_ bytes: some Sequence<UInt8>) -> String {
    if let hex = bytes.withContiguousStorageIfAvailable({ hexString(contiguous: $0) }) { return hex }
    return Array(bytes).withUnsafeBufferPointer { hexString(contiguous: $0) }
}

/// Lowercase hex of the bytes in `buffer`, written straight into the string's storage.
private func hexString(contiguous buffer: UnsafeBufferPointer<UInt8>) -> String {
    String(unsafeUninitializedCapacity: 2 * buffer.count) { output in
        var index = 0
        for byte in buffer {
            output[index] = hexDigit(byte >> 4)
            output[index + 1] = hexDigit(byte & 0x0F)
            index += 2
        }
        return index
    }
}

/// The ASCII lowercase hex digit of `nibble` (0…15).
@inline(__always)
private func hexDigit(_ nibble: UInt8) -> UInt8 {
    nibble < 10 ? 0x30 + nibble : 0x57 + nibble  // "0"…"9", "a"…"f"
}

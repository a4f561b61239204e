/// A secret key for symmetric algorithms (HMAC, HKDF, ChaCha20-Poly1305, AES-GCM), held in
/// `SecureBytes` so its bytes are wiped when the last copy is released.
///
/// Copies of a `SymmetricKey` share one buffer. The key is not `Equatable`: compare keys with
/// `ConstantTime.equals(_:_:)` on `secureBytes` if you must.
public struct SymmetricKey: Sendable, CustomStringConvertible {
    /// The key bytes.
    public let secureBytes: SecureBytes

    /// Creates a key from a copy of `data`.
    public init(data: some Collection<UInt8>) {
        self.secureBytes = SecureBytes(data)
    }

    /// Creates a key that shares `secureBytes` (no copy).
    public init(secureBytes: SecureBytes) {
        self.secureBytes = secureBytes
    }

    /// Creates a fresh key of `size` from `random` (the operating system's generator by default).
    public init(size: SymmetricKeySize, using random: any RandomSource = SystemRandom()) throws(CryptoError) {
        self.secureBytes = try SecureBytes(count: size.bitCount / 8, using: random)
    }

    /// The key length in bytes.
    public var byteCount: Int { secureBytes.count }

    /// The key length in bits.
    public var bitCount: Int { secureBytes.count * 8 }

    /// Calls `body` with the key bytes. The pointer must not escape `body`.
    public func withUnsafeBytes<R, E: Error>(
        _ body: (UnsafeRawBufferPointer) throws(E) -> R
    ) throws(E) -> R {
        try secureBytes.withUnsafeBytes(body)
    }

    /// "SymmetricKey(N bits)": the key is never printed.
    public var description: String { "SymmetricKey(\(bitCount) bits)" }
}

/// The size of a symmetric key.
public struct SymmetricKeySize: Sendable, Hashable {
    /// The size in bits; a positive multiple of 8.
    public let bitCount: Int

    /// A size of `bitCount` bits, which must be a positive multiple of 8.
    public init(bitCount: Int) {
        precondition(bitCount > 0 && bitCount % 8 == 0, "key sizes are positive multiples of 8 bits")
        self.bitCount = bitCount
    }

    /// 128 bits.
    public static let bits128 = SymmetricKeySize(bitCount: 128)
    /// 256 bits: the size of ChaCha20-Poly1305 and AES-256-GCM keys.
    public static let bits256 = SymmetricKeySize(bitCount: 256)
}

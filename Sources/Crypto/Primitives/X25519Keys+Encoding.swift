extension Curve25519.KeyAgreement.PublicKey {
    /// The type byte of libsignal's Curve25519 public-key encoding (`DJB_TYPE`).
    public static let encodingTypeByte: UInt8 = 0x05

    /// The length of `typedRepresentation` in bytes (33).
    public static let typedByteCount = 33

    /// `Encode(PK)` of docs/protocol.md: `0x05 ‖ key`, 33 bytes, exactly as libsignal serializes a
    /// Curve25519 public key. Used in X3DH's associated data and as the message a signed prekey's
    /// signature covers.
    public var typedRepresentation: [UInt8] {
        [Self.encodingTypeByte] + rawRepresentation
    }

    /// A public key from its 33-byte encoding `0x05 ‖ key`; throws on a wrong length or type byte.
    public init(typedRepresentation: some Collection<UInt8>) throws(CryptoError) {
        let bytes = Array(typedRepresentation)
        guard bytes.count == Self.typedByteCount else {
            throw .incorrectSize(.typedPublicKey, expected: Self.typedByteCount...Self.typedByteCount, actual: bytes.count)
        }
        guard bytes[0] == Self.encodingTypeByte else {
            throw .invalidEncoding(.typedPublicKey, reason: "type byte \(bytes[0]), expected \(Self.encodingTypeByte)")
        }
        try self.init(rawRepresentation: bytes[1...])
    }
}

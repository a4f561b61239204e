/// The output of a key agreement: 32 secret bytes, wiped on release. Feed it to a KDF; never use
/// it directly as a key.
public struct SharedSecret: Sendable, CustomStringConvertible {
    /// The secret bytes.
    public let secureBytes: SecureBytes

    /// Wraps agreement output.
    init(secureBytes: SecureBytes) {
        self.secureBytes = secureBytes
    }

    /// The length in bytes (32 for X25519).
    public var byteCount: Int { secureBytes.count }

    /// Calls `body` with the secret bytes.
    public func withUnsafeBytes<R, E: Error>(
        _ body: (UnsafeRawBufferPointer) throws(E) -> R
    ) throws(E) -> R {
        try secureBytes.withUnsafeBytes(body)
    }

    /// HKDF-SHA-256 with this secret as input key material.
    public func hkdfDerivedSymmetricKey(
        salt: some Collection<UInt8>, sharedInfo: some Collection<UInt8>, outputByteCount: Int
    ) throws(CryptoError) -> SymmetricKey {
        try HKDF.deriveKey(
            inputKeyMaterial: SymmetricKey(secureBytes: secureBytes), salt: salt, info: sharedInfo,
            outputByteCount: outputByteCount)
    }

    /// "SharedSecret(N bytes)": the secret is never printed.
    public var description: String { "SharedSecret(\(byteCount) bytes)" }
}

/// Namespace for the Curve25519 algorithms: X25519 key agreement (RFC 7748) in `KeyAgreement` and
/// Ed25519 signatures (RFC 8032) in `Signing`.
public enum Curve25519 {
    /// X25519 Diffie-Hellman (RFC 7748).
    public enum KeyAgreement {}

    /// Ed25519 signatures (RFC 8032, pure EdDSA).
    public enum Signing {}

    /// The length of every raw Curve25519 key (private scalar or seed, public key) in bytes.
    public static let keyByteCount = 32
}

extension Collection<UInt8> {
    /// Throws `incorrectSize` unless the collection holds exactly 32 bytes.
    func requireCurve25519KeySize(_ parameter: CryptoParameter) throws(CryptoError) {
        guard count == Curve25519.keyByteCount else {
            throw .incorrectSize(parameter, expected: Curve25519.keyByteCount...Curve25519.keyByteCount, actual: count)
        }
    }
}

/// The errors thrown by Vigil's cryptographic primitives.
///
/// A closed set: every failure of the primitives layer is one of these cases, with enough context
/// to tell which input was wrong or which library call failed. Errors never carry secret bytes.
public enum CryptoError: Error, Sendable, Hashable, CustomStringConvertible {
    /// An input had a length the algorithm does not accept.
    ///
    /// `expected` is the accepted range of lengths in bytes (a single length is `n...n`).
    case incorrectSize(CryptoParameter, expected: ClosedRange<Int>, actual: Int)

    /// An AEAD open found that the tag does not authenticate the ciphertext, nonce and associated
    /// data under the key. Nothing about the plaintext is released.
    case authenticationFailure

    /// An X25519 agreement produced the all-zero shared secret, which happens exactly when the
    /// peer's public key is a point of small order; such keys contribute nothing and are rejected.
    case zeroSharedSecret

    /// A requested output length is outside what the algorithm can produce.
    case invalidOutputByteCount(requested: Int, allowed: ClosedRange<Int>)

    /// An encoded value (a public key, a typed key encoding) is not a valid, canonical encoding.
    case invalidEncoding(CryptoParameter, reason: String)

    /// An identity public key's certificate does not verify: the Ed25519 identity key did not
    /// certify this X25519 identity key.
    case invalidIdentityCertificate

    /// A call into OpenSSL's libcrypto failed; the error names the call and carries the library's
    /// reason string.
    case library(OpenSSLError)

    /// A one-line, human-readable account of the error.
    public var description: String {
        switch self {
        case let .incorrectSize(parameter, expected, actual):
            let accepted = expected.lowerBound == expected.upperBound
                ? "\(expected.lowerBound)" : "\(expected.lowerBound)...\(expected.upperBound)"
            return "\(parameter) has \(actual) bytes; expected \(accepted)"
        case .authenticationFailure:
            return "authentication failure"
        case .zeroSharedSecret:
            return "X25519 produced the all-zero shared secret (small-order public key)"
        case let .invalidOutputByteCount(requested, allowed):
            return "output of \(requested) bytes requested; allowed \(allowed.lowerBound)...\(allowed.upperBound)"
        case let .invalidEncoding(parameter, reason):
            return "invalid \(parameter): \(reason)"
        case .invalidIdentityCertificate:
            return "identity certificate does not verify"
        case let .library(error):
            return error.description
        }
    }
}

/// Names the input a `CryptoError` is about.
public enum CryptoParameter: String, Sendable, Hashable, CustomStringConvertible {
    /// A symmetric key (AEAD key, HMAC key).
    case key
    /// An X25519 private or public key.
    case x25519Key
    /// An Ed25519 seed (private key) or public key.
    case ed25519Key
    /// An AEAD nonce.
    case nonce
    /// An authentication tag (AEAD tag or truncated HMAC).
    case tag
    /// A sealed box in combined form (nonce ‖ ciphertext ‖ tag).
    case sealedBox
    /// An HKDF pseudorandom key given to expand.
    case pseudoRandomKey
    /// A digest given by its raw bytes.
    case digest
    /// A typed public-key encoding (type byte ‖ key).
    case typedPublicKey
    /// An identity public key encoding.
    case identityKey
    /// A message given to a signing key that must not be signed by it.
    case message

    /// The parameter's name.
    public var description: String { rawValue }
}

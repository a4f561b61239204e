/// Vigil's long-term identity: an Ed25519 signing key that certifies an X25519 agreement key, as
/// docs/protocol.md ("Identity keys") specifies.
///
/// ## Why not XEdDSA
/// Signal uses one Curve25519 key for both X3DH and signatures, via XEdDSA (converting the
/// Montgomery key to an Edwards key at signing time). OpenSSL has no XEdDSA, and implementing the
/// conversion and a custom signature scheme by hand is exactly the kind of crypto code Vigil
/// avoids. Instead an identity holds **two independent keys, one per purpose** (as Matrix's Olm
/// does):
///
/// - `agreementKey` `IK` (X25519): used only in Diffie-Hellman (X3DH's DH1 and DH2).
/// - `signingKey` `IKs` (Ed25519): used only to sign — the identity certificate below, and signed
///   prekeys (`Encode(SPK)`).
///
/// ## The certificate
/// `cert = Ed25519-Sign(IKs, "VigilIdentityV1" ‖ IK.public)`: the 15 ASCII bytes of the domain
/// label followed by the 32-byte X25519 key, 47 bytes in all.
///
/// ## Why it is sound
/// - Separate keys for separate purposes: no key is ever used in two algorithms, so the joint
///   security question XEdDSA has to answer (is it safe to use one scalar for DH *and* signing?)
///   does not arise; each key rests on its own algorithm's standard security argument.
/// - The certificate binds the pair: Ed25519 is strongly unforgeable when verified strictly (Vigil
///   rejects S ≥ L and non-canonical encodings), so only the holder of `IKs` can certify a given
///   `IK`. Ed25519 also hashes the signer's public key into every signature, so a certificate
///   cannot be re-attributed to another signing key. A peer that checks the certificate — which
///   `IdentityPublicKey` always does on construction — may trust `IK` exactly as much as `IKs`.
///   Identity comparisons and fingerprints use the whole 129-byte encoding.
/// - Domain separation: the certificate message is 47 bytes opening with the reserved label;
///   signed-prekey messages are 33-byte encodings opening with `0x05`. They can never be confused,
///   and `IdentityKeyPair.signature(for:)` refuses any message opening with the label, so the
///   protocol layer cannot be made to sign a second certificate.
/// - Fixed-length fields throughout, so the encodings are unambiguous.
///
/// ## Public encoding (129 bytes)
/// `0x01 (version) ‖ IKs.public (32) ‖ IK.public (32) ‖ cert (64)`.
public enum IdentityKey {
    /// The domain label that opens every identity-certificate message ("VigilIdentityV1").
    public static let certificateLabel: [UInt8] = Array("VigilIdentityV1".utf8)

    /// The message the signing key signs to certify `agreementKey`:
    /// `"VigilIdentityV1" ‖ agreementKey` (47 bytes).
    public static func certificateMessage(for agreementKey: Curve25519.KeyAgreement.PublicKey) -> [UInt8] {
        certificateLabel + agreementKey.rawRepresentation
    }

    /// The version byte that opens `IdentityPublicKey.rawRepresentation` (1).
    public static let encodingVersion: UInt8 = 1

    /// The length of `IdentityPublicKey.rawRepresentation` in bytes (1 + 32 + 32 + 64 = 129).
    public static let publicByteCount = 1 + 2 * Curve25519.keyByteCount + Curve25519.Signing.signatureByteCount

    /// The length of `IdentityKeyPair.rawRepresentation` in bytes (32 + 32 = 64).
    public static let privateByteCount = 2 * Curve25519.keyByteCount
}

/// A user's or business's identity key pair: Ed25519 signing key + certified X25519 agreement key.
/// See `IdentityKey` for the construction and why it is sound.
public struct IdentityKeyPair: Sendable {
    /// The Ed25519 key that signs (the certificate and signed prekeys). Never used for DH.
    public let signingKey: Curve25519.Signing.PrivateKey
    /// The X25519 key used in X3DH. Never used to sign.
    public let agreementKey: Curve25519.KeyAgreement.PrivateKey
    /// The public half, with the certificate.
    public let publicKey: IdentityPublicKey

    /// A fresh identity: both keys drawn from `random` (signing seed first, then agreement key).
    public init(using random: any RandomSource = SystemRandom()) throws(CryptoError) {
        let signingKey = try Curve25519.Signing.PrivateKey(using: random)
        let agreementKey = try Curve25519.KeyAgreement.PrivateKey(using: random)
        try self.init(signingKey: signingKey, agreementKey: agreementKey)
    }

    /// An identity from its two private keys; computes the certificate (Ed25519 is deterministic,
    /// so this always yields the same certificate for the same keys).
    public init(
        signingKey: Curve25519.Signing.PrivateKey, agreementKey: Curve25519.KeyAgreement.PrivateKey
    ) throws(CryptoError) {
        let certificate = try signingKey.signature(for: IdentityKey.certificateMessage(for: agreementKey.publicKey))
        self.signingKey = signingKey
        self.agreementKey = agreementKey
        self.publicKey = IdentityPublicKey(
            verified: signingKey.publicKey, agreementKey: agreementKey.publicKey, certificate: certificate)
    }

    /// An identity from `rawRepresentation`: Ed25519 seed (32) ‖ X25519 private key (32).
    public init(rawRepresentation: some Collection<UInt8>) throws(CryptoError) {
        let bytes = SecureBytes(rawRepresentation)
        guard bytes.count == IdentityKey.privateByteCount else {
            throw .incorrectSize(
                .identityKey, expected: IdentityKey.privateByteCount...IdentityKey.privateByteCount, actual: bytes.count)
        }
        try self.init(
            signingKey: Curve25519.Signing.PrivateKey(rawRepresentation: bytes[0..<32]),
            agreementKey: Curve25519.KeyAgreement.PrivateKey(rawRepresentation: bytes[32..<64]))
    }

    /// Ed25519 seed (32) ‖ X25519 private key (32), in a wiped-on-release buffer, for key custody.
    public var rawRepresentation: SecureBytes {
        SecureBytes(concatenating: [signingKey.rawRepresentation, agreementKey.rawRepresentation])
    }

    /// An Ed25519 signature by the identity signing key over `message` (e.g. a signed prekey's
    /// 33-byte `Encode(SPK)`).
    ///
    /// Throws `invalidEncoding(.message, …)` for a message that begins with the reserved
    /// certificate label, so no other signature can ever pass for an identity certificate.
    public func signature(for message: some Collection<UInt8>) throws(CryptoError) -> [UInt8] {
        guard !message.starts(with: IdentityKey.certificateLabel) else {
            throw .invalidEncoding(.message, reason: "begins with the reserved identity-certificate label")
        }
        return try signingKey.signature(for: message)
    }

    /// X25519 between the identity agreement key and `peer` (throws `zeroSharedSecret` for a
    /// small-order peer key).
    public func sharedSecretFromKeyAgreement(
        with peer: Curve25519.KeyAgreement.PublicKey
    ) throws(CryptoError) -> SharedSecret {
        try agreementKey.sharedSecretFromKeyAgreement(with: peer)
    }
}

/// The public half of an identity: both public keys and the certificate binding them. Every value
/// of this type has a certificate that verifies; construction checks it.
public struct IdentityPublicKey: Sendable, Hashable {
    /// The Ed25519 identity signing key.
    public let signingKey: Curve25519.Signing.PublicKey
    /// The X25519 identity agreement key, certified by `signingKey`.
    public let agreementKey: Curve25519.KeyAgreement.PublicKey
    /// Ed25519 signature by `signingKey` over `IdentityKey.certificateMessage(for: agreementKey)`.
    public let certificate: [UInt8]

    init(verified signingKey: Curve25519.Signing.PublicKey, agreementKey: Curve25519.KeyAgreement.PublicKey, certificate: [UInt8]) {
        self.signingKey = signingKey
        self.agreementKey = agreementKey
        self.certificate = certificate
    }

    /// An identity public key from its parts; throws `invalidIdentityCertificate` unless
    /// `certificate` verifies.
    public init(
        signingKey: Curve25519.Signing.PublicKey, agreementKey: Curve25519.KeyAgreement.PublicKey,
        certificate: some Collection<UInt8>
    ) throws(CryptoError) {
        guard try Self.isValidCertificate(certificate, signingKey: signingKey, agreementKey: agreementKey) else {
            throw .invalidIdentityCertificate
        }
        self.init(verified: signingKey, agreementKey: agreementKey, certificate: Array(certificate))
    }

    /// An identity public key from its 129-byte encoding
    /// `0x01 ‖ IKs.public (32) ‖ IK.public (32) ‖ cert (64)`; throws on a wrong length or version,
    /// a non-canonical signing key, and `invalidIdentityCertificate` if the certificate fails.
    public init(rawRepresentation: some Collection<UInt8>) throws(CryptoError) {
        let bytes = Array(rawRepresentation)
        guard bytes.count == IdentityKey.publicByteCount else {
            throw .incorrectSize(
                .identityKey, expected: IdentityKey.publicByteCount...IdentityKey.publicByteCount, actual: bytes.count)
        }
        guard bytes[0] == IdentityKey.encodingVersion else {
            throw .invalidEncoding(.identityKey, reason: "unknown identity version \(bytes[0])")
        }
        try self.init(
            signingKey: Curve25519.Signing.PublicKey(rawRepresentation: bytes[1..<33]),
            agreementKey: Curve25519.KeyAgreement.PublicKey(rawRepresentation: bytes[33..<65]),
            certificate: bytes[65...])
    }

    /// The 129-byte encoding `0x01 ‖ IKs.public ‖ IK.public ‖ cert`.
    public var rawRepresentation: [UInt8] {
        [IdentityKey.encodingVersion] + signingKey.rawRepresentation + agreementKey.rawRepresentation + certificate
    }

    /// Whether `certificate` is a valid certificate by `signingKey` for `agreementKey`.
    public static func isValidCertificate(
        _ certificate: some Collection<UInt8>, signingKey: Curve25519.Signing.PublicKey,
        agreementKey: Curve25519.KeyAgreement.PublicKey
    ) throws(CryptoError) -> Bool {
        try signingKey.isValidSignature(certificate, for: IdentityKey.certificateMessage(for: agreementKey))
    }

    /// Whether `signature` is the identity signing key's signature over `message` (e.g. a signed
    /// prekey). Messages beginning with the certificate label are always rejected here, mirroring
    /// `IdentityKeyPair.signature(for:)`.
    public func isValidSignature(
        _ signature: some Collection<UInt8>, for message: some Collection<UInt8>
    ) throws(CryptoError) -> Bool {
        guard !message.starts(with: IdentityKey.certificateLabel) else { return false }
        return try signingKey.isValidSignature(signature, for: message)
    }
}

/// X3DH key agreement (docs/protocol.md, "X3DH"): the initiator derives the session secret from a
/// verified prekey bundle; the responder derives the same secret from the initiator's identity and
/// ephemeral key. Pure functions over keys; randomness is injected.
public enum X3DH {
    /// What the initiator learns and must send along with its first messages.
    public struct Initiation: Sendable {
        /// SK, the 32-byte shared secret that seeds the Double Ratchet's root key.
        public let sharedSecret: SymmetricKey
        /// AD = identity_A ‖ identity_B (the full 129-byte encodings).
        public let associatedData: [UInt8]
        /// EK_A's public half, sent in prekey messages.
        public let ephemeralKey: Curve25519.KeyAgreement.PublicKey
    }

    /// The associated data of a session: the initiator's then the responder's full identity
    /// encoding (258 bytes). Binding the whole identities — signing keys and certificates, not only
    /// the DH keys — stops a third party from relabelling a message as its own by certifying the
    /// sender's DH key with its own signing key (an unknown-key-share attack).
    public static func associatedData(initiator: IdentityPublicKey, responder: IdentityPublicKey) -> [UInt8] {
        initiator.rawRepresentation + responder.rawRepresentation
    }

    /// The length of `associatedData(initiator:responder:)`.
    public static let associatedDataByteCount = 2 * IdentityKey.publicByteCount

    /// The initiator's side: DH1…DH4 against a bundle whose signatures were verified on decoding.
    public static func initiate(
        identity: IdentityKeyPair, bundle: PreKeyBundle, random: any RandomSource = SystemRandom()
    ) throws(ProtocolError) -> Initiation {
        try crypto { () throws(CryptoError) in
            let ephemeral = try Curve25519.KeyAgreement.PrivateKey(using: random)
            var agreements = [
                try identity.agreementKey.sharedSecretFromKeyAgreement(with: bundle.signedPreKey),
                try ephemeral.sharedSecretFromKeyAgreement(with: bundle.identity.agreementKey),
                try ephemeral.sharedSecretFromKeyAgreement(with: bundle.signedPreKey),
            ]
            if let oneTime = bundle.oneTimePreKey {
                agreements.append(try ephemeral.sharedSecretFromKeyAgreement(with: oneTime.key))
            }
            return Initiation(
                sharedSecret: try KeySchedule.x3dhSecret(agreements),
                associatedData: associatedData(initiator: identity.publicKey, responder: bundle.identity),
                ephemeralKey: ephemeral.publicKey)
        }
    }

    /// The responder's side, with the private halves of the prekeys the initiator used.
    /// Returns SK and AD.
    public static func respond(
        identity: IdentityKeyPair, signedPreKey: Curve25519.KeyAgreement.PrivateKey,
        oneTimePreKey: Curve25519.KeyAgreement.PrivateKey?, initiator: IdentityPublicKey,
        ephemeralKey: Curve25519.KeyAgreement.PublicKey
    ) throws(ProtocolError) -> (sharedSecret: SymmetricKey, associatedData: [UInt8]) {
        try crypto { () throws(CryptoError) in
            var agreements = [
                try signedPreKey.sharedSecretFromKeyAgreement(with: initiator.agreementKey),
                try identity.agreementKey.sharedSecretFromKeyAgreement(with: ephemeralKey),
                try signedPreKey.sharedSecretFromKeyAgreement(with: ephemeralKey),
            ]
            if let oneTimePreKey {
                agreements.append(try oneTimePreKey.sharedSecretFromKeyAgreement(with: ephemeralKey))
            }
            return (try KeySchedule.x3dhSecret(agreements),
                    associatedData(initiator: initiator, responder: identity.publicKey))
        }
    }
}

/// One party's end of a conversation with a peer: the Double Ratchet session plus what X3DH needs
/// on the wire (the initiator keeps sending prekey messages until it hears back).
public struct Conversation: Sendable {
    /// The peer's identity.
    public let remoteIdentity: IdentityPublicKey
    /// The ratchet.
    public internal(set) var session: DoubleRatchetSession
    /// Initiator only, until the first reply: the X3DH values to attach to outgoing messages.
    var pendingPreKey: PendingPreKey?
    /// Responder only: the initiator's ephemeral (base) key and the prekey ids it used, which
    /// identify this session's prekey messages.
    var responderBase: ResponderBase?

    struct ResponderBase: Sendable, Equatable {
        var ephemeralKey: Curve25519.KeyAgreement.PublicKey
        var signedPreKeyID: UInt32
        var oneTimePreKeyID: UInt32?
    }

    struct PendingPreKey: Sendable {
        var localIdentity: IdentityPublicKey
        var ephemeralKey: Curve25519.KeyAgreement.PublicKey
        var signedPreKeyID: UInt32
        var oneTimePreKeyID: UInt32?
    }

    /// Starts a conversation as the initiator from the peer's (verified) prekey bundle.
    public static func initiate(
        identity: IdentityKeyPair, bundle: PreKeyBundle, random: any RandomSource = SystemRandom()
    ) throws(ProtocolError) -> Conversation {
        let initiation = try X3DH.initiate(identity: identity, bundle: bundle, random: random)
        let session = try DoubleRatchetSession.initiator(
            sharedSecret: initiation.sharedSecret, associatedData: initiation.associatedData,
            remoteRatchetKey: bundle.signedPreKey, random: random)
        return Conversation(
            remoteIdentity: bundle.identity, session: session,
            pendingPreKey: PendingPreKey(
                localIdentity: identity.publicKey, ephemeralKey: initiation.ephemeralKey,
                signedPreKeyID: bundle.signedPreKeyID, oneTimePreKeyID: bundle.oneTimePreKey?.id),
            responderBase: nil)
    }

    /// Accepts a prekey message as the responder: creates the session and decrypts the message.
    /// The one-time prekey is consumed only if decryption succeeds.
    public static func accept(
        _ message: PreKeyMessage, identity: IdentityKeyPair, preKeys: inout PreKeyStore,
        random: any RandomSource = SystemRandom()
    ) throws(ProtocolError) -> (conversation: Conversation, plaintext: [UInt8]) {
        guard let signedPreKey = preKeys.signedPreKeys[message.signedPreKeyID] else {
            throw .unknownPreKey(signedPreKeyID: message.signedPreKeyID, oneTimePreKeyID: message.oneTimePreKeyID)
        }
        var oneTimePreKey: Curve25519.KeyAgreement.PrivateKey?
        if let id = message.oneTimePreKeyID {
            guard let key = preKeys.oneTimePreKeys[id] else {
                throw .unknownPreKey(signedPreKeyID: message.signedPreKeyID, oneTimePreKeyID: id)
            }
            oneTimePreKey = key
        }
        let agreement = try X3DH.respond(
            identity: identity, signedPreKey: signedPreKey, oneTimePreKey: oneTimePreKey,
            initiator: message.identity, ephemeralKey: message.ephemeralKey)
        var conversation = Conversation(
            remoteIdentity: message.identity,
            session: .responder(sharedSecret: agreement.sharedSecret, associatedData: agreement.associatedData, ratchetKey: signedPreKey),
            pendingPreKey: nil,
            responderBase: ResponderBase(
                ephemeralKey: message.ephemeralKey, signedPreKeyID: message.signedPreKeyID,
                oneTimePreKeyID: message.oneTimePreKeyID))
        let plaintext = try conversation.session.decrypt(message.message, random: random)
        if let id = message.oneTimePreKeyID { preKeys.consumeOneTimePreKey(id: id) }
        return (conversation, plaintext)
    }

    /// Whether a prekey message carries this conversation's base key (the initiator's ephemeral
    /// key), as opposed to starting a new session.
    public func hasBaseKey(of message: PreKeyMessage) -> Bool {
        responderBase?.ephemeralKey == message.ephemeralKey
    }

    /// Whether a prekey message with this conversation's base key also repeats its identity and
    /// prekey ids (which the ratchet message does not otherwise authenticate).
    func matches(_ message: PreKeyMessage) -> Bool {
        responderBase == ResponderBase(
            ephemeralKey: message.ephemeralKey, signedPreKeyID: message.signedPreKeyID,
            oneTimePreKeyID: message.oneTimePreKeyID) && message.identity == remoteIdentity
    }

    /// Encrypts `plaintext` into an envelope for the peer.
    public mutating func encrypt(_ plaintext: some Collection<UInt8>) throws(ProtocolError) -> SessionEnvelope {
        let message = try session.encrypt(plaintext)
        guard let pending = pendingPreKey else { return .message(message) }
        return .preKey(PreKeyMessage(
            identity: pending.localIdentity, ephemeralKey: pending.ephemeralKey,
            signedPreKeyID: pending.signedPreKeyID, oneTimePreKeyID: pending.oneTimePreKeyID, message: message))
    }

    /// Decrypts an envelope of this conversation. On failure nothing changes.
    public mutating func decrypt(
        _ envelope: SessionEnvelope, random: any RandomSource = SystemRandom()
    ) throws(ProtocolError) -> [UInt8] {
        if case let .preKey(message) = envelope, !matches(message) {
            throw .malformed("envelope", reason: "a prekey message that does not match this session")
        }
        let plaintext = try session.decrypt(envelope.ratchetMessage, random: random)
        pendingPreKey = nil // the peer has answered: no more prekey messages
        return plaintext
    }
}

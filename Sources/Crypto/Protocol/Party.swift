/// One party's protocol state: its identity, the private halves of its published prekeys, and a
/// conversation per peer. Users' phones and the Cloud API endpoint both build on it.
///
/// A value; every method either succeeds and updates it or throws and leaves it unchanged.
public struct Party: Sendable {
    /// This party's identity.
    public let identity: IdentityKeyPair
    /// Prekeys this party has published.
    public private(set) var preKeys = PreKeyStore()
    /// Conversations by peer name (an address such as a phone number).
    public private(set) var conversations: [String: Conversation] = [:]
    /// Where new keys come from.
    public let random: any RandomSource

    /// A party with a fresh identity from `random`.
    public init(random: any RandomSource = SystemRandom()) throws(ProtocolError) {
        self.random = random
        identity = try crypto { () throws(CryptoError) in try IdentityKeyPair(using: random) }
    }

    /// A party with an existing identity.
    public init(identity: IdentityKeyPair, random: any RandomSource = SystemRandom()) {
        self.identity = identity
        self.random = random
    }

    /// A party restored from its parts (see `Party+Codec.swift`).
    init(identity: IdentityKeyPair, preKeys: PreKeyStore, conversations: [String: Conversation], random: any RandomSource) {
        self.identity = identity
        self.preKeys = preKeys
        self.conversations = conversations
        self.random = random
    }

    /// Generates and keeps a signed prekey (and optionally a one-time prekey); returns the bundle.
    public mutating func makeBundle(signedPreKeyID: UInt32, oneTimePreKeyID: UInt32?) throws(ProtocolError) -> PreKeyBundle {
        try preKeys.makeBundle(identity: identity, signedPreKeyID: signedPreKeyID, oneTimePreKeyID: oneTimePreKeyID, random: random)
    }

    /// Starts a conversation with `peer` from its bundle (replacing any earlier one).
    public mutating func initiate(with peer: String, bundle: PreKeyBundle) throws(ProtocolError) {
        conversations[peer] = try Conversation.initiate(identity: identity, bundle: bundle, random: random)
    }

    /// Encrypts `plaintext` for `peer`.
    public mutating func encrypt(_ plaintext: some Collection<UInt8>, for peer: String) throws(ProtocolError) -> SessionEnvelope {
        guard var conversation = conversations[peer] else { throw .malformed("request", reason: "no conversation with \(peer)") }
        let envelope = try conversation.encrypt(plaintext)
        conversations[peer] = conversation
        return envelope
    }

    /// Decodes an envelope from `peer`, the identity of the conversation with `peer` (if any)
    /// known: a prekey message naming it is not verified again (see
    /// ``SessionEnvelope/init(encoded:knownIdentity:)``).
    public func envelope(decoding bytes: some Collection<UInt8>, from peer: String) throws(ProtocolError) -> SessionEnvelope {
        try SessionEnvelope(encoded: bytes, knownIdentity: conversations[peer]?.remoteIdentity)
    }

    /// Decrypts an envelope from `peer`. A prekey message that belongs to no current conversation
    /// starts a new one (as the responder), provided it comes from the same identity as any
    /// existing conversation with that peer.
    public mutating func decrypt(_ envelope: SessionEnvelope, from peer: String) throws(ProtocolError) -> [UInt8] {
        let existing = conversations[peer]
        if case let .preKey(message) = envelope, startsSession(message, from: peer) {
            if let existing, existing.remoteIdentity != message.identity {
                throw .malformed("prekey message", reason: "from another identity than \(peer)'s conversation")
            }
            var keys = preKeys
            let accepted = try Conversation.accept(message, identity: identity, preKeys: &keys, random: random)
            preKeys = keys
            conversations[peer] = accepted.conversation
            return accepted.plaintext
        }
        guard var conversation = existing else { throw .malformed("request", reason: "no conversation with \(peer)") }
        let plaintext = try conversation.decrypt(envelope, random: random)
        conversations[peer] = conversation
        return plaintext
    }

    /// Whether ``decrypt(_:from:)`` would start a new conversation with `peer` for this prekey
    /// message (and use its one-time prekey): it belongs to no current conversation. Until the
    /// responder answers, every message of a session is a prekey message with the same base key;
    /// only the first starts it.
    public func startsSession(_ message: PreKeyMessage, from peer: String) -> Bool {
        conversations[peer].map { !$0.hasBaseKey(of: message) } ?? true
    }

    /// Forgets the conversation with `peer` (its next message must start a new session).
    public mutating func removeConversation(with peer: String) {
        conversations[peer] = nil
    }

    /// Replaces the conversation with `peer` (e.g. restored from storage).
    public mutating func setConversation(_ conversation: Conversation, with peer: String) {
        conversations[peer] = conversation
    }
}

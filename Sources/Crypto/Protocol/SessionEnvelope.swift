/// What one party sends another through the relay (docs/protocol.md, "Envelopes"): a prekey
/// message (kind 1) while the initiator has not yet heard back, a plain ratchet message (kind 2)
/// afterwards. Opaque bytes to the relay.
public enum SessionEnvelope: Sendable, Hashable {
    /// The X3DH values the responder needs to create its session, and the first ratchet messages.
    case preKey(PreKeyMessage)
    /// A ratchet message in an established session.
    case message(RatchetMessage)

    /// The kind byte that opens an encoded envelope.
    public enum Kind: UInt8, Sendable {
        /// A prekey message.
        case preKey = 1
        /// A ratchet message.
        case message = 2
    }

    /// The wire encoding.
    public var encoded: [UInt8] {
        switch self {
        case let .preKey(message): [Kind.preKey.rawValue] + message.encoded
        case let .message(message): [Kind.message.rawValue] + message.encoded
        }
    }

    /// Decodes an envelope.
    public init(encoded bytes: some Collection<UInt8>) throws(ProtocolError) {
        try self.init(encoded: bytes, knownIdentity: nil)
    }

    /// Decodes an envelope whose sender's identity may already be known: `knownIdentity` is the
    /// remote identity of the conversation with the sender. Every ``IdentityPublicKey`` had its
    /// certificate verified when it was made (from bytes or parts; stored conversations verify
    /// theirs when decoded), and verification is deterministic, so a prekey message carrying
    /// exactly its bytes — certificate included — takes it as it is instead of verifying the
    /// certificate again; any other identity is verified as ``init(encoded:)`` verifies it. Until
    /// the responder answers, every message of a session is a prekey message carrying the same
    /// identity, and its Ed25519 certificate check was half of the Cloud API endpoint's thread on
    /// messages from users it had not answered yet. ``Party/envelope(decoding:from:)`` passes the
    /// right identity.
    public init(encoded bytes: some Collection<UInt8>, knownIdentity: IdentityPublicKey?) throws(ProtocolError) {
        var reader = WireReader(bytes, structure: "envelope")
        switch try reader.readUInt8() {
        case Kind.preKey.rawValue: self = .preKey(try PreKeyMessage(reading: &reader, knownIdentity: knownIdentity))
        case Kind.message.rawValue: self = .message(try RatchetMessage(reading: &reader))
        case let kind: throw .malformed("envelope", reason: "unknown kind \(kind)")
        }
    }

    /// The ratchet message inside.
    public var ratchetMessage: RatchetMessage {
        switch self {
        case let .preKey(message): message.message
        case let .message(message): message
        }
    }
}

/// A prekey message: the initiator's identity and ephemeral key, which prekeys it used, and a
/// ratchet message.
public struct PreKeyMessage: Sendable, Hashable {
    /// The encoding version.
    public static let version: UInt8 = 1
    /// The one-time prekey id that means "none was used".
    public static let noOneTimePreKey: UInt32 = 0xFFFF_FFFF

    /// The initiator's identity.
    public let identity: IdentityPublicKey
    /// EK_A.
    public let ephemeralKey: Curve25519.KeyAgreement.PublicKey
    /// The responder's signed prekey the initiator used.
    public let signedPreKeyID: UInt32
    /// The responder's one-time prekey the initiator used, if any.
    public let oneTimePreKeyID: UInt32?
    /// The ratchet message.
    public let message: RatchetMessage

    /// Creates a prekey message.
    public init(
        identity: IdentityPublicKey, ephemeralKey: Curve25519.KeyAgreement.PublicKey, signedPreKeyID: UInt32,
        oneTimePreKeyID: UInt32?, message: RatchetMessage
    ) {
        self.identity = identity
        self.ephemeralKey = ephemeralKey
        self.signedPreKeyID = signedPreKeyID
        self.oneTimePreKeyID = oneTimePreKeyID
        self.message = message
    }

    var encoded: [UInt8] {
        var bytes: [UInt8] = [Self.version]
        bytes += identity.rawRepresentation
        bytes += ephemeralKey.rawRepresentation
        bytes.appendBigEndian(signedPreKeyID)
        bytes.appendBigEndian(oneTimePreKeyID ?? Self.noOneTimePreKey)
        return bytes + message.encoded
    }

    /// Reads a prekey message; an identity equal byte for byte to `knownIdentity` (verified
    /// before) is not verified again.
    init(reading reader: inout WireReader, knownIdentity: IdentityPublicKey? = nil) throws(ProtocolError) {
        let version = try reader.readUInt8()
        guard version == Self.version else { throw .unsupportedVersion("prekey message", found: version) }
        let identityBytes = try reader.read(IdentityKey.publicByteCount)
        if let knownIdentity, knownIdentity.rawRepresentation == identityBytes {
            identity = knownIdentity
        } else {
            identity = try crypto { () throws(CryptoError) in try IdentityPublicKey(rawRepresentation: identityBytes) }
        }
        let ephemeral = try reader.read(32)
        ephemeralKey = try crypto { () throws(CryptoError) in try Curve25519.KeyAgreement.PublicKey(rawRepresentation: ephemeral) }
        signedPreKeyID = try reader.readUInt32()
        let oneTime = try reader.readUInt32()
        oneTimePreKeyID = oneTime == Self.noOneTimePreKey ? nil : oneTime
        message = try RatchetMessage(reading: &reader)
    }
}

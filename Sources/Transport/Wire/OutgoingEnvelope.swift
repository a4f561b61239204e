/// The body of a `send` frame: an opaque end-to-end encrypted envelope and what the relay may see.
public struct OutgoingEnvelope: Sendable, Hashable {
    /// Whom it is for.
    public var recipient: PhoneNumber
    /// The sender's id for it, unique per sender: a repeated `send` with the same id is not queued twice.
    public var clientMessageID: UInt64
    /// What sort of traffic it is.
    public var kind: EnvelopeKind
    /// The `SessionEnvelope` bytes (docs/protocol.md), 1…196 608 bytes, never read by the relay.
    public var ciphertext: [UInt8]

    /// Creates the body of a `send`.
    public init(recipient: PhoneNumber, clientMessageID: UInt64, kind: EnvelopeKind, ciphertext: [UInt8]) {
        self.recipient = recipient
        self.clientMessageID = clientMessageID
        self.kind = kind
        self.ciphertext = ciphertext
    }
}

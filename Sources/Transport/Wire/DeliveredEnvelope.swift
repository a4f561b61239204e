/// The body of a `deliver` frame: a queued envelope on its way to its recipient.
public struct DeliveredEnvelope: Sendable, Hashable {
    /// The relay-assigned id the recipient acknowledges and receipts reference.
    public var id: EnvelopeID
    /// Who sent it (the sender's authenticated number).
    public var sender: PhoneNumber
    /// When the relay accepted it, in milliseconds since the Unix epoch.
    public var serverTimeMilliseconds: UInt64
    /// What sort of traffic it is, as the sender declared it.
    public var kind: EnvelopeKind
    /// The opaque `SessionEnvelope` bytes, exactly as sent.
    public var ciphertext: [UInt8]

    /// Creates the body of a `deliver`.
    public init(id: EnvelopeID, sender: PhoneNumber, serverTimeMilliseconds: UInt64, kind: EnvelopeKind, ciphertext: [UInt8]) {
        self.id = id
        self.sender = sender
        self.serverTimeMilliseconds = serverTimeMilliseconds
        self.kind = kind
        self.ciphertext = ciphertext
    }
}

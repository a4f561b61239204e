public import Transport

/// A message encrypted and recorded in the phone's state but not yet accepted by the relay.
///
/// It is written to the state file *before* it is sent, with its ciphertext and client message id,
/// so after a crash or a lost connection exactly the same `send` goes out again; the relay answers
/// a repeated (sender, client message id) with the original `accepted` and queues it only once.
public struct PendingSend: Sendable, Hashable {
    /// The idempotency key, unique per sender.
    public let clientMessageID: UInt64
    /// Whom it is for.
    public let recipient: PhoneNumber
    /// The visible traffic label.
    public let kind: EnvelopeKind
    /// The encoded `SessionEnvelope`.
    public let ciphertext: [UInt8]

    /// Creates a pending send.
    public init(clientMessageID: UInt64, recipient: PhoneNumber, kind: EnvelopeKind, ciphertext: [UInt8]) {
        self.clientMessageID = clientMessageID
        self.recipient = recipient
        self.kind = kind
        self.ciphertext = ciphertext
    }

    /// The body of the `send` frame.
    public var envelope: OutgoingEnvelope {
        OutgoingEnvelope(recipient: recipient, clientMessageID: clientMessageID, kind: kind, ciphertext: ciphertext)
    }
}

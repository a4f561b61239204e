public import Transport

/// A message this phone received and decrypted.
public struct ReceivedMessage: Sendable, Hashable {
    /// The relay's id for the envelope (what receipts and reports reference).
    public let envelopeID: EnvelopeID
    /// Who sent it (the relay-authenticated number).
    public let sender: PhoneNumber
    /// When the relay accepted it, in milliseconds since the Unix epoch.
    public let serverTimeMilliseconds: UInt64
    /// The traffic label the sender declared.
    public let kind: EnvelopeKind
    /// The decrypted message bytes.
    public let plaintext: [UInt8]

    /// Creates a received message.
    public init(envelopeID: EnvelopeID, sender: PhoneNumber, serverTimeMilliseconds: UInt64, kind: EnvelopeKind, plaintext: [UInt8]) {
        self.envelopeID = envelopeID
        self.sender = sender
        self.serverTimeMilliseconds = serverTimeMilliseconds
        self.kind = kind
        self.plaintext = plaintext
    }

    /// The plaintext as UTF-8 text, invalid sequences replaced by U+FFFD.
    public var text: String { String(decoding: plaintext, as: UTF8.self) }
}

/// A message the relay accepted.
public struct SentMessage: Sendable, Hashable {
    /// The id this phone gave it (its idempotency key).
    public let clientMessageID: UInt64
    /// Whom it is for.
    public let recipient: PhoneNumber
    /// The relay's id for it; receipts from the recipient reference it.
    public let envelopeID: EnvelopeID
    /// When the relay accepted it, in milliseconds since the Unix epoch.
    public let serverTimeMilliseconds: UInt64

    /// Creates a sent message.
    public init(clientMessageID: UInt64, recipient: PhoneNumber, envelopeID: EnvelopeID, serverTimeMilliseconds: UInt64) {
        self.clientMessageID = clientMessageID
        self.recipient = recipient
        self.envelopeID = envelopeID
        self.serverTimeMilliseconds = serverTimeMilliseconds
    }
}

/// What `Phone.receive(timeout:)` hands back.
public enum PhoneEvent: Sendable, Hashable {
    /// A message, decrypted, recorded and acknowledged.
    case message(ReceivedMessage)
    /// Delivered / read receipts from `receipt.counterpart` for messages this phone sent.
    case receipt(Receipt)
    /// An envelope that could not be decrypted (damaged, or from a session this phone does not
    /// have). It was recorded and acknowledged so the relay stops re-sending it.
    case undecryptable(envelopeID: EnvelopeID, sender: PhoneNumber, reason: String)
    /// An `error` frame the relay sent without a request (e.g. about an `ack`, or before it
    /// closes the connection).
    case relayError(code: WireErrorCode, message: String)
}

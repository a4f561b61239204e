/// The body of a `receipt` frame: delivered or read receipts for envelopes of one counterpart.
///
/// From a client, `counterpart` is the envelopes' sender, to whom the relay forwards the receipt; the
/// relay forwards it with `counterpart` replaced by the receipt's author.
public struct Receipt: Sendable, Hashable {
    /// Delivered or read.
    public var kind: ReceiptKind
    /// The other party: the addressee when a client sends it, the author when the relay delivers it.
    public var counterpart: PhoneNumber
    /// The envelopes it is for, 1…256.
    public var envelopeIDs: [EnvelopeID]

    /// Creates the body of a `receipt`.
    public init(kind: ReceiptKind, counterpart: PhoneNumber, envelopeIDs: [EnvelopeID]) {
        self.kind = kind
        self.counterpart = counterpart
        self.envelopeIDs = envelopeIDs
    }
}

/// A request from an authenticated client that the relay must act on: the client → relay frames
/// after authentication, and `receipt`. The relay's handler switches over exactly these.
public enum ClientRequest: Sendable, Equatable {
    /// Replace the client's prekey bundles; answer `ok`.
    case publishPreKeys(bundles: [[UInt8]])
    /// Hand out one of `owner`'s bundles; answer `prekey_bundle`.
    case fetchPreKeys(owner: PhoneNumber)
    /// Accept and queue an envelope; answer `accepted`.
    case send(OutgoingEnvelope)
    /// Delete delivered envelopes from the client's queue; no answer.
    case ack(envelopeIDs: [EnvelopeID])
    /// Forward receipts to their counterpart; no answer.
    case receipt(Receipt)
    /// Record that the client blocks `blocked`; answer `ok` once committed.
    case block(blocked: PhoneNumber, reason: BlockReason)
    /// Record a report against a business; answer `ok` once committed.
    case report(SpamReport)

    /// The request a frame carries, or `nil` if the frame is not a request.
    init?(_ frame: Frame) {
        switch frame {
        case let .publishPreKeys(bundles): self = .publishPreKeys(bundles: bundles)
        case let .fetchPreKeys(owner): self = .fetchPreKeys(owner: owner)
        case let .send(envelope): self = .send(envelope)
        case let .ack(ids): self = .ack(envelopeIDs: ids)
        case let .receipt(receipt): self = .receipt(receipt)
        case let .block(blocked, reason): self = .block(blocked: blocked, reason: reason)
        case let .report(report): self = .report(report)
        case .register, .hello, .error, .ping, .pong, .registered, .welcome, .preKeyBundle, .accepted, .deliver, .ok, .notice:
            return nil
        }
    }
}

/// One frame of the relay's wire protocol, with typed fields (docs/wire.md). The header's request id
/// travels beside it (``DecodedFrame``, ``FrameEncoder/encode(_:requestID:)``).
///
/// A value may hold fields the wire forbids (an empty ciphertext, 300 envelope ids, a 600-byte
/// error text); ``FrameEncoder`` refuses to encode those, so only valid frames reach the wire.
public enum Frame: Sendable, Equatable {
    /// C→R: a new device claims `phone`; answered by ``registered(token:)``.
    case register(phone: PhoneNumber, device: DeviceID)
    /// C→R: a registered device authenticates this connection; answered by ``welcome``.
    case hello(phone: PhoneNumber, device: DeviceID, token: RelayToken)
    /// C→R: replaces the sender's opaque prekey bundles (1…100 of 1…2048 bytes); answered by ``ok``.
    case publishPreKeys(bundles: [[UInt8]])
    /// C→R: asks for one of `owner`'s bundles; answered by ``preKeyBundle(owner:bundle:)``.
    case fetchPreKeys(owner: PhoneNumber)
    /// C→R: an envelope for a recipient; answered by ``accepted(clientMessageID:envelopeID:serverTimeMilliseconds:)``.
    case send(OutgoingEnvelope)
    /// C→R: these delivered envelopes (1…256) are stored; no reply.
    case ack(envelopeIDs: [EnvelopeID])
    /// C→R: the authenticated user blocks `blocked`; answered by ``ok``.
    case block(blocked: PhoneNumber, reason: BlockReason)
    /// C→R: the authenticated user reports a business; answered by ``ok`` once committed.
    case report(SpamReport)
    /// Both: delivered / read receipts (C→R addressed to, R→C from, the counterpart); no reply.
    case receipt(Receipt)
    /// Both: refuses the frame whose request id it echoes; the text is at most 512 UTF-8 bytes.
    case error(code: WireErrorCode, message: String)
    /// Both: liveness probe; answered by ``pong(nonce:)`` with the same nonce and request id.
    case ping(nonce: UInt64)
    /// Both: the answer to a ``ping(nonce:)``.
    case pong(nonce: UInt64)
    /// R→C: registration succeeded; the device presents `token` in later `hello`s.
    case registered(token: RelayToken)
    /// R→C: `hello` accepted.
    case welcome
    /// R→C: one of `owner`'s opaque prekey bundles.
    case preKeyBundle(owner: PhoneNumber, bundle: [UInt8])
    /// R→C: the `send` with `clientMessageID` was accepted as envelope `envelopeID` at the given time
    /// (milliseconds since the Unix epoch).
    case accepted(clientMessageID: UInt64, envelopeID: EnvelopeID, serverTimeMilliseconds: UInt64)
    /// R→C: an envelope for this client; acknowledged by ``ack(envelopeIDs:)``.
    case deliver(DeliveredEnvelope)
    /// R→C: the request succeeded.
    case ok
    /// R→C: unsolicited news for the client (request id 0), at most 512 UTF-8 bytes of text; no reply.
    case notice(kind: NoticeKind, text: String)

    /// The frame's type byte.
    public var type: FrameType {
        switch self {
        case .register: .register
        case .hello: .hello
        case .publishPreKeys: .publishPreKeys
        case .fetchPreKeys: .fetchPreKeys
        case .send: .send
        case .ack: .ack
        case .block: .block
        case .report: .report
        case .receipt: .receipt
        case .error: .error
        case .ping: .ping
        case .pong: .pong
        case .registered: .registered
        case .welcome: .welcome
        case .preKeyBundle: .preKeyBundle
        case .accepted: .accepted
        case .deliver: .deliver
        case .ok: .ok
        case .notice: .notice
        }
    }

    /// An error frame whose message is cut, at a Unicode scalar boundary, to the wire's limit of
    /// 512 UTF-8 bytes, so it always encodes.
    public static func makeError(_ code: WireErrorCode, message: String) -> Frame {
        let limit = WireFormat.maximumErrorTextLength
        guard message.utf8.count > limit else { return .error(code: code, message: message) }
        var clipped = String.UnicodeScalarView()
        var length = 0
        for scalar in message.unicodeScalars {
            length += UTF8.width(scalar)
            if length > limit { break }
            clipped.append(scalar)
        }
        return .error(code: code, message: String(clipped))
    }
}

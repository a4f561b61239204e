/// The type byte of a frame header (docs/wire.md, "Frame types"). Bit 7 set: relay → client;
/// bit 6 set: either direction; neither: client → relay.
public enum FrameType: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// 0x01, C→R: claim a phone number for a new device.
    case register = 0x01
    /// 0x02, C→R: authenticate a connection with the relay-issued token.
    case hello = 0x02
    /// 0x03, C→R: replace the sender's prekey bundles.
    case publishPreKeys = 0x03
    /// 0x04, C→R: ask for a number's prekey bundle.
    case fetchPreKeys = 0x04
    /// 0x05, C→R: an envelope for a recipient.
    case send = 0x05
    /// 0x06, C→R: delivered envelopes are stored; the relay may delete them.
    case ack = 0x06
    /// 0x07, C→R: block a number.
    case block = 0x07
    /// 0x08, C→R: report a business.
    case report = 0x08
    /// 0x40, both: delivered / read receipts.
    case receipt = 0x40
    /// 0x41, both: a refused frame or a failed connection.
    case error = 0x41
    /// 0x42, both: liveness probe.
    case ping = 0x42
    /// 0x43, both: the answer to a ping.
    case pong = 0x43
    /// 0x81, R→C: registration succeeded; here is the token.
    case registered = 0x81
    /// 0x82, R→C: `hello` accepted.
    case welcome = 0x82
    /// 0x83, R→C: a prekey bundle.
    case preKeyBundle = 0x83
    /// 0x84, R→C: an envelope was accepted and given an id.
    case accepted = 0x84
    /// 0x85, R→C: an envelope for this client.
    case deliver = 0x85
    /// 0x86, R→C: the request succeeded.
    case ok = 0x86
    /// 0x87, R→C: something the client should know that answers no request (integrity standing).
    case notice = 0x87

    /// Which way a frame type flows.
    public enum Direction: Sendable, Hashable {
        /// Sent by clients, received by the relay.
        case clientToRelay
        /// Sent by the relay, received by clients.
        case relayToClient
        /// Sent and received by both.
        case both
    }

    /// Which way this type flows.
    public var direction: Direction {
        if rawValue & 0x80 != 0 { return .relayToClient }
        if rawValue & 0x40 != 0 { return .both }
        return .clientToRelay
    }

    /// The longest valid body of this type; a longer one is rejected from the header alone.
    public var maximumBodyLength: Int {
        let phone = 1 + 1 + PhoneNumber.maximumDigitCount
        let idList = 2 + WireFormat.maximumEnvelopeIDCount * EnvelopeID.byteCount
        switch self {
        case .register: return phone + 4
        case .hello: return phone + 4 + RelayToken.byteCount
        case .publishPreKeys: return 2 + WireFormat.maximumBundleCount * (2 + WireFormat.maximumBundleLength)
        case .fetchPreKeys: return phone
        case .send: return phone + 8 + 2 + 4 + WireFormat.maximumCiphertextLength
        case .ack: return idList
        case .block: return phone + 1
        case .report: return phone + 1 + 1 + EnvelopeID.byteCount
        case .receipt: return 1 + phone + idList
        case .error: return 2 + 2 + WireFormat.maximumErrorTextLength
        case .ping, .pong: return 8
        case .registered: return RelayToken.byteCount
        case .welcome, .ok: return 0
        case .preKeyBundle: return phone + 2 + WireFormat.maximumBundleLength
        case .accepted: return 8 + EnvelopeID.byteCount + 8
        case .deliver: return EnvelopeID.byteCount + phone + 8 + 2 + 4 + WireFormat.maximumCiphertextLength
        case .notice: return 1 + 2 + WireFormat.maximumNoticeTextLength
        }
    }

    /// The name used in docs/wire.md, e.g. `publish_prekeys`.
    public var description: String {
        switch self {
        case .register: "register"
        case .hello: "hello"
        case .publishPreKeys: "publish_prekeys"
        case .fetchPreKeys: "fetch_prekeys"
        case .send: "send"
        case .ack: "ack"
        case .block: "block"
        case .report: "report"
        case .receipt: "receipt"
        case .error: "error"
        case .ping: "ping"
        case .pong: "pong"
        case .registered: "registered"
        case .welcome: "welcome"
        case .preKeyBundle: "prekey_bundle"
        case .accepted: "accepted"
        case .deliver: "deliver"
        case .ok: "ok"
        case .notice: "notice"
        }
    }
}

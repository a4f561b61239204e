public import Transport

/// Something the relay sent without being asked, kept until the phone reads it.
public enum RelayEvent: Sendable, Equatable {
    /// An envelope for this phone.
    case deliver(DeliveredEnvelope)
    /// Receipts for envelopes this phone sent; `counterpart` is their author.
    case receipt(Receipt)
    /// An `error` frame not tied to a pending request.
    case error(code: WireErrorCode, message: String)
}

/// The client's side of one relay connection as a pure state machine: frames in, ``Action``s out,
/// no I/O (docs/wire.md, the mirror image of the relay's rules).
///
/// The connection is used by one caller at a time, so at most one request is outstanding. The
/// machine hands out unique request ids, recognises the reply to the outstanding request (or the
/// `error` that refuses it), turns `deliver`, `receipt` and unsolicited `error` frames into
/// events, answers `ping` with `pong`, and answers frames the relay must never send with error 203.
/// A reply that arrives after its request gave up (a late answer after a timeout) is dropped.
public struct ClientConnectionMachine: Sendable {
    /// The request a reply is awaited for.
    public struct Outstanding: Sendable, Equatable {
        /// The id the request carried.
        public let requestID: RequestID
        /// The request's type, which fixes the reply's.
        public let request: FrameType
    }

    /// What the I/O edge must do.
    public enum Action: Sendable, Equatable {
        /// The outstanding request got its reply.
        case reply(Frame)
        /// The outstanding request was refused with an `error` frame.
        case refused(code: WireErrorCode, message: String)
        /// The outstanding request was answered with a frame of the wrong type.
        case unexpectedReply(FrameType)
        /// Keep this for the caller.
        case event(RelayEvent)
        /// Send this frame; the connection stays open.
        case send(Frame, requestID: RequestID)
        /// The reply to the outstanding request did not decode: send `answer` (if any); the
        /// request failed, the stream continues.
        case malformedReply(WireError, answer: Frame?, requestID: RequestID)
        /// Send this frame (if any), then close: the stream cannot continue.
        case close(Frame?, requestID: RequestID)
        /// Nothing to do.
        case ignore
    }

    /// The request awaiting its reply, if any.
    public private(set) var outstanding: Outstanding?
    /// Whether the connection is closed; every later event is ignored.
    public private(set) var isClosed = false
    private var lastRequestID: UInt32 = 0

    /// A machine for a new connection.
    public init() {}

    /// Gives `request` a fresh id (never 0, which marks frames without replies) and awaits its reply.
    public mutating func startRequest(_ request: FrameType) -> RequestID {
        lastRequestID = lastRequestID == UInt32.max ? 1 : lastRequestID + 1
        let id = RequestID(rawValue: lastRequestID)
        outstanding = Outstanding(requestID: id, request: request)
        return id
    }

    /// Stops waiting for the outstanding request's reply (it timed out); a late reply is dropped.
    public mutating func abandonRequest() {
        outstanding = nil
    }

    /// The connection was closed by either side.
    public mutating func closed() {
        isClosed = true
        outstanding = nil
    }

    /// The reply type each request expects.
    public static func replyType(to request: FrameType) -> FrameType? {
        switch request {
        case .register: .registered
        case .hello: .welcome
        case .publishPreKeys, .block, .report: .ok
        case .fetchPreKeys: .preKeyBundle
        case .send: .accepted
        case .ping: .pong
        default: nil
        }
    }

    /// A decoded frame arrived.
    public mutating func receive(_ decoded: DecodedFrame) -> Action {
        guard !isClosed else { return .ignore }
        let requestID = decoded.requestID
        switch decoded.frame {
        case let .ping(nonce):
            return .send(.pong(nonce: nonce), requestID: requestID)
        case let .deliver(envelope):
            return .event(.deliver(envelope))
        case let .receipt(receipt):
            return .event(.receipt(receipt))
        case let .error(code, message):
            if let outstanding, outstanding.requestID == requestID {
                self.outstanding = nil
                return .refused(code: code, message: message)
            }
            // 0: not tied to a frame. Another id: a refusal of an abandoned request; keep it too,
            // the caller may want to know.
            return .event(.error(code: code, message: message))
        case .notice:
            // News for businesses (integrity standing); a phone has nothing to do with it.
            return .ignore
        case .registered, .welcome, .preKeyBundle, .accepted, .ok, .pong:
            guard let outstanding, outstanding.requestID == requestID else { return .ignore }
            self.outstanding = nil
            guard Self.replyType(to: outstanding.request) == decoded.frame.type else {
                return .unexpectedReply(decoded.frame.type)
            }
            return .reply(decoded.frame)
        case .register, .hello, .publishPreKeys, .fetchPreKeys, .send, .ack, .block, .report:
            return .send(
                Frame.makeError(.wrongDirection, message: "\(decoded.frame.type) flows from clients to the relay"),
                requestID: requestID)
        }
    }

    /// The decoder threw. A recoverable error is answered and the stream continues; a framing
    /// error closes the connection. An `error` frame is never answered with another.
    public mutating func decodingFailed(_ error: WireError) -> Action {
        guard !isClosed else { return .ignore }
        let requestID = error.requestID ?? .zero
        let answer: Frame? = error.frameType == FrameType.error.rawValue ? nil : Frame.makeError(error.code, message: error.description)
        if let outstanding, outstanding.requestID == requestID, requestID != .zero, error.isRecoverable {
            // The reply to our request was malformed: the request failed, the stream is in sync.
            self.outstanding = nil
            return .malformedReply(error, answer: answer, requestID: requestID)
        }
        if error.isRecoverable {
            guard let answer else { return .ignore }
            return .send(answer, requestID: requestID)
        }
        closed()
        return .close(answer, requestID: requestID)
    }
}

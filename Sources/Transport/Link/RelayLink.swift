/// A non-blocking connection to the relay on an event loop, for servers that speak for a number
/// (the Cloud API endpoint speaks for its businesses): authenticates, correlates requests with
/// their replies by request id, hands `deliver` and `receipt` frames to its delegate, answers
/// pings, and batches acknowledgements into one `ack` frame per loop turn.
///
/// Requests made before authentication completes are queued and sent right after it. When the
/// connection ends, every outstanding request fails with ``RelayLinkError/closed(_:)``; the owner
/// reconnects with a new link (hello with the token it got at registration).
///
/// Loop-confined, like the `TCPConnection` it drives.
public final class RelayLink {
    /// How the link authenticates.
    public enum Credentials: Sendable, Equatable {
        /// First connection of a number: the relay issues a token (``RelayLinkDelegate/link(_:didRegisterWith:)``).
        case register(PhoneNumber, DeviceID)
        /// A later connection with the token issued at registration.
        case hello(PhoneNumber, DeviceID, RelayToken)

        /// The number authenticated as.
        public var phone: PhoneNumber {
            switch self {
            case let .register(phone, _), let .hello(phone, _, _): phone
            }
        }
    }

    /// Where the link is.
    public enum State: Sendable, Equatable {
        /// TCP or authentication in progress.
        case connecting
        /// Authenticated; requests flow.
        case ready
        /// Closed; see ``closeReason``.
        case closed
    }

    /// The loop it lives on.
    public let loop: EventLoop
    /// The credentials it authenticates with.
    public let credentials: Credentials
    /// Where the link is.
    public private(set) var state = State.connecting
    /// Why it closed, once closed.
    public private(set) var closeReason: String?
    /// The receiver of deliveries, receipts and state changes.
    public weak var delegate: (any RelayLinkDelegate)?

    private var connection: TCPConnection?
    private var decoder: FrameDecoder
    private let encoder: FrameEncoder
    private var nextRequestID: UInt32 = 1
    private var pending: [RequestID: (Result<Frame, RelayLinkError>) -> Void] = [:]
    private var queuedUntilReady: [UInt8] = []
    private var outputBuffer: [UInt8] = []
    private var pendingAcks: [EnvelopeID] = []
    private var endOfTurnHook: EndOfTurnHookID?

    /// Connects to the relay at `address` and authenticates with `credentials`. Loop-confined.
    public init(
        connectingTo address: SocketAddress, on loop: EventLoop, credentials: Credentials,
        delegate: (any RelayLinkDelegate)?, options: TCPConnection.Options = TCPConnection.Options(outputLimit: 16 << 20),
        maximumFrameSize: Int = WireFormat.defaultMaximumFrameSize
    ) throws(SystemError) {
        loop.preconditionConfined()
        self.loop = loop
        self.credentials = credentials
        self.delegate = delegate
        decoder = FrameDecoder(maximumFrameSize: maximumFrameSize)
        encoder = FrameEncoder(maximumFrameSize: maximumFrameSize)
        let handler = ConnectionHandler()
        connection = try TCPConnection.connect(to: address, on: loop, options: options, delegate: handler)
        handler.link = self
        endOfTurnHook = loop.addEndOfTurnHook { [weak self] in self?.flush() }
        let authentication: Frame = switch credentials {
        case let .register(phone, device): .register(phone: phone, device: device)
        case let .hello(phone, device, token): .hello(phone: phone, device: device, token: token)
        }
        let requestID = takeRequestID()
        pending[requestID] = { [weak self] result in self?.authenticated(result) }
        encodeDirect(authentication, requestID: requestID)
    }

    // MARK: Requests

    /// Sends a raw request and calls `completion` (on the loop) with the reply frame, or the
    /// relay's error, or the link's end.
    public func request(_ frame: Frame, completion: @escaping (Result<Frame, RelayLinkError>) -> Void) {
        loop.preconditionConfined()
        guard state != .closed else {
            completion(.failure(.closed(closeReason ?? "closed")))
            return
        }
        let requestID = takeRequestID()
        pending[requestID] = completion
        if state == .ready {
            encodeDirect(frame, requestID: requestID)
        } else {
            do throws(WireError) {
                try encoder.encode(frame, requestID: requestID, into: &queuedUntilReady)
            } catch {
                pending[requestID] = nil
                completion(.failure(.encoding(error)))
            }
        }
    }

    /// `send`: `completion` gets the relay-assigned envelope id and time, or the refusal.
    public func send(_ envelope: OutgoingEnvelope, completion: @escaping (Result<(EnvelopeID, UInt64), RelayLinkError>) -> Void) {
        request(.send(envelope)) { result in
            completion(result.flatMap { frame in
                guard case let .accepted(_, id, time) = frame else { return .failure(.unexpectedReply(frame.type)) }
                return .success((id, time))
            })
        }
    }

    /// `publish_prekeys`: replaces the number's bundles at the relay.
    public func publishPreKeys(_ bundles: [[UInt8]], completion: @escaping (Result<Void, RelayLinkError>) -> Void) {
        request(.publishPreKeys(bundles: bundles)) { completion($0.flatMap(Self.expectOK)) }
    }

    /// `fetch_prekeys`: one of `owner`'s bundles.
    public func fetchPreKeys(of owner: PhoneNumber, completion: @escaping (Result<[UInt8], RelayLinkError>) -> Void) {
        request(.fetchPreKeys(owner: owner)) { result in
            completion(result.flatMap { frame in
                guard case let .preKeyBundle(_, bundle) = frame else { return .failure(.unexpectedReply(frame.type)) }
                return .success(bundle)
            })
        }
    }

    /// Acknowledges delivered envelopes; batched into one `ack` per loop turn (256 ids per frame).
    public func acknowledge(_ ids: some Sequence<EnvelopeID>) {
        loop.preconditionConfined()
        pendingAcks.append(contentsOf: ids)
    }

    /// Sends a receipt (no reply).
    public func sendReceipt(_ receipt: Receipt) {
        loop.preconditionConfined()
        guard state == .ready else { return }
        encodeDirect(.receipt(receipt), requestID: .zero)
    }

    /// Closes the link; outstanding requests fail.
    public func close() {
        loop.preconditionConfined()
        flush()
        connection?.close()
    }

    // MARK: Incoming

    fileprivate func didRead(_ connection: TCPConnection) {
        decoder.feed(connection.inputBytes)
        connection.consumeInput(connection.inputBytes.count)
        while state != .closed {
            let decoded: DecodedFrame?
            do throws(WireError) {
                decoded = try decoder.next()
            } catch {
                if decoder.hasFailed {
                    finish("undecodable stream from the relay: \(error)")
                    return
                }
                continue
            }
            guard let decoded else { return }
            dispatch(decoded)
        }
    }

    private func dispatch(_ decoded: DecodedFrame) {
        switch decoded.frame {
        case let .deliver(envelope):
            delegate?.link(self, didReceive: envelope)
        case let .receipt(receipt):
            delegate?.link(self, didReceive: receipt)
        case let .notice(kind, text):
            delegate?.link(self, didReceiveNotice: kind, text: text)
        case let .ping(nonce):
            encodeDirect(.pong(nonce: nonce), requestID: decoded.requestID)
        case .pong:
            return
        case let .error(code, message):
            if decoded.requestID != .zero, let completion = pending.removeValue(forKey: decoded.requestID) {
                completion(.failure(.refused(code, message)))
            } else {
                delegate?.link(self, didReceiveError: code, message: message)
            }
        default:
            guard let completion = pending.removeValue(forKey: decoded.requestID) else { return }
            completion(.success(decoded.frame))
        }
    }

    private func authenticated(_ result: Result<Frame, RelayLinkError>) {
        switch result {
        case let .success(.registered(token)):
            state = .ready
            delegate?.link(self, didRegisterWith: token)
        case .success(.welcome):
            state = .ready
        case let .success(frame):
            finish("unexpected \(frame.type) in answer to authentication")
            return
        case let .failure(error):
            finish("authentication failed: \(error)")
            return
        }
        if !queuedUntilReady.isEmpty {
            outputBuffer.append(contentsOf: queuedUntilReady)
            queuedUntilReady.removeAll()
        }
        delegate?.linkDidBecomeReady(self)
    }

    fileprivate func didClose(_ reason: CloseReason) {
        finish("connection \(reason)")
    }

    private func finish(_ reason: String) {
        guard state != .closed else { return }
        state = .closed
        closeReason = reason
        // The hook is removed here, on the loop; a link released while open leaves a no-op hook
        // (it captures the link weakly) until its loop ends.
        if let hook = endOfTurnHook { loop.removeEndOfTurnHook(hook) }
        endOfTurnHook = nil
        connection?.abort()
        connection = nil
        let failed = pending
        pending.removeAll()
        for (_, completion) in failed.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            completion(.failure(.closed(reason)))
        }
        delegate?.link(self, didCloseWith: reason)
    }

    // MARK: Output

    private func takeRequestID() -> RequestID {
        defer { nextRequestID = nextRequestID == .max ? 1 : nextRequestID + 1 }
        return RequestID(rawValue: nextRequestID)
    }

    /// Encodes `frame` into this turn's output buffer.
    private func encodeDirect(_ frame: Frame, requestID: RequestID) {
        do throws(WireError) {
            try encoder.encode(frame, requestID: requestID, into: &outputBuffer)
        } catch {
            if let completion = pending.removeValue(forKey: requestID) { completion(.failure(.encoding(error))) }
        }
    }

    /// Writes the turn's frames and acks with one `write`.
    private func flush() {
        guard let connection else { return }
        if state == .ready, !pendingAcks.isEmpty {
            var start = 0
            while start < pendingAcks.count {
                let end = min(start + WireFormat.maximumEnvelopeIDCount, pendingAcks.count)
                encodeDirect(.ack(envelopeIDs: Array(pendingAcks[start..<end])), requestID: .zero)
                start = end
            }
            pendingAcks.removeAll(keepingCapacity: true)
        }
        guard !outputBuffer.isEmpty else { return }
        connection.write(outputBuffer)
        outputBuffer.removeAll(keepingCapacity: outputBuffer.capacity <= 1 << 16)
    }

    private static func expectOK(_ frame: Frame) -> Result<Void, RelayLinkError> {
        if case .ok = frame { return .success(()) }
        return .failure(.unexpectedReply(frame.type))
    }
}

/// Forwards the connection's callbacks to the link without a reference cycle.
private final class ConnectionHandler: TCPConnectionDelegate {
    weak var link: RelayLink?

    func connectionDidRead(_ connection: TCPConnection) { link?.didRead(connection) }

    func connection(_ connection: TCPConnection, didCloseWith reason: CloseReason) { link?.didClose(reason) }
}

/// What a ``RelayLink`` tells its owner, on the loop.
public protocol RelayLinkDelegate: AnyObject {
    /// Registration succeeded; keep `token` for later hellos.
    func link(_ link: RelayLink, didRegisterWith token: RelayToken)
    /// Authenticated; queued requests have been sent.
    func linkDidBecomeReady(_ link: RelayLink)
    /// An envelope for this number; acknowledge it once stored.
    func link(_ link: RelayLink, didReceive envelope: DeliveredEnvelope)
    /// A receipt from `receipt.counterpart`.
    func link(_ link: RelayLink, didReceive receipt: Receipt)
    /// An unsolicited error from the relay (e.g. 303 replaced, 501 shutting down).
    func link(_ link: RelayLink, didReceiveError code: WireErrorCode, message: String)
    /// News from the relay about this number (e.g. its integrity standing changed).
    func link(_ link: RelayLink, didReceiveNotice kind: NoticeKind, text: String)
    /// The link is closed.
    func link(_ link: RelayLink, didCloseWith reason: String)
}

extension RelayLinkDelegate {
    /// Does nothing.
    public func link(_ link: RelayLink, didRegisterWith token: RelayToken) {}
    /// Does nothing.
    public func linkDidBecomeReady(_ link: RelayLink) {}
    /// Does nothing.
    public func link(_ link: RelayLink, didReceive receipt: Receipt) {}
    /// Does nothing.
    public func link(_ link: RelayLink, didReceiveError code: WireErrorCode, message: String) {}
    /// Does nothing.
    public func link(_ link: RelayLink, didReceiveNotice kind: NoticeKind, text: String) {}
    /// Does nothing.
    public func link(_ link: RelayLink, didCloseWith reason: String) {}
}

/// Why a ``RelayLink`` request failed.
public enum RelayLinkError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The relay answered with an error frame.
    case refused(WireErrorCode, String)
    /// The link closed before the answer.
    case closed(String)
    /// The relay answered with a frame of the wrong type.
    case unexpectedReply(FrameType)
    /// The request could not be encoded (a field above its limit).
    case encoding(WireError)

    /// One line.
    public var description: String {
        switch self {
        case let .refused(code, message): "relay refused: \(code) \(message)"
        case let .closed(reason): "relay link closed: \(reason)"
        case let .unexpectedReply(type): "unexpected \(type) from the relay"
        case let .encoding(error): "cannot encode request: \(error)"
        }
    }
}

/// The relay's side of one connection as a pure state machine (docs/wire.md, "Connection state
/// machine"): events in, ``Action``s out, no I/O. The relay's connection handler runs the actions in
/// one `switch`; store look-ups (tokens, registration) happen outside and come back as events.
///
/// ```
/// awaitingHello ──register──▶ registering ────registrationCompleted──▶ authenticated
///               ──hello─────▶ authenticating ──helloAccepted──────────▶
/// any violation before authentication, framing errors, authenticationRejected, close ──▶ closed
/// ```
public struct ConnectionStateMachine: Sendable {
    /// Where the connection is.
    public enum State: Sendable, Equatable {
        /// Nothing but `register`, `hello`, `ping`, `pong` and `error` is allowed.
        case awaitingHello
        /// A `register` is being processed; `requestID` is owed the answer.
        case registering(ClientIdentity, requestID: RequestID)
        /// A `hello` is being checked; `requestID` is owed the answer.
        case authenticating(ClientIdentity, requestID: RequestID)
        /// Requests are forwarded on behalf of this client.
        case authenticated(ClientIdentity)
        /// An error frame was sent and the stream is closing; everything is ignored.
        case closed
    }

    /// The connection's state.
    public private(set) var state = State.awaitingHello

    /// A connection that has just been accepted.
    public init() {}

    /// The authenticated client, if any.
    public var identity: ClientIdentity? {
        if case let .authenticated(identity) = state { return identity }
        return nil
    }

    /// Whether the connection is closed: every later event is ignored.
    public var isClosed: Bool { state == .closed }

    /// A decoded frame arrived.
    public mutating func receive(_ decoded: DecodedFrame) -> Action {
        receive(decoded.frame, requestID: decoded.requestID)
    }

    /// A frame arrived with `requestID` in its header.
    public mutating func receive(_ frame: Frame, requestID: RequestID) -> Action {
        if case .closed = state { return .ignore }
        switch frame {
        case let .ping(nonce):
            return .reply(.pong(nonce: nonce), requestID: requestID)
        case .pong:
            return .ignore
        case let .error(code, message):
            return .peerError(code, message: message, requestID: requestID)
        case let .register(phone, device):
            let identity = ClientIdentity(phone: phone, device: device)
            return authenticationRequested(requestID: requestID, next: .registering(identity, requestID: requestID), .registerRequested(identity))
        case let .hello(phone, device, token):
            let identity = ClientIdentity(phone: phone, device: device)
            return authenticationRequested(requestID: requestID, next: .authenticating(identity, requestID: requestID), .helloRequested(identity, token: token))
        case .registered, .welcome, .preKeyBundle, .accepted, .deliver, .ok, .notice:
            return violation(.wrongDirection, "\(frame.type) flows from the relay to clients", requestID: requestID)
        case .publishPreKeys, .fetchPreKeys, .send, .ack, .receipt, .block, .report:
            guard case let .authenticated(identity) = state, let request = ClientRequest(frame) else {
                return violation(.notAuthenticated, "\(frame.type) before authentication", requestID: requestID)
            }
            return .forward(request, from: identity, requestID: requestID)
        }
    }

    /// The decoder threw: recoverable errors are answered and, once authenticated, the connection
    /// continues; framing errors and anything before authentication close it.
    public mutating func decodingFailed(_ error: WireError) -> Action {
        if case .closed = state { return .ignore }
        let frame = Frame.makeError(error.code, message: error.description)
        let requestID = error.requestID ?? .zero
        if error.isRecoverable, case .authenticated = state { return .reply(frame, requestID: requestID) }
        state = .closed
        return .replyAndClose(frame, requestID: requestID)
    }

    /// The relay registered the number and issued `token`: answers `registered`, authenticated.
    /// Ignored once closed; calling it in any other state than registering is a programming error.
    public mutating func registrationCompleted(token: RelayToken) -> Action {
        switch state {
        case .closed:
            return .ignore
        case let .registering(identity, requestID):
            state = .authenticated(identity)
            return .reply(.registered(token: token), requestID: requestID)
        case .awaitingHello, .authenticating, .authenticated:
            preconditionFailure("registrationCompleted in state \(state)")
        }
    }

    /// The relay accepted the `hello`'s token: answers `welcome`, authenticated.
    /// Ignored once closed; calling it in any other state than authenticating is a programming error.
    public mutating func helloAccepted() -> Action {
        switch state {
        case .closed:
            return .ignore
        case let .authenticating(identity, requestID):
            state = .authenticated(identity)
            return .reply(.welcome, requestID: requestID)
        case .awaitingHello, .registering, .authenticated:
            preconditionFailure("helloAccepted in state \(state)")
        }
    }

    /// The relay refused the `register` or `hello` (by default `authentication_failed`): the error
    /// answers the pending request and the connection closes. Ignored once closed; calling it in any
    /// other state than registering or authenticating is a programming error.
    public mutating func authenticationRejected(
        _ code: WireErrorCode = .authenticationFailed, message: String = "authentication failed"
    ) -> Action {
        switch state {
        case .closed:
            return .ignore
        case let .registering(_, requestID), let .authenticating(_, requestID):
            state = .closed
            return .replyAndClose(.makeError(code, message: message), requestID: requestID)
        case .awaitingHello, .authenticated:
            preconditionFailure("authenticationRejected in state \(state)")
        }
    }

    /// The relay ends the connection (e.g. `replaced`, `unavailable`): an unsolicited error, then close.
    public mutating func close(_ code: WireErrorCode, message: String) -> Action {
        if case .closed = state { return .ignore }
        state = .closed
        return .replyAndClose(.makeError(code, message: message), requestID: .zero)
    }

    /// `register` / `hello`: allowed only while awaiting hello. A second one while authenticating
    /// closes; once authenticated it is refused and the connection continues.
    private mutating func authenticationRequested(requestID: RequestID, next: State, _ action: Action) -> Action {
        switch state {
        case .awaitingHello:
            state = next
            return action
        case .registering, .authenticating:
            state = .closed
            return .replyAndClose(.makeError(.outOfState, message: "already authenticating"), requestID: requestID)
        case .authenticated:
            return .reply(.makeError(.outOfState, message: "already authenticated"), requestID: requestID)
        case .closed:
            return .ignore
        }
    }

    /// A frame the state does not allow: refused; the connection closes unless authenticated.
    private mutating func violation(_ code: WireErrorCode, _ message: String, requestID: RequestID) -> Action {
        let frame = Frame.makeError(code, message: message)
        if case .authenticated = state { return .reply(frame, requestID: requestID) }
        state = .closed
        return .replyAndClose(frame, requestID: requestID)
    }
}

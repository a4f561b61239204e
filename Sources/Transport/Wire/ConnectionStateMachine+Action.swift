extension ConnectionStateMachine {
    /// What the relay's connection handler must do after an event.
    public enum Action: Sendable, Equatable {
        /// Register `identity`: issue a token, store it (replacing the number's earlier device), then
        /// call ``ConnectionStateMachine/registrationCompleted(token:)`` or
        /// ``ConnectionStateMachine/authenticationRejected(_:message:)``.
        case registerRequested(ClientIdentity)
        /// Check `token` for `identity` in constant time (``RelayToken``'s `==`), then call
        /// ``ConnectionStateMachine/helloAccepted()`` or ``ConnectionStateMachine/authenticationRejected(_:message:)``.
        case helloRequested(ClientIdentity, token: RelayToken)
        /// Process an authenticated client's request; answer it with `requestID`.
        case forward(ClientRequest, from: ClientIdentity, requestID: RequestID)
        /// Send `frame` with `requestID` in its header.
        case reply(Frame, requestID: RequestID)
        /// Send `frame` with `requestID`, then close the stream; the machine is now closed.
        case replyAndClose(Frame, requestID: RequestID)
        /// The client sent an `error` frame: log it; never answer an error with an error.
        case peerError(WireErrorCode, message: String, requestID: RequestID)
        /// Nothing to do.
        case ignore
    }
}

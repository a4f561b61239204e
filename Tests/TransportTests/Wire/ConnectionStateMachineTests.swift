import Testing
@testable import Transport

/// One line per transition: state, event → action, next state (docs/wire.md's table).
@Suite struct WireConnectionStateMachineTests {
    typealias Action = ConnectionStateMachine.Action
    typealias State = ConnectionStateMachine.State

    static let alice = WireFixtures.aliceOnDevice1
    static let token = WireFixtures.token
    static let envelope = OutgoingEnvelope(recipient: WireFixtures.bob, clientMessageID: 9, kind: .user, ciphertext: [1, 2, 3])
    static let deliver = Frame.deliver(DeliveredEnvelope(id: EnvelopeID(high: 1, low: 2), sender: WireFixtures.bob,
                                                         serverTimeMilliseconds: 0, kind: .user, ciphertext: [1]))
    static let register = Frame.register(phone: WireFixtures.alice, device: WireFixtures.device1)
    static let hello = Frame.hello(phone: WireFixtures.alice, device: WireFixtures.device1, token: WireFixtures.token)

    /// Machines in each state, reached through events.
    static var awaiting: ConnectionStateMachine { ConnectionStateMachine() }
    static var registering: ConnectionStateMachine {
        var machine = ConnectionStateMachine()
        _ = machine.receive(register, requestID: 1)
        return machine
    }
    static var authenticating: ConnectionStateMachine {
        var machine = ConnectionStateMachine()
        _ = machine.receive(hello, requestID: 1)
        return machine
    }
    static var authenticated: ConnectionStateMachine {
        var machine = authenticating
        _ = machine.helloAccepted()
        return machine
    }
    static var closed: ConnectionStateMachine {
        var machine = ConnectionStateMachine()
        _ = machine.close(.unavailable, message: "bye")
        return machine
    }

    static func error(_ code: WireErrorCode, _ message: String) -> Frame { .error(code: code, message: message) }

    /// Applies `event` to `machine` and checks the action and the state after it.
    static func expect(
        _ machine: ConnectionStateMachine, _ event: (inout ConnectionStateMachine) -> Action,
        _ action: Action, _ state: State, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        var machine = machine
        #expect(event(&machine) == action, sourceLocation: sourceLocation)
        #expect(machine.state == state, sourceLocation: sourceLocation)
    }

    static let recoverable = WireError(.unknownFrameType(0x55), fieldOffset: 5, frameType: 0x55).withRequestID(4)
    static let framing = WireError(.unsupportedVersion(2), fieldOffset: 4)

    @Test func awaitingHello() {
        let notAuthenticated = Action.replyAndClose(Self.error(.notAuthenticated, "send before authentication"), requestID: 2)
        Self.expect(Self.awaiting, { $0.receive(Self.register, requestID: 1) }, .registerRequested(Self.alice), .registering(Self.alice, requestID: 1))
        Self.expect(Self.awaiting, { $0.receive(Self.hello, requestID: 1) }, .helloRequested(Self.alice, token: Self.token), .authenticating(Self.alice, requestID: 1))
        Self.expect(Self.awaiting, { $0.receive(.ping(nonce: 5), requestID: 3) }, .reply(.pong(nonce: 5), requestID: 3), .awaitingHello)
        Self.expect(Self.awaiting, { $0.receive(.pong(nonce: 5), requestID: 3) }, .ignore, .awaitingHello)
        Self.expect(Self.awaiting, { $0.receive(Self.error(.internalError, "x"), requestID: 3) }, .peerError(.internalError, message: "x", requestID: 3), .awaitingHello)
        Self.expect(Self.awaiting, { $0.receive(.send(Self.envelope), requestID: 2) }, notAuthenticated, .closed)
        Self.expect(Self.awaiting, { $0.receive(.ack(envelopeIDs: []), requestID: 2) }, .replyAndClose(Self.error(.notAuthenticated, "ack before authentication"), requestID: 2), .closed)
        Self.expect(Self.awaiting, { $0.receive(.welcome, requestID: 2) }, .replyAndClose(Self.error(.wrongDirection, "welcome flows from the relay to clients"), requestID: 2), .closed)
        Self.expect(Self.awaiting, { $0.decodingFailed(Self.recoverable) }, .replyAndClose(.makeError(.unknownFrameType, message: Self.recoverable.description), requestID: 4), .closed)
        Self.expect(Self.awaiting, { $0.decodingFailed(Self.framing) }, .replyAndClose(.makeError(.unsupportedVersion, message: Self.framing.description), requestID: .zero), .closed)
        Self.expect(Self.awaiting, { $0.close(.unavailable, message: "bye") }, .replyAndClose(Self.error(.unavailable, "bye"), requestID: .zero), .closed)
    }

    @Test func registering() {
        let registering = State.registering(Self.alice, requestID: 1)
        Self.expect(Self.registering, { $0.registrationCompleted(token: Self.token) }, .reply(.registered(token: Self.token), requestID: 1), .authenticated(Self.alice))
        Self.expect(Self.registering, { $0.authenticationRejected() }, .replyAndClose(Self.error(.authenticationFailed, "authentication failed"), requestID: 1), .closed)
        Self.expect(Self.registering, { $0.receive(Self.register, requestID: 2) }, .replyAndClose(Self.error(.outOfState, "already authenticating"), requestID: 2), .closed)
        Self.expect(Self.registering, { $0.receive(Self.hello, requestID: 2) }, .replyAndClose(Self.error(.outOfState, "already authenticating"), requestID: 2), .closed)
        Self.expect(Self.registering, { $0.receive(.fetchPreKeys(owner: WireFixtures.bob), requestID: 2) }, .replyAndClose(Self.error(.notAuthenticated, "fetch_prekeys before authentication"), requestID: 2), .closed)
        Self.expect(Self.registering, { $0.receive(.ping(nonce: 1), requestID: 2) }, .reply(.pong(nonce: 1), requestID: 2), registering)
        Self.expect(Self.registering, { $0.decodingFailed(Self.recoverable) }, .replyAndClose(.makeError(.unknownFrameType, message: Self.recoverable.description), requestID: 4), .closed)
    }

    @Test func authenticating() {
        let authenticating = State.authenticating(Self.alice, requestID: 1)
        Self.expect(Self.authenticating, { $0.helloAccepted() }, .reply(.welcome, requestID: 1), .authenticated(Self.alice))
        Self.expect(Self.authenticating, { $0.authenticationRejected() }, .replyAndClose(Self.error(.authenticationFailed, "authentication failed"), requestID: 1), .closed)
        Self.expect(Self.authenticating, { $0.authenticationRejected(.rateLimited, message: "slow down") }, .replyAndClose(Self.error(.rateLimited, "slow down"), requestID: 1), .closed)
        Self.expect(Self.authenticating, { $0.receive(Self.hello, requestID: 2) }, .replyAndClose(Self.error(.outOfState, "already authenticating"), requestID: 2), .closed)
        Self.expect(Self.authenticating, { $0.receive(.send(Self.envelope), requestID: 2) }, .replyAndClose(Self.error(.notAuthenticated, "send before authentication"), requestID: 2), .closed)
        Self.expect(Self.authenticating, { $0.receive(.pong(nonce: 1), requestID: 2) }, .ignore, authenticating)
        Self.expect(Self.authenticating, { $0.receive(Self.deliver, requestID: 2) }, .replyAndClose(Self.error(.wrongDirection, "deliver flows from the relay to clients"), requestID: 2), .closed)
    }

    @Test func authenticated() {
        let authenticated = State.authenticated(Self.alice)
        let receipt = Receipt(kind: .read, counterpart: WireFixtures.bob, envelopeIDs: [EnvelopeID(high: 0, low: 1)])
        let report = SpamReport(business: WireFixtures.shop, reason: .spam)
        Self.expect(Self.authenticated, { $0.receive(.send(Self.envelope), requestID: 7) }, .forward(.send(Self.envelope), from: Self.alice, requestID: 7), authenticated)
        Self.expect(Self.authenticated, { $0.receive(.publishPreKeys(bundles: [[1]]), requestID: 7) }, .forward(.publishPreKeys(bundles: [[1]]), from: Self.alice, requestID: 7), authenticated)
        Self.expect(Self.authenticated, { $0.receive(.fetchPreKeys(owner: WireFixtures.bob), requestID: 7) }, .forward(.fetchPreKeys(owner: WireFixtures.bob), from: Self.alice, requestID: 7), authenticated)
        Self.expect(Self.authenticated, { $0.receive(.ack(envelopeIDs: [EnvelopeID(high: 0, low: 1)]), requestID: 0) }, .forward(.ack(envelopeIDs: [EnvelopeID(high: 0, low: 1)]), from: Self.alice, requestID: .zero), authenticated)
        Self.expect(Self.authenticated, { $0.receive(.receipt(receipt), requestID: 0) }, .forward(.receipt(receipt), from: Self.alice, requestID: .zero), authenticated)
        Self.expect(Self.authenticated, { $0.receive(.block(blocked: WireFixtures.shop, reason: .didntSignUp), requestID: 7) }, .forward(.block(blocked: WireFixtures.shop, reason: .didntSignUp), from: Self.alice, requestID: 7), authenticated)
        Self.expect(Self.authenticated, { $0.receive(.report(report), requestID: 7) }, .forward(.report(report), from: Self.alice, requestID: 7), authenticated)
        Self.expect(Self.authenticated, { $0.receive(Self.hello, requestID: 7) }, .reply(Self.error(.outOfState, "already authenticated"), requestID: 7), authenticated)
        Self.expect(Self.authenticated, { $0.receive(Self.register, requestID: 7) }, .reply(Self.error(.outOfState, "already authenticated"), requestID: 7), authenticated)
        Self.expect(Self.authenticated, { $0.receive(.ok, requestID: 7) }, .reply(Self.error(.wrongDirection, "ok flows from the relay to clients"), requestID: 7), authenticated)
        Self.expect(Self.authenticated, { $0.receive(.ping(nonce: 8), requestID: 7) }, .reply(.pong(nonce: 8), requestID: 7), authenticated)
        Self.expect(Self.authenticated, { $0.receive(Self.error(.noPreKeys, "none"), requestID: 7) }, .peerError(.noPreKeys, message: "none", requestID: 7), authenticated)
        Self.expect(Self.authenticated, { $0.decodingFailed(Self.recoverable) }, .reply(.makeError(.unknownFrameType, message: Self.recoverable.description), requestID: 4), authenticated)
        Self.expect(Self.authenticated, { $0.decodingFailed(Self.framing) }, .replyAndClose(.makeError(.unsupportedVersion, message: Self.framing.description), requestID: .zero), .closed)
        Self.expect(Self.authenticated, { $0.close(.replaced, message: "another device registered") }, .replyAndClose(Self.error(.replaced, "another device registered"), requestID: .zero), .closed)
    }

    @Test func closed() {
        Self.expect(Self.closed, { $0.receive(.ping(nonce: 1), requestID: 1) }, .ignore, .closed)
        Self.expect(Self.closed, { $0.receive(Self.hello, requestID: 1) }, .ignore, .closed)
        Self.expect(Self.closed, { $0.receive(.send(Self.envelope), requestID: 1) }, .ignore, .closed)
        Self.expect(Self.closed, { $0.decodingFailed(Self.framing) }, .ignore, .closed)
        Self.expect(Self.closed, { $0.registrationCompleted(token: Self.token) }, .ignore, .closed)
        Self.expect(Self.closed, { $0.helloAccepted() }, .ignore, .closed)
        Self.expect(Self.closed, { $0.authenticationRejected() }, .ignore, .closed)
        Self.expect(Self.closed, { $0.close(.unavailable, message: "again") }, .ignore, .closed)
    }

    @Test func identityIsKnownOnlyOnceAuthenticated() {
        #expect(Self.awaiting.identity == nil)
        #expect(Self.authenticating.identity == nil)
        #expect(Self.authenticated.identity == Self.alice)
        #expect(Self.closed.isClosed && !Self.authenticated.isClosed)
    }

    /// A failed hello never authenticates, whatever comes after it on the same connection.
    @Test func aRejectedHelloCannotBeRetriedOnTheSameConnection() {
        var machine = Self.authenticating
        _ = machine.authenticationRejected()
        #expect(machine.receive(Self.hello, requestID: 2) == .ignore)
        #expect(machine.receive(.send(Self.envelope), requestID: 3) == .ignore)
        #expect(machine.identity == nil)
    }

    /// End to end over bytes: a pipelined hello, send and garbage drive the codec and the machine.
    @Test func decoderAndMachineTogether() throws {
        let encoder = FrameEncoder()
        var bytes = try encoder.encode(Self.hello, requestID: 1)
        try encoder.encode(.send(Self.envelope), requestID: 2, into: &bytes)
        bytes += WireBytes.frame(type: 0x09, requestID: 3, body: [])
        try encoder.encode(.ping(nonce: 4), requestID: 4, into: &bytes)
        var decoder = FrameDecoder()
        var machine = ConnectionStateMachine()
        decoder.feed(bytes)
        var actions: [Action] = []
        for result in decoder.drain() {
            switch result {
            case let .success(decoded): actions.append(machine.receive(decoded))
            case let .failure(error): actions.append(machine.decodingFailed(error))
            }
            if case .helloRequested = actions.last { actions.append(machine.helloAccepted()) }
        }
        #expect(actions.count == 5)
        #expect(actions[0] == .helloRequested(Self.alice, token: Self.token))
        #expect(actions[1] == .reply(.welcome, requestID: 1))
        #expect(actions[2] == .forward(.send(Self.envelope), from: Self.alice, requestID: 2))
        #expect(actions[3] == .reply(.makeError(.unknownFrameType, message: "unknown frame type 0x9 #3 at frame offset 5 (stream offset \(bytes.count - 28))"), requestID: 3))
        #expect(actions[4] == .reply(.pong(nonce: 4), requestID: 4))
    }
}

extension WireError {
    func withRequestID(_ id: RequestID) -> WireError {
        var error = self
        error.requestID = id
        return error
    }
}

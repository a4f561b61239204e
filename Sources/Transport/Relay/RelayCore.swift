/// The relay as a pure state machine (docs/wire.md): ``RelayInput``s in, ``RelayAction``s out.
/// It routes envelopes by phone number, queues them until the recipient acknowledges them,
/// delivers in acceptance order with a bounded in-flight window, retransmits on reconnect,
/// answers repeated sends from an idempotency window, keeps prekey bundles, blocks and reports,
/// and expires what is older than its TTL. It does no I/O and reads no clock: time comes with
/// each input, randomness from `Random`, and the host makes the `write` actions durable before
/// it sends the frames of the same turn (group commit), so nothing is acknowledged that a crash
/// could lose.
///
/// Not `Sendable`: it lives on the relay's event loop, with the admission policy it calls.
public struct RelayCore<Random: RandomNumberGenerator> {
    /// The limits it enforces.
    public let limits: RelayLimits
    /// Running counters.
    public internal(set) var statistics = RelayStatistics()

    var random: Random
    let policy: any AdmissionPolicy
    var connections: [ConnectionID: ConnectionStateMachine] = [:]
    var registrations: [PhoneNumber: RelaySnapshot.Registration]
    var preKeys: [PhoneNumber: PreKeyPool] = [:]
    var mailboxes: [PhoneNumber: Mailbox] = [:]
    /// Envelopes with ciphertext, waiting for an acknowledgement.
    var queued: [EnvelopeID: QueuedEnvelope] = [:]
    /// (sender, client message id) → the `accepted` it got, with expiry order in `idempotencyOrder`.
    var idempotency: [IdempotencyKey: (id: EnvelopeID, time: Int64)] = [:]
    var idempotencyOrder: [(time: Int64, key: IdempotencyKey)] = []
    var idempotencyHead = 0
    var blocks: [PhoneNumber: Set<PhoneNumber>]
    /// The latest time seen; envelope times never go backwards.
    var clock: Int64 = 0

    /// A relay resuming from `snapshot` (empty for a new one).
    public init(snapshot: RelaySnapshot = RelaySnapshot(), limits: RelayLimits = RelayLimits(), policy: any AdmissionPolicy, random: Random) {
        self.limits = limits
        self.policy = policy
        self.random = random
        registrations = snapshot.registrations
        blocks = snapshot.blocks
        for (owner, bundles) in snapshot.preKeys {
            preKeys[owner] = PreKeyPool(entries: bundles)
        }
        for envelope in snapshot.envelopes {
            clock = max(clock, envelope.time)
            remember(envelope)
            if let ciphertext = envelope.ciphertext {
                queued[envelope.id] = QueuedEnvelope(envelope: envelope, size: ciphertext.count)
                mailboxes[envelope.recipient, default: Mailbox()].append(envelope.id)
            }
        }
    }

    /// Envelopes waiting for an acknowledgement.
    public var queuedCount: Int { queued.count }
    /// Authenticated or pending connections.
    public var connectionCount: Int { connections.count }
    /// Numbers with an authenticated connection.
    public var onlineCount: Int { mailboxes.values.reduce(0) { $0 + ($1.connection == nil ? 0 : 1) } }

    /// Handles `input` at `time` (ms since the epoch), appending what to do to `actions`.
    public mutating func handle(_ input: RelayInput, at time: Int64, into actions: inout [RelayAction]) {
        clock = max(clock, time)
        switch input {
        case let .opened(connection):
            connections[connection] = ConnectionStateMachine()
        case let .frame(connection, decoded):
            guard var machine = connections[connection] else { return }
            let action = machine.receive(decoded)
            connections[connection] = machine
            perform(action, on: connection, into: &actions)
        case let .decodingFailed(connection, error):
            guard var machine = connections[connection] else { return }
            let action = machine.decodingFailed(error)
            connections[connection] = machine
            perform(action, on: connection, into: &actions)
        case let .closed(connection):
            guard let machine = connections.removeValue(forKey: connection) else { return }
            if let phone = machine.identity?.phone, mailboxes[phone]?.connection == connection {
                mailboxes[phone]?.detach()
            }
        case let .authenticationDeadline(connection):
            if let machine = connections[connection], machine.identity == nil, !machine.isClosed {
                close(connection, .notAuthenticated, "not authenticated in time", into: &actions)
            }
        case .tick:
            expire(into: &actions)
        case .shutdown:
            for connection in connections.keys.sorted() {
                close(connection, .unavailable, "relay shutting down", into: &actions)
            }
        }
    }

    /// Runs one connection-state-machine action.
    mutating func perform(_ action: ConnectionStateMachine.Action, on connection: ConnectionID, into actions: inout [RelayAction]) {
        switch action {
        case .ignore, .peerError:
            return
        case let .reply(frame, requestID):
            actions.append(.send(connection, frame, requestID: requestID))
        case let .replyAndClose(frame, requestID):
            actions.append(.send(connection, frame, requestID: requestID))
            actions.append(.close(connection))
        case let .registerRequested(identity):
            register(identity, on: connection, into: &actions)
        case let .helloRequested(identity, token):
            hello(identity, token: token, on: connection, into: &actions)
        case let .forward(request, identity, requestID):
            handle(request, from: identity.phone, on: connection, requestID: requestID, into: &actions)
        }
    }

    /// Closes `connection` with an unsolicited error.
    mutating func close(_ connection: ConnectionID, _ code: WireErrorCode, _ message: String, into actions: inout [RelayAction]) {
        guard var machine = connections[connection] else { return }
        if let phone = machine.identity?.phone, mailboxes[phone]?.connection == connection {
            mailboxes[phone]?.detach()
        }
        let action = machine.close(code, message: message)
        connections[connection] = machine
        perform(action, on: connection, into: &actions)
    }
}

/// A queued envelope and where it was last delivered.
struct QueuedEnvelope {
    var envelope: StoredEnvelope
    var size: Int
    var sentOn: ConnectionID?
}

/// The idempotency key of a `send`.
struct IdempotencyKey: Hashable {
    var sender: UInt64
    var clientMessageID: UInt64
}

/// One owner's prekey bundles, oldest first.
struct PreKeyPool {
    var entries: [(sequence: Int64, bundle: [UInt8])]
    var nextSequence: Int64 { (entries.last?.sequence ?? 0) + 1 }
}

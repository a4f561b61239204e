/// The relay as a pure state machine (docs/wire.md): ``RelayInput``s in, ``RelayAction``s out.
/// It routes envelopes by phone number, queues them until the recipient acknowledges them,
/// delivers in acceptance order with a bounded in-flight window, retransmits on reconnect,
/// answers repeated sends from an idempotency window, keeps prekey bundles, blocks and reports,
/// and expires what is older than its TTL. It does no I/O and reads no clock: time comes with
/// each input, randomness from `Random`, and the host makes the `write` actions durable before
/// it sends the frames of the same turn (group commit), so nothing is acknowledged that a crash
/// could lose. A durable host may send deliveries to online recipients sooner (``deliversEarly``):
/// a delivery acknowledges nothing, and the sender's resend after a crash is a duplicate its
/// recipient's session recognizes.
///
/// Layout, chosen for the per-envelope path: every number the relay knows has a ``UserRecord``
/// in one array (its registration, its mailbox as a recipient, its send window as a sender, its
/// blocks and prekeys), found through one ``IntegerTable`` look-up; a connection's record holds
/// its state machine and its user's index, so a request costs one look-up for the connection and
/// one for the recipient. Envelope ids are 8 random bytes and the store's sequence number, so an
/// acknowledgement finds its envelope by binary search in the recipient's own mailbox.
///
/// Not `Sendable`: it lives on the relay's event loop, with the admission policy it calls.
public struct RelayCore<Random: RandomNumberGenerator> {
    /// The limits it enforces.
    public let limits: RelayLimits
    /// Running counters.
    public internal(set) var statistics = RelayStatistics()

    var random: Random
    let policy: any AdmissionPolicy
    /// Digests tokens: what a registration keeps, and what a `hello`'s token is compared by.
    let tokenHasher: TokenHasher
    /// Seed of the core's hash tables (random, so clients cannot aim keys at one probe run).
    let tableSeed: UInt64
    /// Open connections by `ConnectionID.rawValue`.
    var connections: IntegerTable<ConnectionRecord>
    /// Every number the relay knows (registered, or party to a stored envelope).
    var users: [UserRecord] = []
    /// `PhoneNumber.digits` → index in `users`.
    var userIndex: IntegerTable<Int>
    /// The next envelope's sequence number (the store's row key, the id's low half).
    var nextSequence: UInt64
    /// Ids of stored envelopes whose low half is not their sequence number (schema 1's random
    /// ids), to their sequence number. Empty for a relay that started on schema 2.
    var legacyIDs: [EnvelopeID: UInt64] = [:]
    /// Envelopes waiting for an acknowledgement, over all mailboxes.
    var queuedTotal = 0
    /// The latest time seen; envelope times never go backwards.
    var clock: Int64 = 0
    /// Whether writes are produced (`false` for a relay whose queue is in memory only: nothing
    /// would make them durable, so they are not built).
    var emitsWrites = true
    /// Whether `record` actions are produced (`false` when the host's sink discards every event —
    /// then building them would be wasted work).
    var emitsEvents = true
    /// Writes produced by ``process(_:at:into:)`` and not yet taken by the host.
    var writes: [RelayWrite] = []
    /// Whether deliveries to an online recipient may go out before the commit of the envelope
    /// they carry (``early``). `false` (the default, and for ``handle(_:at:into:)``): every frame
    /// waits for the writes made before it.
    var deliversEarly = false
    /// Deliveries the host may send at the end of the current turn without waiting for any
    /// commit (only with ``deliversEarly``).
    var early: [RelayAction] = []
    /// The host's turn numbers (``RelayCommitPipeline/turns``): the one being gathered, and the
    /// last one whose frames are all out.
    var turns = RelayTurns()

    /// A relay resuming from `snapshot` (empty for a new one); `tokenHasher` must be the one the
    /// snapshot's token digests were made with.
    public init(
        snapshot: RelaySnapshot = RelaySnapshot(), limits: RelayLimits = RelayLimits(), policy: any AdmissionPolicy,
        tokenHasher: TokenHasher, random: Random
    ) {
        self.limits = limits
        self.policy = policy
        self.tokenHasher = tokenHasher
        self.random = random
        tableSeed = self.random.next()
        connections = IntegerTable(seed: tableSeed)
        userIndex = IntegerTable(seed: tableSeed, minimumCapacity: snapshot.registrations.count)
        nextSequence = max(1, snapshot.nextSequence)
        for (phone, registration) in snapshot.registrations {
            users[user(for: phone)].registration = registration
        }
        for (blocker, blocked) in snapshot.blocks {
            users[user(for: blocker)].blocked = blocked
        }
        for (owner, bundles) in snapshot.preKeys {
            users[user(for: owner)].preKeys = PreKeyPool(entries: bundles)
        }
        for envelope in snapshot.envelopes {
            clock = max(clock, envelope.time)
            nextSequence = max(nextSequence, envelope.sequence &+ 1)
            if envelope.id.low != envelope.sequence, envelope.ciphertext != nil { legacyIDs[envelope.id] = envelope.sequence }
            let sender = user(for: envelope.sender)
            users[sender].sent.remember(
                SendWindow.Entry(clientMessageID: envelope.clientMessageID, id: envelope.id, time: envelope.time),
                limit: limits.maximumRememberedSendsPerSender
            )
            if let ciphertext = envelope.ciphertext {
                let recipient = user(for: envelope.recipient)
                users[recipient].mailbox.append(QueuedEnvelope(
                    sequence: envelope.sequence, id: envelope.id, sender: envelope.sender, time: envelope.time,
                    kind: envelope.kind, ciphertext: ciphertext
                ))
                queuedTotal += 1
            }
        }
    }

    /// Envelopes waiting for an acknowledgement.
    public var queuedCount: Int { queuedTotal }
    /// Authenticated or pending connections.
    public var connectionCount: Int { connections.count }
    /// Numbers with an authenticated connection.
    public var onlineCount: Int { users.reduce(0) { $0 + ($1.mailbox.connection == nil ? 0 : 1) } }

    /// Handles `input` at `time` (ms since the epoch), appending what to do to `actions`. For a
    /// core that delivers everything with the turn's other actions (the default): it does not
    /// take ``early``.
    public mutating func handle(_ input: RelayInput, at time: Int64, into actions: inout [RelayAction]) {
        process(input, at: time, into: &actions)
        for write in writes { actions.append(.write(write)) }
        writes.removeAll(keepingCapacity: true)
    }

    /// Handles `input` like ``handle(_:at:into:)``, but leaves its writes in ``writes`` for the
    /// host to take (the relay's server hands them to the storage thread in batches).
    mutating func process(_ input: RelayInput, at time: Int64, into actions: inout [RelayAction]) {
        if time > clock { clock = time }
        switch input {
        case let .opened(connection):
            connections.insert(ConnectionRecord(), forKey: connection.rawValue)
        case let .frame(connection, decoded):
            guard let (action, user) = connections.modifyValue(forKey: connection.rawValue, { record in
                (record.machine.receive(decoded), record.user)
            }) else { return }
            perform(action, on: connection, user: user, into: &actions)
        case let .decodingFailed(connection, error):
            guard let action = connections.modifyValue(forKey: connection.rawValue, { $0.machine.decodingFailed(error) }) else { return }
            perform(action, on: connection, user: nil, into: &actions)
        case let .closed(connection):
            guard let record = connections.removeValue(forKey: connection.rawValue) else { return }
            detachIfAttached(record.user, connection)
        case let .authenticationDeadline(connection):
            if let record = connections[connection.rawValue], record.machine.identity == nil, !record.machine.isClosed {
                close(connection, .notAuthenticated, "not authenticated in time", into: &actions)
            }
        case .tick:
            expire(into: &actions)
        case .shutdown:
            for raw in connections.allKeys.sorted() {
                close(ConnectionID(rawValue: raw), .unavailable, "relay shutting down", into: &actions)
            }
        }
    }

    /// Runs one connection-state-machine action; `user` is the connection's user, if authenticated.
    mutating func perform(_ action: ConnectionStateMachine.Action, on connection: ConnectionID, user: Int?, into actions: inout [RelayAction]) {
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
        case let .forward(request, _, requestID):
            // The machine forwards only once authenticated, and authentication records the user.
            guard let user else { return }
            handle(request, from: user, on: connection, requestID: requestID, into: &actions)
        }
    }

    /// Closes `connection` with an unsolicited error.
    mutating func close(_ connection: ConnectionID, _ code: WireErrorCode, _ message: String, into actions: inout [RelayAction]) {
        guard let (user, action) = connections.modifyValue(forKey: connection.rawValue, { record in
            (record.user, record.machine.close(code, message: message))
        }) else { return }
        detachIfAttached(user, connection)
        perform(action, on: connection, user: user, into: &actions)
    }

    /// Detaches `connection` from `user`'s mailbox if it is the one attached there.
    mutating func detachIfAttached(_ user: Int?, _ connection: ConnectionID) {
        if let user, users[user].mailbox.connection == connection { users[user].mailbox.detach() }
    }

    /// The index of `phone`'s record, created (unregistered) if the number is new.
    mutating func user(for phone: PhoneNumber) -> Int {
        if let index = userIndex[phone.digits] { return index }
        let index = users.count
        users.append(UserRecord(phone: phone, sent: SendWindow(seed: tableSeed)))
        userIndex.insert(index, forKey: phone.digits)
        return index
    }

    /// Keeps `write` for the host unless writes are off.
    mutating func keep(_ write: RelayWrite) {
        if emitsWrites { writes.append(write) }
    }

    /// The authenticated connection of `phone`, if it is online.
    public func onlineConnection(of phone: PhoneNumber) -> ConnectionID? {
        registeredUser(phone).flatMap { users[$0].mailbox.connection }
    }

    /// The index of `phone`'s record if the number is registered.
    func registeredUser(_ phone: PhoneNumber) -> Int? {
        guard let index = userIndex[phone.digits], users[index].registration != nil else { return nil }
        return index
    }
}

/// One open connection: its wire state machine and, once authenticated, its user's index.
struct ConnectionRecord {
    var machine = ConnectionStateMachine()
    var user: Int?
}

/// Everything the core keeps about one number.
struct UserRecord {
    /// The number.
    let phone: PhoneNumber
    /// Its device and token digest, once registered.
    var registration: RelaySnapshot.Registration?
    /// Envelopes for it, and its connection.
    var mailbox = Mailbox()
    /// Its recent sends (idempotency).
    var sent: SendWindow
    /// Numbers it blocked.
    var blocked: Set<PhoneNumber> = []
    /// Its published prekey bundles.
    var preKeys: PreKeyPool?

    init(phone: PhoneNumber, sent: SendWindow) {
        self.phone = phone
        self.sent = sent
    }
}

/// One owner's prekey bundles, oldest first.
struct PreKeyPool {
    var entries: [(sequence: Int64, bundle: [UInt8])]
    var nextSequence: Int64 { (entries.last?.sequence ?? 0) + 1 }
}

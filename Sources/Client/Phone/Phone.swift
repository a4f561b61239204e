public import Crypto
public import Transport

/// A user's phone: a registered number with its keys and sessions, talking to the relay.
///
/// Every change to the state is written to the state file (if there is one) *before* the network
/// step that depends on it: a send is recorded with its client message id before it goes out (and
/// re-sent with the same id on the next `connect` until the relay accepts it), and a received
/// envelope is recorded before it is acknowledged. A failed call leaves the state as it was.
///
/// Blocking calls bounded by `Options` timeouts; use a phone from one thread at a time.
public final class Phone {
    /// Timeouts and sizes.
    public struct Options: Sendable {
        /// How long to wait for the TCP connection.
        public var connectTimeout: Duration
        /// How long to wait for each reply.
        public var requestTimeout: Duration
        /// How many prekey bundles registration publishes (1…100; the last has no one-time prekey).
        public var preKeyBundleCount: Int
        /// How many processed envelope ids a new registration remembers (clamped to
        /// 1…`ClientState.maximumSeenCapacity`).
        public var seenCapacity: Int

        /// Options with the given values (defaults: 5 s, 5 s, 20 bundles, 4096 ids).
        public init(
            connectTimeout: Duration = .seconds(5), requestTimeout: Duration = .seconds(5), preKeyBundleCount: Int = 20,
            seenCapacity: Int = ClientState.defaultSeenCapacity
        ) {
            self.connectTimeout = connectTimeout
            self.requestTimeout = requestTimeout
            self.preKeyBundleCount = preKeyBundleCount
            self.seenCapacity = seenCapacity
        }
    }

    /// The phone's state as last committed.
    public private(set) var state: ClientState
    /// The relay's address.
    public let relay: SocketAddress
    /// Where the state is kept; `nil` keeps it in memory only.
    public let stateFile: StateFile?
    /// Timeouts and sizes.
    public let options: Options
    private var connection: RelayConnection?
    private var lock: StateFileLock?

    /// A phone with the given state; not connected. Takes the state file's lock if there is one.
    ///
    /// - Throws: `.state(.inUse)` if another process uses the state file.
    public convenience init(
        state: ClientState, relay: SocketAddress, stateFile: StateFile?, options: Options = Options()
    ) throws(ClientError) {
        var lock: StateFileLock?
        if let stateFile {
            do { lock = try stateFile.lock() } catch { throw .state(error) }
        }
        self.init(state: state, relay: relay, stateFile: stateFile, options: options, lock: lock)
    }

    private init(state: ClientState, relay: SocketAddress, stateFile: StateFile?, options: Options, lock: StateFileLock?) {
        self.state = state
        self.relay = relay
        self.stateFile = stateFile
        self.options = options
        self.lock = lock
    }

    deinit { connection?.close() }

    /// The registered number.
    public var phone: PhoneNumber { state.phone }

    /// Whether the phone has an open, authenticated connection.
    public var isConnected: Bool { connection?.isOpen ?? false }

    // MARK: Registration and connection

    /// Registers `phone` for a new installation `device`: draws a fresh identity, claims the number
    /// at the relay (which issues the token), writes the new state file (refusing to overwrite one)
    /// and publishes `options.preKeyBundleCount` prekey bundles. The returned phone is connected.
    ///
    /// - Throws: `.state(.alreadyExists)` if the state file exists; relay and I/O errors.
    public static func register(
        phone: PhoneNumber, device: DeviceID, relay: SocketAddress, stateFile: StateFile?, options: Options = Options(),
        random: any RandomSource = SystemRandom()
    ) throws(ClientError) -> Phone {
        guard (1...WireFormat.maximumBundleCount).contains(options.preKeyBundleCount) else {
            throw .invalidArgument("a prekey bundle count must be in 1…\(WireFormat.maximumBundleCount), not \(options.preKeyBundleCount)")
        }
        var lock: StateFileLock?
        if let stateFile {
            do { lock = try stateFile.lock() } catch { throw .state(error) }
            guard !stateFile.exists else { throw .state(StateFileError(path: stateFile.path, reason: .alreadyExists)) }
        }
        let party: Party
        do { party = try Party(random: random) } catch { throw .crypto(error, context: "making an identity") }
        let firstID = try ClientState.initialClientMessageID(using: random)
        let connection = try RelayConnection(connectingTo: relay, timeout: options.connectTimeout)
        let reply = try connection.request(.register(phone: phone, device: device), timeout: options.requestTimeout)
        guard case let .registered(token) = reply else { throw .unexpectedReply(request: .register, reply: reply.type) }
        let state = ClientState(
            phone: phone, device: device, token: token, party: party, nextClientMessageID: firstID,
            seen: SeenEnvelopes(capacity: min(max(1, options.seenCapacity), ClientState.maximumSeenCapacity)))
        if let stateFile {
            do { try stateFile.create(state) } catch { throw .state(error) }
        }
        let registered = Phone(state: state, relay: relay, stateFile: stateFile, options: options, lock: lock)
        registered.connection = connection
        try registered.publishPreKeys(count: options.preKeyBundleCount)
        return registered
    }

    /// Opens the phone whose state is in `stateFile`; not connected.
    ///
    /// - Throws: `.state` for a missing, unreadable, insecure, damaged or locked file.
    public static func open(
        stateFile: StateFile, relay: SocketAddress, options: Options = Options(), random: any RandomSource = SystemRandom()
    ) throws(ClientError) -> Phone {
        let lock: StateFileLock
        do { lock = try stateFile.lock() } catch { throw .state(error) }
        let state: ClientState
        do { state = try stateFile.load(random: random) } catch { throw .state(error) }
        return Phone(state: state, relay: relay, stateFile: stateFile, options: options, lock: lock)
    }

    /// Connects and authenticates with the stored token (`hello`), publishes prekey bundles if the
    /// last ones were never confirmed, then re-sends every pending send (see
    /// `flushPendingSends()`) and returns what became of each. Pending sends the relay
    /// refuses for good are dropped and reported, so one bad recipient cannot block the rest.
    ///
    /// - Throws: `.refused` with 302 if the relay does not know this installation (e.g. another
    ///   device registered the number), and relay and I/O errors.
    @discardableResult
    public func connect() throws(ClientError) -> [PendingSendOutcome] {
        connection?.close()
        connection = nil
        let fresh = try RelayConnection(connectingTo: relay, timeout: options.connectTimeout)
        let reply = try fresh.request(.hello(phone: state.phone, device: state.device, token: state.token), timeout: options.requestTimeout)
        guard case .welcome = reply else { throw .unexpectedReply(request: .hello, reply: reply.type) }
        connection = fresh
        if !state.preKeysPublished { try publishPreKeys(count: options.preKeyBundleCount) }
        return try flushPendingSends()
    }

    /// Closes the connection (idempotent). The state is already saved.
    public func disconnect() {
        connection?.close()
        connection = nil
    }

    /// Closes the connection and releases the state file's lock; the phone can no longer change
    /// its state file.
    public func close() {
        disconnect()
        lock?.unlock()
        lock = nil
    }

    // MARK: Prekeys

    /// Makes `count` fresh prekey bundles (the last without a one-time prekey), saves their
    /// private halves, and publishes them, replacing the relay's list.
    public func publishPreKeys(count: Int) throws(ClientError) {
        let connection = try requireConnection()
        var next = state
        let bundles = try next.makePreKeyBundles(count: count)
        try commit(next)
        let reply = try request(.publishPreKeys(bundles: bundles.map(\.encoded)), on: connection)
        guard case .ok = reply else { throw .unexpectedReply(request: .publishPreKeys, reply: reply.type) }
        next.markPreKeysPublished()
        try commit(next)
    }

    /// Fetches and verifies one of `owner`'s prekey bundles.
    ///
    /// - Throws: `.refused` with 400 (unknown number) or 401 (no bundles); `.invalidBundle`.
    public func fetchPreKeyBundle(of owner: PhoneNumber) throws(ClientError) -> PreKeyBundle {
        let connection = try requireConnection()
        let reply = try request(.fetchPreKeys(owner: owner), on: connection)
        guard case let .preKeyBundle(replyOwner, bytes) = reply else {
            throw .unexpectedReply(request: .fetchPreKeys, reply: reply.type)
        }
        guard replyOwner == owner else {
            throw .invalidBundle(owner: owner, .malformed("prekey bundle", reason: "the relay sent \(replyOwner)'s bundle"))
        }
        do { return try PreKeyBundle(encoded: bytes) } catch { throw .invalidBundle(owner: owner, error) }
    }

    // MARK: Helpers

    /// Saves `next` (if there is a state file) and makes it the phone's state.
    func commit(_ next: ClientState) throws(ClientError) {
        if let stateFile {
            do { try stateFile.save(next) } catch { throw .state(error) }
        }
        state = next
    }

    func requireConnection() throws(ClientError) -> RelayConnection {
        guard let connection, connection.isOpen else { throw .notConnected }
        return connection
    }

    /// Sends a request; a lost connection is dropped so the next call reports `.notConnected`.
    func request(_ frame: Frame, on connection: RelayConnection) throws(ClientError) -> Frame {
        do {
            return try connection.request(frame, timeout: options.requestTimeout)
        } catch {
            if !connection.isOpen { self.connection = nil }
            throw error
        }
    }

    /// Posts a frame without a reply.
    func post(_ frame: Frame, on connection: RelayConnection) throws(ClientError) {
        do {
            try connection.post(frame, timeout: options.requestTimeout)
        } catch {
            if !connection.isOpen { self.connection = nil }
            throw error
        }
    }

    /// The current connection, for the messaging extension.
    var currentConnection: RelayConnection? { connection }

    /// Forgets a connection that closed.
    func dropConnectionIfClosed() {
        if let connection, !connection.isOpen { self.connection = nil }
    }
}

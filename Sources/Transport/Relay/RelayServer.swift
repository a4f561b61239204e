import Glibc
import Storage

/// The relay on an event loop: accepts TCP connections, decodes frames, runs them through the
/// pure ``RelayCore``, and commits the writes of its turns on a storage thread
/// (``RelayCommitPipeline``): while one batch commits, the loop keeps serving and gathers the
/// next. A turn's frames are sent, and its metadata events handed to the sink, only after the
/// batch holding that turn's writes (and every earlier one) has committed — except deliveries to
/// online recipients, which go at the end of their turn (``RelayCore/early``). A crash can
/// therefore lose only work no sender was told about.
///
/// Loop-confined: create, use and stop it on its loop (``RelayHost`` does that for you).
public final class RelayServer {
    /// The loop it runs on.
    public let loop: EventLoop
    /// The configuration it was started with.
    public let configuration: RelayConfiguration
    /// The address actually bound (the ephemeral port when configured with port 0).
    public let address: SocketAddress
    /// The plug-ins.
    public let plugIns: RelayPlugIns

    var core: RelayCore<BufferedSystemRandom>
    let storage: RelayStorage
    var pipeline: RelayCommitPipeline
    private var listener: TCPListener?
    var peers: IntegerTable<RelayPeer>
    private var nextConnection: UInt64 = 1
    /// Peers given output in the current release.
    var touched: [RelayPeer] = []
    /// An emptied array of early deliveries, swapped with the core's each turn for its capacity.
    var spareEarly: [RelayAction] = []
    let encoder: FrameEncoder
    private var endOfTurnHook: EndOfTurnHookID?
    private var housekeepingTimer: TimerID?
    /// Writes in the batch in flight (for the commit statistics).
    var inFlightWrites = 0
    /// Committed transactions and the writes they carried.
    var committedTotals = (transactions: 0, writes: 0)
    /// Set once `shutdown` ran.
    public private(set) var isShuttingDown = false
    /// Commit failures so far (each one dropped the replies that waited for it and closed their connections).
    public internal(set) var commitFailures = 0
    /// The last commit failure, for the status line.
    public internal(set) var lastCommitError: String?

    /// Opens the store, loads the state, binds and starts listening. Must run on `loop`.
    public convenience init(configuration: RelayConfiguration, plugIns: RelayPlugIns, on loop: EventLoop) throws(RelayError) {
        let directory = configuration.dataDirectory
        let hasher = configuration.tokenHasher
        try self.init(configuration: configuration, plugIns: plugIns, on: loop) { () throws(RelayError) -> any RelayBatchStore in
            try RelayStore(directory: directory, tokenHasher: hasher, checkpointsInline: false)
        }
    }

    /// As the public initializer, with the store made by `makeStore` on the storage thread.
    init(
        configuration: RelayConfiguration, plugIns: RelayPlugIns, on loop: EventLoop,
        makeStore: @escaping @Sendable () throws(RelayError) -> any RelayBatchStore
    ) throws(RelayError) {
        loop.preconditionConfined()
        self.loop = loop
        self.configuration = configuration
        self.plugIns = plugIns
        self.encoder = FrameEncoder(maximumFrameSize: max(configuration.maximumFrameSize, WireFormat.defaultMaximumFrameSize))
        let storage = try RelayStorage(owner: loop, makeStore: makeStore)
        self.storage = storage
        var random = BufferedSystemRandom()
        peers = IntegerTable(seed: random.next())
        pipeline = RelayCommitPipeline(durable: configuration.durable)
        let now = Self.wallClock()
        let snapshot: RelaySnapshot
        do throws(RelayError) {
            snapshot = try storage.load(
                envelopeCutoff: now - configuration.limits.envelopeTTLMilliseconds,
                idempotencyCutoff: now - configuration.limits.idempotencyWindowMilliseconds
            )
        } catch {
            storage.close()
            throw error
        }
        core = RelayCore(snapshot: snapshot, limits: configuration.limits, policy: plugIns.policy,
                         tokenHasher: configuration.tokenHasher, random: random)
        let delegate = ListenerDelegate()
        let listener: TCPListener
        do throws(SystemError) {
            listener = try TCPListener(
                bindingTo: configuration.listenAddress, on: loop,
                connectionOptions: configuration.connectionOptions, delegate: delegate
            )
        } catch {
            storage.close()
            throw .system(error)
        }
        self.listener = listener
        address = listener.localAddress
        configureCore()
        delegate.server = self
        endOfTurnHook = loop.addEndOfTurnHook { [weak self] in self?.endOfTurn() }
        scheduleHousekeeping()
    }

    /// Sets what the core produces for this host: writes and early deliveries only when durable
    /// (with the queue off every turn is released at its end anyway), metadata events unless the
    /// sink discards them, and the pipeline's turns.
    func configureCore() {
        core.emitsWrites = configuration.durable
        core.deliversEarly = configuration.durable
        core.emitsEvents = !(plugIns.sink is DiscardingSink)
        core.turns = pipeline.turns
    }

    /// The core's counters.
    public var statistics: RelayStatistics { core.statistics }
    /// Envelopes waiting for acknowledgement.
    public var queuedCount: Int { core.queuedCount }
    /// Open connections.
    public var connectionCount: Int { peers.count }
    /// Numbers online.
    public var onlineCount: Int { core.onlineCount }
    /// Group-commit statistics: transactions committed and the writes they carried.
    public var commitStatistics: (transactions: Int, writes: Int) { committedTotals }

    /// Sends a `notice` frame (request id 0) to `phone`'s authenticated connection now. False when
    /// the number is not online or the text is over the wire's limit: notices are news, not mail —
    /// the relay does not queue them; the caller keeps what it must deliver and tries again.
    @discardableResult
    public func notify(_ phone: PhoneNumber, kind: NoticeKind, text: String) -> Bool {
        guard !isShuttingDown, let id = core.onlineConnection(of: phone), let peer = peers[id.rawValue],
              let bytes = try? encoder.encode(.notice(kind: kind, text: text), requestID: .zero) else { return false }
        return peer.connection.write(bytes)
    }

    // MARK: Input

    func accept(_ connection: TCPConnection) -> (any TCPConnectionDelegate)? {
        guard !isShuttingDown else { return nil }
        let id = ConnectionID(rawValue: nextConnection)
        nextConnection += 1
        let peer = RelayPeer(id: id, connection: connection, server: self, maximumFrameSize: configuration.maximumFrameSize)
        peers.insert(peer, forKey: id.rawValue)
        handle(.opened(id))
        _ = loop.scheduleTimer(after: configuration.authenticationDeadline(forConnection: id.rawValue)) { [weak self] in
            self?.handle(.authenticationDeadline(id))
        }
        return peer
    }

    /// Decodes everything the connection has read and runs each frame through the core; the
    /// actions go straight into the pipeline's open batch.
    ///
    /// The decoder, the core and the open batch are each accessed once for the whole loop (the
    /// decoder is lent out of the peer, the others passed `inout`), not once per frame: every
    /// access to a class's stored `var` is checked for exclusivity at run time, and those checks
    /// were 5 % of the loop thread.
    func read(_ peer: RelayPeer) {
        let connection = peer.connection
        var decoder = FrameDecoder(maximumFrameSize: WireFormat.minimumConfigurableFrameSize)
        swap(&decoder, &peer.decoder)
        defer { swap(&decoder, &peer.decoder) }
        decoder.feed(connection.inputBytes)
        connection.consumeInput(connection.inputBytes.count)
        let now = Self.wallClock()
        let id = peer.id
        Self.decodeFrames(from: &decoder, of: id, at: now, into: &core, open: &pipeline.open)
    }

    /// Runs every complete frame in `decoder` through `core`.
    private static func decodeFrames(
        from decoder: inout FrameDecoder, of id: ConnectionID, at now: Int64,
        into core: inout RelayCore<BufferedSystemRandom>, open: inout [RelayAction]
    ) {
        while true {
            do throws(WireError) {
                guard let frame = try decoder.next() else { return }
                core.process(.frame(id, frame), at: now, into: &open)
            } catch {
                core.process(.decodingFailed(id, error), at: now, into: &open)
                if decoder.hasFailed { return }
            }
        }
    }

    func closed(_ peer: RelayPeer) {
        peers.removeValue(forKey: peer.id.rawValue)
        handle(.closed(peer.id))
    }

    /// Runs `input` through the core into the open batch.
    func handle(_ input: RelayInput) {
        core.process(input, at: Self.wallClock(), into: &pipeline.open)
    }

    private func scheduleHousekeeping() {
        housekeepingTimer = loop.scheduleTimer(after: configuration.housekeepingInterval) { [weak self] in
            guard let self, !self.isShuttingDown else { return }
            self.handle(.tick)
            self.scheduleHousekeeping()
        }
    }

    // MARK: Stopping

    /// Stops accepting, sends every connection error 501, commits, and closes the store once the
    /// connections are gone or `shutdownGrace` has passed; then calls `completion` (on the loop).
    public func shutdown(completion: @escaping () -> Void) {
        loop.preconditionConfined()
        guard !isShuttingDown else { return }
        isShuttingDown = true
        listener?.close()
        listener = nil
        if let timer = housekeepingTimer { _ = loop.cancelTimer(timer) }
        handle(.shutdown)
        endOfTurn()
        let deadline = loop.now() + configuration.shutdownGrace
        waitForDrain(until: deadline, completion: completion)
    }

    private func waitForDrain(until deadline: MonotonicInstant, completion: @escaping () -> Void) {
        if peers.isEmpty || loop.now() >= deadline {
            var remaining: [RelayPeer] = []
            peers.forEach { _, peer in remaining.append(peer) }
            for peer in remaining { peer.connection.abort() }
            drainPipeline()
            if let hook = endOfTurnHook { loop.removeEndOfTurnHook(hook) }
            endOfTurnHook = nil
            plugIns.sink.flush()
            storage.close()
            completion()
            return
        }
        _ = loop.scheduleTimer(after: .milliseconds(10)) { [weak self] in
            self?.waitForDrain(until: deadline, completion: completion)
        }
    }

    /// Milliseconds since the Unix epoch.
    public static func wallClock() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }
}

/// One accepted connection: its decoder, and the delegate callbacks forwarded to the server.
final class RelayPeer: TCPConnectionDelegate {
    let id: ConnectionID
    let connection: TCPConnection
    var decoder: FrameDecoder
    // The two properties below are touched for every frame a release sends, so they are not
    // checked for exclusivity at run time (each check was a fraction of a percent of the loop
    // thread, and there are several per frame). Sound because a peer is loop-confined and
    // `RelayServer.release` is their only user while frames are being encoded: nothing it calls
    // there (the encoder, the table look-up) can reach a peer again.
    /// Frames encoded in the current release, written once at its end.
    @exclusivity(unchecked) var pendingOutput: [UInt8] = []
    /// Close once `pendingOutput` is written.
    @exclusivity(unchecked) var closeAfterFlush = false
    weak var server: RelayServer?

    init(id: ConnectionID, connection: TCPConnection, server: RelayServer, maximumFrameSize: Int) {
        self.id = id
        self.connection = connection
        self.server = server
        decoder = FrameDecoder(maximumFrameSize: maximumFrameSize)
    }

    func connectionDidRead(_ connection: TCPConnection) {
        server?.read(self)
    }

    func connection(_ connection: TCPConnection, didCloseWith reason: CloseReason) {
        server?.closed(self)
    }
}

/// Hands accepted connections to the server.
final class ListenerDelegate: TCPListenerDelegate {
    weak var server: RelayServer?

    func listener(_ listener: TCPListener, didAccept connection: TCPConnection) -> (any TCPConnectionDelegate)? {
        server?.accept(connection)
    }
}

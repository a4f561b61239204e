import Glibc
import Storage

/// The relay on an event loop: accepts TCP connections, decodes frames, runs them through the
/// pure ``RelayCore``, and at the end of every loop turn commits the turn's writes in one
/// transaction before it sends the turn's frames and hands its metadata events to the sink.
/// A crash can therefore lose only work nobody was told about.
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

    private var core: RelayCore<SystemRandomNumberGenerator>
    private let store: RelayStore
    private var listener: TCPListener?
    private var peers: [ConnectionID: RelayPeer] = [:]
    private var nextConnection: UInt64 = 1
    private var actions: [RelayAction] = []
    /// Frames, closes and events of the current turn, released after its commit.
    private var outbound: [RelayAction] = []
    private var touched: [RelayPeer] = []
    private let encoder: FrameEncoder
    private var endOfTurnHook: EndOfTurnHookID?
    private var housekeepingTimer: TimerID?
    private var turnScheduled = false
    /// Set once `shutdown` ran.
    public private(set) var isShuttingDown = false
    /// Commit failures so far (each one dropped the turn's replies and closed its connections).
    public private(set) var commitFailures = 0
    /// The last commit failure, for the status line.
    public private(set) var lastCommitError: String?

    /// Opens the store, loads the state, binds and starts listening. Must run on `loop`.
    public init(configuration: RelayConfiguration, plugIns: RelayPlugIns, on loop: EventLoop) throws(RelayError) {
        loop.preconditionConfined()
        self.loop = loop
        self.configuration = configuration
        self.plugIns = plugIns
        self.encoder = FrameEncoder(maximumFrameSize: max(configuration.maximumFrameSize, WireFormat.defaultMaximumFrameSize))
        store = try RelayStore(directory: configuration.dataDirectory)
        let now = Self.wallClock()
        let snapshot = try store.load(
            envelopeCutoff: now - configuration.limits.envelopeTTLMilliseconds,
            idempotencyCutoff: now - configuration.limits.idempotencyWindowMilliseconds
        )
        core = RelayCore(snapshot: snapshot, limits: configuration.limits, policy: plugIns.policy, random: SystemRandomNumberGenerator())
        let delegate = ListenerDelegate()
        let listener: TCPListener
        do throws(SystemError) {
            listener = try TCPListener(
                bindingTo: configuration.listenAddress, on: loop,
                connectionOptions: configuration.connectionOptions, delegate: delegate
            )
        } catch {
            store.close()
            throw .system(error)
        }
        self.listener = listener
        address = listener.localAddress
        delegate.server = self
        endOfTurnHook = loop.addEndOfTurnHook { [weak self] in self?.endOfTurn() }
        scheduleHousekeeping()
    }

    /// The core's counters.
    public var statistics: RelayStatistics { core.statistics }
    /// Envelopes waiting for acknowledgement.
    public var queuedCount: Int { core.queuedCount }
    /// Open connections.
    public var connectionCount: Int { peers.count }
    /// Numbers online.
    public var onlineCount: Int { core.onlineCount }
    /// Group-commit statistics.
    public var commitStatistics: (transactions: Int, writes: Int) {
        (store.commitStatistics.committedTransactions, store.commitStatistics.committedWrites)
    }

    // MARK: Input

    func accept(_ connection: TCPConnection) -> (any TCPConnectionDelegate)? {
        guard !isShuttingDown else { return nil }
        let id = ConnectionID(rawValue: nextConnection)
        nextConnection += 1
        let peer = RelayPeer(id: id, connection: connection, server: self, maximumFrameSize: configuration.maximumFrameSize)
        peers[id] = peer
        handle(.opened(id))
        _ = loop.scheduleTimer(after: configuration.authenticationTimeout) { [weak self] in
            self?.handle(.authenticationDeadline(id))
        }
        return peer
    }

    func read(_ peer: RelayPeer) {
        let connection = peer.connection
        peer.decoder.feed(connection.inputBytes)
        connection.consumeInput(connection.inputBytes.count)
        while true {
            do throws(WireError) {
                guard let frame = try peer.decoder.next() else { return }
                handle(.frame(peer.id, frame))
            } catch {
                handle(.decodingFailed(peer.id, error))
                if peer.decoder.hasFailed { return }
            }
        }
    }

    func closed(_ peer: RelayPeer) {
        peers[peer.id] = nil
        handle(.closed(peer.id))
    }

    /// Runs `input` through the core and sorts the actions into this turn's writes and outbound work.
    private func handle(_ input: RelayInput) {
        actions.removeAll(keepingCapacity: true)
        core.handle(input, at: Self.wallClock(), into: &actions)
        for action in actions {
            if case let .write(write) = action {
                if configuration.durable { store.enqueue(write) }
            } else {
                outbound.append(action)
            }
        }
    }

    // MARK: End of turn

    /// Group commit, then the turn's frames, closes and events.
    private func endOfTurn() {
        guard store.pendingWriteCount > 0 || !outbound.isEmpty else { return }
        do throws(StorageError) {
            try store.commit()
        } catch {
            commitFailed(error)
            return
        }
        // Frames are gathered per connection so each gets one write (one syscall) per turn.
        for action in outbound {
            switch action {
            case let .send(id, frame, requestID):
                guard let peer = peers[id] else { continue }
                if peer.pendingOutput.isEmpty, !peer.closeAfterFlush { touched.append(peer) }
                do throws(WireError) {
                    try encoder.encode(frame, requestID: requestID, into: &peer.pendingOutput)
                } catch {
                    // Only a frame above the encoder's limit can fail; the core never builds one.
                    continue
                }
            case let .close(id):
                guard let peer = peers[id] else { continue }
                if peer.pendingOutput.isEmpty, !peer.closeAfterFlush { touched.append(peer) }
                peer.closeAfterFlush = true
            case let .record(event):
                plugIns.sink.record(event)
            case .write:
                continue
            }
        }
        for peer in touched {
            if !peer.pendingOutput.isEmpty {
                peer.connection.write(peer.pendingOutput)
                peer.pendingOutput.removeAll(keepingCapacity: peer.pendingOutput.capacity <= 1 << 16)
            }
            if peer.closeAfterFlush { peer.connection.close() }
        }
        touched.removeAll(keepingCapacity: true)
        outbound.removeAll(keepingCapacity: outbound.count <= 4096)
        plugIns.sink.flush()
    }

    /// A commit failed: nothing of the turn may be acknowledged. Every connection the turn would
    /// have answered is closed with 500 (clients retry; sends are idempotent), and the core is
    /// rebuilt from the store so memory matches what is durable.
    private func commitFailed(_ error: StorageError) {
        commitFailures += 1
        lastCommitError = "\(error)"
        var touched = Set<ConnectionID>()
        for action in outbound {
            if case let .send(id, _, _) = action { touched.insert(id) }
            if case let .close(id) = action { touched.insert(id) }
        }
        outbound.removeAll()
        for id in touched.sorted() {
            guard let peer = peers[id] else { continue }
            if let bytes = try? encoder.encode(.makeError(.internalError, message: "relay storage failed; retry"), requestID: .zero) {
                peer.connection.write(bytes)
            }
            peer.connection.close()
        }
        reloadCore()
    }

    /// Replaces the core by one loaded from the store; every connection must re-authenticate.
    private func reloadCore() {
        let now = Self.wallClock()
        guard let snapshot = try? store.load(
            envelopeCutoff: now - configuration.limits.envelopeTTLMilliseconds,
            idempotencyCutoff: now - configuration.limits.idempotencyWindowMilliseconds
        ) else { return }
        core = RelayCore(snapshot: snapshot, limits: configuration.limits, policy: plugIns.policy, random: SystemRandomNumberGenerator())
        for (_, peer) in peers { peer.connection.close() }
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
            for (_, peer) in peers { peer.connection.abort() }
            endOfTurn()
            if let hook = endOfTurnHook { loop.removeEndOfTurnHook(hook) }
            endOfTurnHook = nil
            plugIns.sink.flush()
            store.close()
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
    /// Frames encoded this turn, written once after the commit.
    var pendingOutput: [UInt8] = []
    /// Close once `pendingOutput` is written.
    var closeAfterFlush = false
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

public import Crypto
public import Transport
import Storage

/// The Cloud API endpoint on an event loop: it speaks for every business in the registry — one
/// relay link per business number, their Signal sessions with users, the encrypted message store,
/// webhook delivery with retries, and the Graph API operations (`send`, `phone number`). HTTP
/// routing lives in `CloudAPIServer`; this type answers with status codes and bodies.
///
/// **Durable before anything leaves.** Ratchet state, custody records and message records written
/// during a loop turn are committed — a session advanced by an inbound message only once that
/// message's record is on disk (``DurabilityPipeline``) — and their logs synced on a syncer thread
/// while the loop keeps serving; only then do the turn's queued effects run: ciphertext goes to
/// the relay, acks confirm envelopes, HTTP answers are sent. A crash (or power cut) can lose only
/// work nobody was told about, and no message key is ever used twice. Webhooks read committed
/// records and may run ahead of the sync: after a power cut a message can reach the webhook
/// twice, never zero times.
///
/// Loop-confined.
public final class CloudAPIEndpoint {
    /// The loop it runs on.
    public let loop: EventLoop
    /// Its configuration.
    public let configuration: EndpointConfiguration
    /// The custody registry.
    public let registry: BusinessRegistry
    let masterKey: MasterKey
    let clock: any EndpointClock
    let webhooks: any WebhookTransport
    let random: any RandomSource
    var businesses: [String: BusinessState] = [:]
    var byPhone: [PhoneNumber: String] = [:]
    var stores: [StoreLocation: MessageStore] = [:]
    private var afterCommit: [DurabilityPipeline<WALFile>.Effect] = []
    private var afterRecordsCommitted: [() -> Void] = []
    /// Logs of records committed while a round was in flight, for the next round to sync.
    private var committedLogs: [WALFile] = []
    /// When a turn first ended with records left uncommitted because a round was in flight.
    private var recordsWaitingSince: MonotonicInstant?
    /// How long records may wait uncommitted for the round in flight before the end of a turn
    /// commits them anyway: in long rounds (saturation) webhooks and reads are not held for the
    /// whole round, while short rounds (light load) still gather their turns' records into one commit.
    static let recordsCommitDelayNanoseconds: UInt64 = 1_000_000
    private var pipeline = DurabilityPipeline<WALFile>()
    private let syncer = WALSyncer(label: "vigil-cloudapi-sync")
    private let syncOutcome = SyncOutcome()
    /// Bumped when the pipeline is reset, so a sync that was in flight is not taken as the next one's.
    private var syncGeneration = 0
    /// Tests: the next asynchronous sync reports this failure (after syncing) instead of success.
    var injectedSyncFailure: StorageError?
    private var hook: EndOfTurnHookID?
    private var housekeeping: TimerID?
    /// Each open log's commit count at the last slow tick, by path (``truncateIdleLogs()``).
    private var logCommitCounts: [String: Int] = [:]
    var webhooksInFlight: Set<String> = []
    /// Whether a pump is queued for the end of the current callback (`schedulePump`).
    var pumpScheduled = false
    /// Rotates which store `pumpWebhooks` serves first.
    var webhookPumpRound = 0
    /// The stores the next pump with a free delivery slot reads (not only memory): every store,
    /// at each housekeeping tick.
    var storeReadsOwed: Set<StoreLocation> = []
    /// The newest inbound message time per (business, user) seen since start (or since the last
    /// failed commit): answers the customer-service window without a store query. Bounded by
    /// ``recentInboundLimit``; a miss reads the store.
    var recentInbound: [RecentInboundKey: Int64] = [:]
    /// Business-scoped user ids computed so far (see ``userID(business:consumer:)``).
    var userIDs: [UserIDKey: String] = [:]
    /// Set by `stop()`.
    public private(set) var isStopped = false
    /// Counters for the status line and tests.
    public internal(set) var statistics = EndpointStatistics()
    /// The last error that was not a client's fault (storage, relay), for the status line.
    public internal(set) var lastError: String?

    /// Opens the registry and starts every business's relay link. Must run on `loop`. `random`
    /// supplies keys' and nonces' bytes (to the registry's sealer and the message stores too);
    /// by default a ``BufferedRandom``, since a send draws several small values.
    public init(
        configuration: EndpointConfiguration, masterKey: MasterKey, webhooks: any WebhookTransport, on loop: EventLoop,
        clock: any EndpointClock = SystemWallClock(), random: any RandomSource = BufferedRandom()
    ) throws(CloudAPIError) {
        loop.preconditionConfined()
        self.loop = loop
        self.configuration = configuration
        self.masterKey = masterKey
        self.clock = clock
        self.webhooks = webhooks
        self.random = random
        registry = try BusinessRegistry(
            directory: configuration.dataDirectory, masterKey: masterKey, durability: .deferred, random: random)
        // Registered before any relay link's hook, so commits precede their flushes.
        hook = loop.addEndOfTurnHook { [weak self] in self?.endOfTurn() }
        try loadNewBusinesses()
        scheduleHousekeeping()
    }

    /// Businesses the endpoint speaks for.
    public var businessCount: Int { businesses.count }
    /// Businesses users can reach: the relay link is authenticated and the relay has accepted
    /// the prekey bundles published on this run (they go out only once the keys are durable).
    public var connectedCount: Int {
        businesses.values.filter { $0.link?.state == .ready && $0.preKeysOnRelay }.count
    }

    /// How often the syncer restarted a log that steady writes kept from restarting
    /// (``WALSyncer/restartBytes``), and the longest it held this loop's commits off doing so.
    /// Safe from any thread.
    public var logRestarts: (count: Int, longestHold: Duration) {
        let statistics = syncer.checkpointStatistics
        return (statistics.restarts, statistics.longestRestart)
    }

    /// The account of `phoneNumberID`, if known.
    public func account(_ phoneNumberID: String) -> BusinessAccount? { businesses[phoneNumberID]?.account }

    // MARK: Commit

    /// Runs `effect` once what it depends on of this turn's writes is durable: by default all of
    /// them; `.records` — only the turn's message records (a relay ack, the answer to a send whose
    /// ciphertext already left); `.registryRecord(key)` — the records and that registry record
    /// (ciphertext from a ratchet step), so it need not wait for a session another message of
    /// the turn advanced. Effects that wait for the same writes run in the order queued.
    func whenCommitted(after prerequisite: DurabilityPipeline<WALFile>.Prerequisite = .turn, _ effect: @escaping () -> Void) {
        afterCommit.append(.init(after: prerequisite, effect))
    }

    /// Runs `effect` as soon as this turn's message records are committed — visible to reads, not
    /// yet durable: for bookkeeping that only needs reads to see them (a webhook's in-flight mark)
    /// and for pumping webhooks, which are at-least-once anyway; never for an acknowledgement to
    /// the relay or an HTTP answer. Records commit when the next durability round starts (at the
    /// end of this turn if none is in flight), or after waiting a millisecond for the round in
    /// flight. Dropped if the commit fails.
    func whenRecordsCommitted(_ effect: @escaping () -> Void) {
        afterRecordsCommitted.append(effect)
    }

    /// The end-of-turn hook: if no durability round is in flight, hand what the turns since the
    /// last round queued — records, registry writes, effects — to the pipeline and start the next
    /// round; while one is in flight the work waits here, and is handed over when that round
    /// ends — its sync reported, before the pipeline may start the next round by itself (it does
    /// when it carries held writes and the round has nothing to release). So records commit about
    /// once per round (or per millisecond in long rounds), not once per turn. Released effects may
    /// write and queue effects again, so this repeats while the pipeline is free, a bounded number
    /// of times. With `synchronously` (stop), sync on this thread until everything is durable and
    /// released.
    private func endOfTurn(synchronously: Bool = false) {
        for _ in 0..<8 {
            guard hasQueuedWork || (synchronously && !pipeline.isIdle) else { return }
            if synchronously {
                syncer.waitUntilIdle()
                collectSync(synchronously: true)
            } else if pipeline.isBusy {
                commitRecordsIfWaited()
                return
            }
            guard handOver() else { return }
            perform(pipeline.nextStep(), synchronously: synchronously)
            if !synchronously, pipeline.isBusy { return }
        }
    }

    /// Whether anything waits to be handed to the pipeline.
    private var hasQueuedWork: Bool {
        !afterCommit.isEmpty || !afterRecordsCommitted.isEmpty || !committedLogs.isEmpty || hasPendingWrites
    }

    /// Commits the queued message records (their logs are synced by the next round), runs what
    /// waited for that commit, and hands the turns' records' logs, registry writes and effects to
    /// the pipeline as one stage. `false` if the commit failed (then everything was dropped).
    private func handOver() -> Bool {
        guard hasQueuedWork else { return true }
        guard commitRecords() else { return false }
        let effects = afterCommit
        afterCommit.removeAll()
        let logs = committedLogs
        committedLogs.removeAll()
        pipeline.endTurn(recordLogs: logs, registryWrites: registry.takeQueuedWrites(), effects: effects)
        return true
    }

    /// While a round is in flight: commits the queued records once they have waited
    /// ``recordsCommitDelayNanoseconds`` — reads and webhooks see them from then on; their sync, and
    /// the effects that wait for it, still go with the next round.
    private func commitRecordsIfWaited() {
        guard !afterRecordsCommitted.isEmpty || hasUncommittedRecords else { return }
        let now = loop.now()
        guard let since = recordsWaitingSince else {
            recordsWaitingSince = now
            return
        }
        if now.nanoseconds &- since.nanoseconds >= Self.recordsCommitDelayNanoseconds { _ = commitRecords() }
    }

    /// Commits every store's queued records, keeping their logs for the next round (a log
    /// committed to twice is listed twice; the pipeline syncs it once), and runs what waited for
    /// the commit. `false` if a commit failed (then everything queued was dropped).
    private func commitRecords() -> Bool {
        recordsWaitingSince = nil
        for store in stores.values where store.pendingWriteCount > 0 {
            do throws(MessageStoreError) { committedLogs += try store.commit() } catch {
                fail("message store: \(error)")
                return false
            }
        }
        let bookkeeping = afterRecordsCommitted
        afterRecordsCommitted.removeAll()
        for effect in bookkeeping { effect() }
        return true
    }

    /// Performs pipeline steps until one is in flight or none is left. Runs released effects,
    /// which may write and queue effects for this turn's end.
    private func perform(_ first: DurabilityPipeline<WALFile>.Step?, synchronously: Bool) {
        var next = first
        while let step = next {
            switch step {
            case let .sync(logs):
                if synchronously {
                    if let error = WALSyncer.syncNow(logs) {
                        fail("sync: \(error)")
                        return
                    }
                    guard handOver() else { return }
                    next = pipeline.synced()
                } else {
                    let generation = syncGeneration
                    let outcome = syncOutcome
                    let endpoint = LoopBound(self, on: loop)
                    let injected = injectedSyncFailure
                    injectedSyncFailure = nil
                    syncer.sync(logs) { error in
                        outcome.put(generation: generation, error: error ?? injected)
                        _ = endpoint.loop.execute { endpoint.value.collectSync(synchronously: false) }
                    }
                    return
                }
            case let .commitRegistry(writes):
                do throws(CloudAPIError) { try registry.commit(writes) } catch {
                    fail("registry: \(error)")
                    return
                }
                next = pipeline.registryCommitted(log: registry.walFile)
            case let .release(effects):
                for effect in effects { effect() }
                // What they queued joins the next round.
                guard handOver() else { return }
                next = pipeline.released()
            }
        }
    }

    /// Takes the outcome of the sync in flight, if it arrived, and goes on from it — after handing
    /// over what waited during the round, so the next round takes it.
    private func collectSync(synchronously: Bool) {
        guard let (generation, error) = syncOutcome.take(), generation == syncGeneration, pipeline.isBusy else { return }
        if let error {
            fail("sync: \(error)")
            return
        }
        guard handOver() else { return }
        perform(pipeline.synced(), synchronously: synchronously)
    }

    /// A commit or sync failed. Nothing not yet released may be confirmed: drop every pending
    /// effect (HTTP answers never come, so clients time out and retry; unacknowledged envelopes
    /// are re-delivered) and every held registry write, and reload from disk so memory does not
    /// run ahead of it.
    private func fail(_ reason: String) {
        statistics.commitFailures += 1
        lastError = "commit failed: \(reason)"
        afterCommit.removeAll()
        afterRecordsCommitted.removeAll()
        committedLogs.removeAll()
        recordsWaitingSince = nil
        _ = registry.takeQueuedWrites()
        pipeline.reset()
        syncGeneration += 1
        failedTurn()
    }

    /// Whether the registry or a store has uncommitted writes.
    private var hasPendingWrites: Bool {
        registry.pendingWriteCount > 0 || hasUncommittedRecords
    }

    /// Whether a message store has uncommitted writes.
    private var hasUncommittedRecords: Bool {
        stores.values.contains { $0.pendingWriteCount > 0 }
    }

    /// After a failed commit memory may be ahead of disk: reload every business from the registry.
    private func failedTurn() {
        webhooksInFlight.removeAll()
        recentInbound.removeAll()
        for (_, state) in businesses { state.link?.close() }
        businesses.removeAll()
        byPhone.removeAll()
        do throws(CloudAPIError) {
            try loadNewBusinesses()
        } catch {
            lastError = "reload after failed commit: \(error)"
        }
    }

    // MARK: Businesses

    /// Starts businesses added to the registry since the last call (`vigil business add` writes
    /// to the registry while the endpoint runs).
    func loadNewBusinesses() throws(CloudAPIError) {
        for account in try registry.accounts() where businesses[account.phoneNumberID] == nil {
            let (party, lastUsed) = try registry.loadParty(for: account, random: random)
            let state = BusinessState(account: account, party: party, gate: SendGate(
                perSecond: configuration.sendsPerSecond(atTier: account.messagingLimit),
                limitHoldMilliseconds: configuration.messagingLimitHoldMilliseconds))
            state.sessionLastUsed = lastUsed
            businesses[account.phoneNumberID] = state
            byPhone[account.phone] = account.phoneNumberID
            _ = try store(for: account)
            connect(state)
            if account.webhookURL != nil, !account.webhookVerified { verifyWebhook(state) }
        }
    }

    /// The message store holding `account`'s records (its region's, or its local-storage directory).
    func store(for account: BusinessAccount) throws(CloudAPIError) -> MessageStore {
        let location = StoreLocation.forBusiness(
            region: account.region, localStorageDirectory: account.localStorageDirectory, dataDirectory: configuration.dataDirectory)
        if let store = stores[location] { return store }
        do throws(MessageStoreError) {
            let store = try MessageStore(location: location, masterKey: masterKey, random: random, durability: .deferred)
            stores[location] = store
            return store
        } catch {
            throw .invalidConfiguration("message store \(location): \(error)")
        }
    }

    /// Opens the business's relay link (register on first use, hello afterwards).
    func connect(_ state: BusinessState) {
        guard !isStopped else { return }
        let account = state.account
        let credentials: RelayLink.Credentials = if let token = account.relayToken {
            .hello(account.phone, account.device, token)
        } else {
            .register(account.phone, account.device)
        }
        do throws(SystemError) {
            state.link = try RelayLink(connectingTo: configuration.relayAddress, on: loop, credentials: credentials, delegate: state)
            state.endpoint = self
        } catch {
            lastError = "relay connect for \(account.phoneNumberID): \(error)"
            scheduleReconnect(state)
        }
    }

    func scheduleReconnect(_ state: BusinessState) {
        guard !isStopped else { return }
        _ = loop.scheduleTimer(after: .milliseconds(configuration.reconnectDelayMilliseconds)) { [weak self, weak state] in
            guard let self, let state, self.businesses[state.account.phoneNumberID] === state else { return }
            self.connect(state)
        }
    }

    /// The relay issued a token: keep it (sealed) before relying on it.
    func registered(_ state: BusinessState, token: RelayToken) {
        state.account.relayToken = token
        do throws(CloudAPIError) {
            try registry.update(state.account)
        } catch {
            lastError = "saving relay token: \(error)"
        }
    }

    /// Authenticated: publish prekeys when none were published yet (or after a re-registration),
    /// and resend what the last link left unconfirmed.
    func ready(_ state: BusinessState) {
        state.linkReadyAt = clock.now()
        if state.needsPreKeys { publishPreKeys(state) }
        resendUnconfirmed(state)
    }

    /// Generates a batch of one-time prekeys (and a last-resort bundle without one), saves the
    /// keys, and publishes the bundles after the commit.
    func publishPreKeys(_ state: BusinessState) {
        let batch = configuration.preKeyBatchSize
        var bundles: [[UInt8]] = []
        let firstID = (state.party.preKeys.oneTimePreKeys.keys.max() ?? 0) + 1
        let signedID = (state.party.preKeys.signedPreKeys.keys.max() ?? 0) + 1
        do throws(ProtocolError) {
            for offset in 0..<UInt32(batch) {
                bundles.append(try state.party.makeBundle(signedPreKeyID: signedID, oneTimePreKeyID: firstID + offset).encoded)
            }
            bundles.append(try state.party.makeBundle(signedPreKeyID: signedID, oneTimePreKeyID: nil).encoded)
        } catch {
            lastError = "prekey generation: \(error)"
            return
        }
        do throws(CloudAPIError) {
            try registry.saveKeys(of: state.party, for: state.account)
        } catch {
            lastError = "saving prekeys: \(error)"
            return
        }
        state.needsPreKeys = false
        state.preKeysConsumed = 0
        whenCommitted { [weak state] in
            state?.link?.publishPreKeys(bundles) { [weak self] result in
                switch result {
                case .success:
                    state?.preKeysOnRelay = true
                case let .failure(error):
                    self?.lastError = "publishing prekeys: \(error)"
                    state?.needsPreKeys = true
                }
            }
        }
    }

    // MARK: Housekeeping

    private func scheduleHousekeeping() {
        housekeeping = loop.scheduleTimer(after: .milliseconds(configuration.housekeepingIntervalMilliseconds)) { [weak self] in
            guard let self, !self.isStopped else { return }
            self.tick()
            self.scheduleHousekeeping()
        }
    }

    /// Pending webhooks; every 2 s new businesses, retention, and emptying idle logs.
    func tick() {
        pumpWebhooks(readingStores: true)
        let now = clock.now()
        expireUnconfirmed(now: now)
        if now - statistics.lastSlowTick >= 2_000 {
            statistics.lastSlowTick = now
            do throws(CloudAPIError) {
                try loadNewBusinesses()
            } catch {
                lastError = "loading businesses: \(error)"
            }
            for store in stores.values {
                do throws(MessageStoreError) {
                    _ = try store.expire(now: now)
                } catch {
                    lastError = "expiry: \(error)"
                }
            }
            do throws(CloudAPIError) {
                try registry.expireSessions(idleBefore: now - 30 * 86_400_000)
            } catch {
                lastError = "session expiry: \(error)"
            }
            dropExpiredSessions(idleBefore: now - 30 * 86_400_000)
            truncateIdleLogs()
        }
    }

    /// Has the syncer empty (off the loop) every log not written to since the last slow tick that
    /// still holds frames. The loop's connections never truncate their logs (a blocking call,
    /// the longer the larger the log), so a day or registry log keeps the size its busiest
    /// stretch grew it to until it goes quiet: yesterday's day file soon after midnight, any log
    /// when traffic pauses. The syncer copies the frames first without holding the loop off; a
    /// commit the loop starts while the file is then truncated blocks the loop until that ends
    /// (milliseconds; past the 2-second busy timeout the commit would fail like any other).
    private func truncateIdleLogs() {
        var logs = stores.values.flatMap(\.openLogs)
        if let log = registry.walFile { logs.append(log) }
        var counts: [String: Int] = [:]
        var idle: [WALFile] = []
        for log in logs {
            let count = log.commitCount
            counts[log.path] = count
            if logCommitCounts[log.path] == count, log.size > 0 { idle.append(log) }
        }
        logCommitCounts = counts
        if !idle.isEmpty { syncer.truncate(idle) }
    }

    /// Forgets in memory the sessions the registry just deleted (their users start over with X3DH).
    private func dropExpiredSessions(idleBefore cutoff: Int64) {
        var dropped = false
        for (_, state) in businesses {
            for (peer, lastUsed) in state.sessionLastUsed where lastUsed < cutoff {
                state.party.removeConversation(with: peer)
                state.sessionLastUsed[peer] = nil
                dropped = true
            }
        }
        // The cache keyed by consumer number goes too, so no number outlives its session here
        // (the registry empties its own when it deletes sessions).
        if dropped { userIDs.removeAll() }
    }

    /// Stops: closes links, commits, closes stores and the registry.
    public func stop() {
        loop.preconditionConfined()
        guard !isStopped else { return }
        isStopped = true
        if let housekeeping { _ = loop.cancelTimer(housekeeping) }
        endOfTurn(synchronously: true)
        expireUnconfirmed(now: clock.now(), all: true)
        for (_, state) in businesses { state.link?.close() }
        if let hook { loop.removeEndOfTurnHook(hook) }
        hook = nil
        for store in stores.values { store.close() }
        registry.close()
    }

    // MARK: Identifiers

    /// The message id of a relay envelope: `wamid.` and the base64url of its 16 bytes, low half
    /// first — the same id for every re-delivery, which is how duplicates are recognized. The low
    /// half is the relay's sequence number, so the ids of messages close in time share a long
    /// prefix and fall next to each other in the day file's id index: a batch of records touches a
    /// page or two of it instead of a random page each.
    public static func messageID(_ envelope: EnvelopeID) -> String {
        "wamid." + Base64URL.encode(EnvelopeID(high: envelope.low, low: envelope.high).bytes)
    }

    /// The message id an envelope had before ids led with the low half (records stored by earlier
    /// versions, gone 30 days after the upgrade): looked up when ``messageID(_:)`` finds nothing.
    static func legacyMessageID(_ envelope: EnvelopeID) -> String { "wamid." + Base64URL.encode(envelope.bytes) }

    /// The committed record of an envelope, under its message id or else its legacy one: on the
    /// day of `time` if given (a record's day is its time's), otherwise on any live day. `nil` if
    /// neither is stored or the store cannot be read.
    static func storedRecord(of envelope: EnvelopeID, in store: MessageStore, storedAt time: Int64? = nil) -> MessageRecord? {
        func lookUp(_ id: String) -> MessageRecord? {
            if let time { (try? store.record(id: id, storedAt: time)) ?? nil } else { (try? store.record(id: id)) ?? nil }
        }
        return lookUp(messageID(envelope)) ?? lookUp(legacyMessageID(envelope))
    }

    /// Whether an envelope's record is committed, under its message id or its legacy one, on the
    /// day of `time` (a record's day is its time's): one look-up that reads no row — every
    /// inbound envelope asks it (a re-delivery must not be decrypted or posted again), and reading
    /// both ids' rows in full was ~12 % of the loop thread user → business. `false` if the store
    /// cannot be read.
    static func isStored(_ envelope: EnvelopeID, in store: MessageStore, storedAt time: Int64) -> Bool {
        (try? store.containsRecord(anyOf: [messageID(envelope), legacyMessageID(envelope)], storedAt: time)) ?? false
    }

    /// The envelope id inside a message id made by ``messageID(_:)``, or `nil` if it is not one.
    /// A legacy id (``legacyMessageID(_:)``, the halves in the other order) decodes to the wrong
    /// envelope: the two forms cannot be told apart.
    public static func envelopeID(_ messageID: String) -> EnvelopeID? {
        guard messageID.hasPrefix("wamid."), let bytes = Base64URL.decode(String(messageID.dropFirst(6))),
              let swapped = EnvelopeID(bytes: bytes) else { return nil }
        return EnvelopeID(high: swapped.low, low: swapped.high)
    }

    /// The business-scoped user id (Meta's BSUID): stable per (business, user), not the number.
    /// Remembered (at most ``userIDCacheLimit`` pairs): every webhook carries one, and each is an
    /// HMAC under the sealer's key.
    func userID(business: BusinessAccount, consumer: PhoneNumber) -> String {
        let key = UserIDKey(phoneNumberID: business.phoneNumberID, consumer: consumer)
        if let known = userIDs[key] { return known }
        guard let index = try? registry.sealer.index("user-id", business.phoneNumberID, consumer.e164) else { return "US.0" }
        let value = "US." + String(index.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        if userIDs.count >= Self.userIDCacheLimit { userIDs.removeAll(keepingCapacity: true) }
        userIDs[key] = value
        return value
    }

    /// The most business-scoped user ids ``userID(business:consumer:)`` remembers.
    static let userIDCacheLimit = 65_536
}

/// One business at run time: its account, its party (keys and sessions), its relay link.
final class BusinessState: RelayLinkDelegate {
    var account: BusinessAccount
    var party: Party
    var link: RelayLink?
    weak var endpoint: CloudAPIEndpoint?
    /// When the relay link last became ready, by the endpoint's clock (`nil` before). The relay
    /// re-delivers unacknowledged envelopes only on a new connection, so one it accepted later
    /// than ``CloudAPIEndpoint/redeliveryClockMargin`` after this is a first delivery, whose record
    /// cannot be stored yet.
    var linkReadyAt: Int64?
    /// True until a batch of prekeys has been published on this run.
    var needsPreKeys = true
    /// One-time prekeys used since the last batch.
    var preKeysConsumed = 0
    /// Whether the relay accepted a batch of bundles on this run.
    var preKeysOnRelay = false
    /// Sends waiting for a prekey bundle of this user (so one session is started, not two).
    var waitingForSession: [PhoneNumber: [() -> Void]] = [:]
    /// When each session was last used (ms), mirroring the registry's `last_used`.
    var sessionLastUsed: [String: Int64] = [:]
    /// The last client message id used (time-based, so unique across restarts).
    var nextClientMessageID: UInt64 = 0
    /// Sends whose link closed before the relay answered, to go again on the next link.
    var unconfirmedSends: [UnconfirmedSend] = []
    /// Its throughput and the relay refusals remembered (checked before any work on a send).
    var gate: SendGate
    /// The webhook signing key and the app secret it was made from (see ``signingKey``).
    private var signing: (appSecret: String, key: SymmetricKey)?

    /// The key webhooks are signed with, made once per app secret.
    var signingKey: SymmetricKey {
        if let signing, signing.appSecret == account.appSecret { return signing.key }
        let key = WebhookSignature.key(appSecret: account.appSecret)
        signing = (account.appSecret, key)
        return key
    }

    init(account: BusinessAccount, party: Party, gate: SendGate) {
        self.account = account
        self.party = party
        self.gate = gate
    }

    func link(_ link: RelayLink, didRegisterWith token: RelayToken) { endpoint?.registered(self, token: token) }
    func linkDidBecomeReady(_ link: RelayLink) { endpoint?.ready(self) }
    func link(_ link: RelayLink, didReceive envelope: DeliveredEnvelope) { endpoint?.received(envelope, for: self) }
    func link(_ link: RelayLink, didReceive receipt: Receipt) { endpoint?.received(receipt, for: self) }
    func link(_ link: RelayLink, didReceiveNotice kind: NoticeKind, text: String) { endpoint?.received(notice: kind, text: text, for: self) }
    func link(_ link: RelayLink, didReceiveError code: WireErrorCode, message: String) {
        endpoint?.lastError = "relay error for \(account.phoneNumberID): \(code) \(message)"
    }
    func link(_ link: RelayLink, didCloseWith reason: String) {
        guard self.link === link else { return }
        self.link = nil
        endpoint?.statistics.relayDisconnects += 1
        endpoint?.scheduleReconnect(self)
    }
}

/// A send whose relay link closed before the relay answered: resent, the same bytes, on the
/// business's next link.
struct UnconfirmedSend {
    /// The envelope as first sent.
    let outgoing: OutgoingEnvelope
    /// When it was first sent (ms), for the timeout.
    let since: Int64
    /// Where the relay's answer goes.
    let completion: (Result<(EnvelopeID, UInt64), RelayLinkError>) -> Void
}

/// Counters of the endpoint.
public struct EndpointStatistics: Sendable, Hashable {
    /// Messages received from users and stored.
    public var inbound = 0
    /// Envelopes that could not be decrypted (acknowledged and dropped).
    public var undecryptable = 0
    /// Re-deliveries recognized by message id.
    public var duplicates = 0
    /// Inbound envelopes looked up in the store as possible re-deliveries (those the relay
    /// accepted before their link's connection, give or take the clock margin).
    public var duplicateChecks = 0
    /// Sends resent unchanged after their link closed before the relay answered.
    public var resentUnconfirmed = 0
    /// Messages sent for businesses.
    public var outbound = 0
    /// Send requests refused (any Graph error).
    public var refused = 0
    /// Of those, refused by the endpoint itself before any work: over the number's throughput,
    /// or held by a refusal the relay gave earlier (`SendGate`).
    public var refusedAtTheGate = 0
    /// Webhook POSTs answered 2xx.
    public var webhooksDelivered = 0
    /// Webhook attempts that failed (will be retried).
    public var webhookFailures = 0
    /// Turns whose commit failed.
    public var commitFailures = 0
    /// Relay link closures.
    public var relayDisconnects = 0
    /// Integrity notices applied (standing changes from the relay's analyzer).
    public var integrityNotices = 0
    var lastSlowTick: Int64 = 0
}

import CloudAPI
import Glibc
import Transport

/// One run of `vigil demo`: starts the parties, plays the scenario, drains, audits, and hands
/// back a ``DemoOutcome``. Whatever happens, ``tearDown()`` releases what was started — the
/// relay child above all.
final class DemoRun {
    /// What was asked for.
    let options: DemoOptions
    /// SIGINT / SIGTERM, checked by every wait.
    let interrupts: DemoInterrupts
    /// The monotonic clock all phases are timed with.
    let clock = SystemClock()
    /// When the run started.
    let started: MonotonicInstant
    /// The plan.
    let scenario: DemoScenario
    /// This run's canary.
    let canary = DemoCanary()
    /// The transport side, once started.
    var relay: DemoRelayChild?
    /// The Cloud API endpoint, once started.
    var cloud: CloudAPIHost?
    /// The businesses' loop.
    var businessThread: DemoLoopThread?
    /// The businesses' servers and drivers, on ``businessThread``.
    var side: LoopBound<DemoBusinessSide>?
    /// The phones' load loops.
    var phoneThreads: [DemoLoopThread] = []
    /// The phones, one shard per load loop.
    var shards: [LoopBound<DemoPhoneShard>] = []
    /// Phase durations so far.
    var timings = DemoTimings()
    /// Where the run keeps its files, once it started.
    var paths: DemoPaths?
    /// The audit's scanner (canary, control ciphertexts, a business number), once it ran.
    var auditScanner: DemoScanner?

    /// A run of `options`; SIGINT/SIGTERM arrive through `interrupts`.
    init(options: DemoOptions, interrupts: DemoInterrupts) {
        self.options = options
        self.interrupts = interrupts
        started = clock.now()
        scenario = DemoScenario(seed: options.seed, userCount: options.users, businessCount: options.businesses, duration: options.duration)
    }

    /// Seconds since the run started.
    var elapsed: Double { Self.seconds(clock.now() - started) }

    /// `duration` in seconds.
    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }

    /// Runs everything with its data in `directory`.
    func run(in directory: String, kept: Bool) throws(DemoError) -> DemoOutcome {
        let paths = DemoPaths(root: directory)
        self.paths = paths
        for path in [paths.relay, paths.cloud, paths.business] { try Self.makeDirectory(path) }
        try Self.ensureOpenFiles(options.users + 1_024)

        let relay = try startRelay(paths)
        let context = DemoContext(scenario: scenario, canary: canary, relay: relay.address)
        let (businessThread, side) = try startBusinessSide(context, paths)
        try startCloudAPI(relay: relay, businessThread: businessThread, side: side, paths: paths)
        try startPhones(context)
        timings.setup = elapsed

        let trafficStart = clock.now()
        let (midTraffic, relayMemoryMid) = try runTraffic(businessThread: businessThread, side: side)
        timings.traffic = Self.seconds(clock.now() - trafficStart)
        let drainStart = clock.now()
        let drained = try drain(businessThread: businessThread, side: side)
        timings.drain = Self.seconds(clock.now() - drainStart)
        let identities = scenario.businesses.map {
            DemoBusinessIdentity(index: $0.index, phone: $0.phone.e164, name: $0.name, role: $0.role.rawValue, isAbusive: $0.role.isAbusive)
        }
        // The analyzer's view, read from the transport process while it still runs.
        var integrity: DemoIntegrityResult?
        if let stage = DemoStages.integrity() {
            Console.progress("[\(stamp)] integrity: asking the analyzer inside the transport process (http \(relay.httpAddress))")
            integrity = try stage.analyze(transport: relay, businesses: identities)
        }

        let auditStart = clock.now()
        let (gathered, scanned) = try audit(relay: relay, businessThread: businessThread, side: side, paths: paths, keepTransport: options.open)
        var audit = scanned
        audit.relayMemoryMidTraffic = relayMemoryMid.map(DemoAudit.target)
        audit.midTrafficAt = midTraffic
        let tap = try DemoTapSummary(path: paths.tap, businesses: scenario.businesses.map(\.phone))
        var export: DemoExportResult?
        if let stage = DemoStages.export() {
            try Self.makeDirectory(paths.export)
            export = try stage.export(tapPath: paths.tap, eventTime: tap.timeSpan, into: paths.export)
        }
        try writeAuditInputs(audit, directory: directory)
        timings.audit = Self.seconds(clock.now() - auditStart)
        timings.total = elapsed
        return DemoOutcome(
            options: options, scenario: scenario, canary: canary, dataDirectory: directory, kept: kept,
            phones: gathered.phones, business: gathered.business, endpoint: gathered.endpoint,
            endpointLastError: gathered.endpointLastError, tap: tap, audit: audit,
            integrity: integrity, export: export, timings: timings, relay: (relay.pid, gathered.relayExit), drained: drained)
    }

    /// Leaves what `vigil audit --data DIR` needs beside the run: the canary, sample numbers and
    /// the memory scans taken while the transport process ran (DIR/demo, never scanned itself).
    private func writeAuditInputs(_ audit: DemoAudit, directory: String) throws(DemoError) {
        var memory: [AuditInputs.MemoryScan] = []
        if let mid = audit.relayMemoryMidTraffic {
            memory.append(.init(label: "transport process mid-traffic", bytes: mid.scan.bytes, canaryHits: mid.canaryHits,
                                controlsFound: mid.controlsFound, controlTotal: 0))
        }
        memory.append(.init(label: "transport process after the drain", bytes: audit.relayMemory.scan.bytes,
                            canaryHits: audit.relayMemory.canaryHits, controlsFound: audit.relayMemory.controlsFound,
                            controlTotal: audit.controlTotal))
        let inputs = AuditInputs(canary: canary.token, consumers: scenario.users.prefix(200).map(\.e164),
                                 businesses: scenario.businesses.map(\.phone.e164), memory: memory)
        do throws(CLIError) {
            try inputs.write(to: directory)
        } catch {
            throw DemoError("cannot write the audit inputs: \(error)")
        }
    }

    // MARK: Setup

    private func startRelay(_ paths: DemoPaths) throws(DemoError) -> DemoRelayChild {
        Console.progress("[\(stamp)] transport: starting the relay with the integrity analyzer as a process of its own (this binary, `vigil serve`)")
        let relay = try DemoRelayChild(
            dataDirectory: paths.relay, tapPath: paths.tap, businesses: scenario.businesses.map(\.phone),
            extraArguments: DemoStages.relayArguments(dataDirectory: paths.root, options: options), interrupts: interrupts)
        self.relay = relay
        Console.progress("[\(stamp)] relay: pid \(relay.pid), listening on \(relay.address), metadata tap \(paths.tap)")
        Console.progress("[\(stamp)] dashboard: http://\(relay.httpAddress)/ while the demo runs (Basic auth: any user name, the password in \(relay.tokenPath))")
        return relay
    }

    private func startBusinessSide(_ context: DemoContext, _ paths: DemoPaths) throws(DemoError) -> (DemoLoopThread, LoopBound<DemoBusinessSide>) {
        let secrets = scenario.businesses.map { _ in DemoWebhookSecrets(appSecret: Self.randomHex(16), verifyToken: Self.randomHex(8)) }
        let thread = try DemoLoopThread(name: "vigil-demo-biz")
        businessThread = thread
        let transcript = paths.transcript
        let made = thread.call { () -> Result<LoopBound<DemoBusinessSide>, DemoError> in
            do throws(DemoError) {
                let side = try DemoBusinessSide(loop: thread.loop, context: context, secrets: secrets, transcriptPath: transcript)
                return .success(LoopBound(side, on: thread.loop))
            } catch {
                return .failure(error)
            }
        }
        switch made {
        case let .success(side)?:
            self.side = side
            return (thread, side)
        case let .failure(error)?: throw error
        case nil: throw DemoError("the business loop stopped")
        }
    }

    private func startCloudAPI(
        relay: DemoRelayChild, businessThread: DemoLoopThread, side: LoopBound<DemoBusinessSide>, paths: DemoPaths
    ) throws(DemoError) {
        let urls = businessThread.call { side.value.webhookURLs } ?? []
        let secrets = businessThread.call { side.value.receivers.map { DemoWebhookSecrets(appSecret: $0.appSecret, verifyToken: $0.verifyToken) } } ?? []
        guard urls.count == scenario.businesses.count, secrets.count == urls.count else { throw DemoError("the webhook servers did not start") }
        let masterKey: MasterKey
        var accounts: [DemoAccount] = []
        do {
            masterKey = try MasterKey.loadOrCreate(path: paths.cloud + "/master.key")
            let registry = try BusinessRegistry(directory: paths.cloud, masterKey: masterKey)
            defer { registry.close() }
            for (plan, (url, secret)) in zip(scenario.businesses, zip(urls, secrets)) {
                let added = try registry.add(
                    phone: plan.phone, name: plan.name, webhookURL: url, verifyToken: secret.verifyToken, appSecret: secret.appSecret,
                    region: .na, localStorageDirectory: nil, now: RelayServer.wallClock())
                accounts.append(DemoAccount(phoneNumberID: added.account.phoneNumberID, accessToken: added.accessToken))
            }
        } catch {
            throw DemoError("cannot register the businesses in \(paths.cloud): \(error)")
        }
        let cloud: CloudAPIHost
        do {
            // A messaging-limit refusal holds its user for 60 s of event time: under `--speed`
            // that is 60 s / speed of wall time.
            let hold = Int64((60_000 / max(options.speed, 1)).rounded(.up))
            cloud = try CloudAPIHost.start(
                EndpointConfiguration(relayAddress: relay.address, dataDirectory: paths.cloud, messagingLimitHoldMilliseconds: hold),
                listen: .loopbackIPv4(port: 0), masterKey: masterKey)
        } catch {
            throw DemoError("cannot start the Cloud API endpoint: \(error)")
        }
        self.cloud = cloud
        let address = cloud.address
        let registered = accounts
        _ = businessThread.call { side.value.attach(accounts: registered, cloudAPI: address) }
        let count = scenario.businesses.count
        let ready = try interrupts.poll(timeout: .seconds(30)) {
            let connected = cloud.withEndpoint { $0.connectedCount } ?? 0
            let verified = businessThread.call { side.value.progress().verified } ?? 0
            return connected == count && verified == count
        }
        guard ready else {
            let error = cloud.withEndpoint { $0.lastError ?? "none" } ?? "?"
            throw DemoError("the Cloud API did not link every business to the relay and verify its webhook within 30 s (last error: \(error))")
        }
        _ = businessThread.call { side.value.probeSignatures() }
        Console.progress("[\(stamp)] cloudapi: \(count) businesses registered (keys sealed under \(paths.cloud)/master.key), linked to the relay, webhooks verified; Graph API on \(address)")
    }

    private func startPhones(_ context: DemoContext) throws(DemoError) {
        let shardCount = options.users >= 400 ? 2 : 1
        Console.progress("[\(stamp)] phones: creating \(options.users) users' keys on \(shardCount) load loop(s), registering with the relay")
        for shardIndex in 0..<shardCount {
            let thread = try DemoLoopThread(name: "vigil-demo-load\(shardIndex)")
            phoneThreads.append(thread)
            let users = Array(stride(from: shardIndex, to: options.users, by: shardCount))
            let made = thread.call { () -> Result<LoopBound<DemoPhoneShard>, DemoError> in
                do throws(DemoError) {
                    let shard = try DemoPhoneShard(loop: thread.loop, context: context, users: users, withControlPair: shardIndex == 0)
                    shard.connectAll()
                    return .success(LoopBound(shard, on: thread.loop))
                } catch {
                    return .failure(error)
                }
            }
            switch made {
            case let .success(shard)?: shards.append(shard)
            case let .failure(error)?: throw error
            case nil: throw DemoError("a load loop stopped")
            }
        }
        var lastReport = clock.now()
        let ready = try interrupts.poll(timeout: .seconds(60 + options.users / 40)) {
            let counters = phoneProgress()
            if clock.now() - lastReport >= .seconds(1) {
                lastReport = clock.now()
                Console.progress("[\(stamp)] phones: \(counters.published)/\(counters.phones) registered with a published prekey bundle")
            }
            if counters.linkFailures > 0 { return true }
            return counters.published == counters.phones
        }
        let counters = phoneProgress()
        guard ready, counters.linkFailures == 0 else {
            throw DemoError("phones did not all register (\(counters.published)/\(counters.phones), \(counters.linkFailures) failed; last error: \(counters.lastError ?? "none"))")
        }
        Console.progress("[\(stamp)] phones: \(counters.phones) registered (\(options.users) users and a control pair), one prekey bundle each")
    }

    // MARK: Helpers

    /// The phones' scalar counters, summed over shards.
    func phoneProgress() -> DemoProgress {
        DemoProgress.sum(zip(phoneThreads, shards).compactMap { thread, shard in thread.call { shard.value.progress() } })
    }

    /// The phones' counters with their ledgers, summed over shards (once, at the end).
    func phoneCounters() -> DemoPhoneCounters {
        DemoPhoneCounters.sum(zip(phoneThreads, shards).compactMap { thread, shard in thread.call { shard.value.counters } })
    }

    /// "12.3 s" since the start.
    var stamp: String {
        let tenths = Int((elapsed * 10).rounded())
        let text = "\(tenths / 10).\(tenths % 10) s"
        return String(repeating: " ", count: max(0, 7 - text.count)) + text
    }

    /// Raises the open-file limit to `wanted` (a phone is a socket here and one in the relay
    /// child, which raises its own), or explains why the run cannot have that many users.
    static func ensureOpenFiles(_ wanted: Int) throws(DemoError) {
        let limit = (try? ResourceLimits.raiseOpenFiles(toAtLeast: wanted)) ?? (try? ResourceLimits.openFiles().soft) ?? 0
        guard limit >= wanted else {
            throw DemoError("this many users needs about \(wanted) open files, but the limit is \(limit) (see `ulimit -n`); use fewer --users")
        }
    }

    /// Creates `path` (mode 0700) unless it exists.
    static func makeDirectory(_ path: String) throws(DemoError) {
        guard mkdir(path, 0o700) == 0 || errno == EEXIST else {
            throw DemoError("cannot create \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// `bytes` random bytes from the system's generator, in hex (webhook secrets).
    static func randomHex(_ bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in
            let byte = UInt8.random(in: 0...255, using: &generator)
            return String(byte >> 4, radix: 16) + String(byte & 0xF, radix: 16)
        }.joined()
    }

    /// Releases whatever was started, in order: phones offline, endpoint, business servers,
    /// then the loop threads are joined — only after that are the loop-confined objects
    /// released (on this thread, with no loop left to race) — and last the relay child.
    /// Idempotent.
    func tearDown() {
        for (thread, shard) in zip(phoneThreads, shards) { _ = thread.call { shard.value.close() } }
        cloud?.stop()
        cloud = nil
        if let businessThread, let side {
            _ = businessThread.call { side.value.shutdown() }
            let deadline = clock.now() + .seconds(3)
            while clock.now() < deadline, businessThread.call({ side.value.isShutDown }) == false {
                var pause = timespec(tv_sec: 0, tv_nsec: 5_000_000)
                nanosleep(&pause, nil)
            }
        }
        for thread in phoneThreads { thread.stop() }
        businessThread?.stop()
        shards = []
        side = nil
        phoneThreads = []
        businessThread = nil
        relay?.stop(timeout: .seconds(5))
        relay = nil
    }
}

/// Where a run keeps its files.
struct DemoPaths: Sendable {
    /// The data directory.
    let root: String
    /// The relay child's data directory (queue, tap, logs).
    var relay: String { root + "/relay" }
    /// The relay's metadata tap.
    var tap: String { relay + "/tap.jsonl" }
    /// The Cloud API's data directory (registry, master key, encrypted stores).
    var cloud: String { root + "/cloudapi" }
    /// The businesses' own files.
    var business: String { root + "/business" }
    /// What the businesses' webhooks received, in plaintext.
    var transcript: String { business + "/transcript.log" }
    /// The integrity stage's directory (see ``DemoStages``).
    var integrity: String { root + "/integrity" }
    /// The export stage's directory.
    var export: String { root + "/export" }
}

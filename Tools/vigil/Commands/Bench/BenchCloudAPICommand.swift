import CloudAPI
import Transport
import Storage

/// `vigil bench cloudapi`: end-to-end messages per second and latency through the Cloud API
/// endpoint, both ways, with a real relay, real Signal sessions and real webhooks in one process.
struct BenchCloudAPICommand: Command {
    static let help = """
        USAGE: vigil bench cloudapi [--phones K] [--businesses B] [--connections C] [--window W]
                                    [--size BYTES] [--seconds S] [--warmup S]
                                    [--directions out,in,both] [--json]

        Runs in this process, each on its own event-loop thread: a durable relay (SQLite queue,
        group commit with synchronous=FULL), the Cloud API endpoint with B businesses exactly as
        `vigil cloudapi` runs it (custody registry, encrypted day store, webhooks with retries,
        Graph API over HTTP), and the load generator: K user phones (relay links, X3DH + Double
        Ratchet sessions as the Client runs them), the businesses' HTTP client (keep-alive, at most
        C connections) and the businesses' webhook server (answers 200 at once). Phone i talks to
        business i mod B; its first message opens the session and the 24-hour window (not measured).

          business → user   POST /v22.0/{id}/messages (text) → endpoint encrypts, commits →
                            relay (durable) → the phone decrypts. Latency: POST issued → decrypted.
                            Each message also causes a `sent` status webhook (counted, checked).
          user → business   the phone encrypts → relay → endpoint decrypts, stores (encrypted),
                            commits → signed webhook POST. Latency: encrypted → webhook received.
          both ways         both at once; messages/s is their sum.

        Each text carries its send time on the monotonic clock. Per direction: saturating (every
        flow keeps W messages in flight per direction) for S seconds after a warm-up, drained, then
        paced open-loop (1 ms ticks, flows staggered) at half the saturated rate, then at 2 500/s
        (half the 5 000/s target). A phase ends once every message arrived, every POST was
        answered and every `sent` status was delivered. Reports messages/s, p50/p99/max end-to-end
        latency, the POST→200 latency and CPU per message (the process's, and the endpoint loop
        thread's: the one that saturates first), checks the endpoint's and relay's counters
        against the load generator's, and the targets (≥ 5 000 messages/s;
        p99 ≤ 20 ms at half that rate — and, stricter, at half the run's own saturated rate).
        Beside them, the host's speed: X25519 agreements per CPU-second on one thread before
        and after the run (against 2026-11-25's 31 200) and the CPU steal of each window — this
        VM's speed moves by a third from hour to hour.

        OPTIONS:
          --phones K            user phones, one flow each (default 64)
          --businesses B        businesses (default 4)
          --connections C       HTTP connections of the businesses' client (default 64)
          --window W            messages in flight per flow and direction when saturating (default 8:
                                4 left business → user short of saturation)
          --size BYTES          text length, 48…4096 (default 100)
          --seconds S           measured seconds per phase (default 5)
          --warmup S            unmeasured seconds before each phase (default 1)
          --directions LIST     which of out, in, both to measure, in that order (default out,in,both)
          --json                print the figures as one JSON object instead of a table
        """

    let phones: Int
    let businesses: Int
    let connections: Int
    let window: Int
    let size: Int
    let seconds: Double
    let warmup: Double
    let directions: [CloudAPIBenchDirections]
    let json: Bool

    init(parsing arguments: inout Arguments) throws(CLIError) {
        phones = try arguments.integer("--phones", in: 1...10_000) ?? 64
        businesses = try arguments.integer("--businesses", in: 1...100) ?? 4
        connections = try arguments.integer("--connections", in: 1...1_000) ?? 64
        window = try arguments.integer("--window", in: 1...10_000) ?? 8
        size = try arguments.integer("--size", in: CloudAPIBenchText.minimumLength...4096) ?? 100
        seconds = try arguments.double("--seconds") ?? 5
        warmup = try arguments.double("--warmup") ?? 1
        var chosen: [CloudAPIBenchDirections] = []
        for name in (try arguments.option("--directions") ?? "out,in,both").split(separator: ",") {
            let direction: CloudAPIBenchDirections
            switch name {
            case "out": direction = .outbound
            case "in": direction = .inbound
            case "both": direction = .both
            default: throw CLIError("--directions: unknown direction '\(name)' (expected out, in or both)")
            }
            if !chosen.contains(direction) { chosen.append(direction) }
        }
        guard !chosen.isEmpty else { throw CLIError("--directions needs at least one of out, in, both") }
        directions = chosen
        json = arguments.flag("--json")
        guard seconds > 0, seconds <= 600 else { throw CLIError("--seconds must be in (0, 600]") }
        guard warmup >= 0, warmup <= 60 else { throw CLIError("--warmup must be in [0, 60]") }
        guard phones >= businesses else { throw CLIError("--phones must be at least --businesses (every business needs a user)") }
    }

    func run() throws {
        BenchClock.warnIfDebug()
        _ = try? ResourceLimits.raiseOpenFiles(toAtLeast: 4 * phones + 4 * connections + 256)
        Console.progress("bench cloudapi: measuring the host's speed (X25519 agreements on one thread) …")
        let hostBefore = HostReference.x25519Rate()
        Console.progress("bench cloudapi: starting the relay, the endpoint (\(businesses) businesses) and \(phones) phones …")
        let system = try CloudAPIBenchSystem(businesses: businesses, phones: phones, connections: connections, textLength: size)
        defer { system.stop() }
        Console.progress("bench cloudapi: every phone primed its session")
        let driver = CloudAPIBenchDriver(system: system, window: window, warmup: warmup, seconds: seconds)
        var phases: [CloudAPIPhaseFigures] = []
        for direction in directions { phases.append(try driver.run(direction)) }
        let notes = try checkCounters(system)
        let hostAfter = HostReference.x25519Rate()
        let report = CloudAPIBenchReport(
            businesses: businesses, phones: phones, connections: connections, window: window, textLength: size, seconds: seconds,
            warmup: warmup, phases: phases, notes: notes, peakRSSMiB: BenchClock.peakRSSMiB(),
            hostX25519PerSecond: (before: hostBefore, after: hostAfter))
        print(json ? report.json : report.table)
    }

    /// After the last drain: every POST answered, every `sent` status arrived, and the endpoint's
    /// and the relay's counters agree with what the load generator sent and received. Throws on a
    /// lost, refused or undecryptable message; duplicates are counted and reported.
    private func checkCounters(_ system: CloudAPIBenchSystem) throws(CLIError) -> [String] {
        let generator = system.generator
        // The 200 answers and the status webhooks trail the messages; wait for the last ones.
        try system.waitOrThrow(seconds: 60, "every POST answered") { $0.totalAccepted >= $0.totalSent.outbound }
        try system.waitOrThrow(seconds: 60, "every `sent` status in a webhook") { $0.totalStatuses >= $0.totalAccepted }
        sleepThread(for: .milliseconds(500))  // late duplicates, if any, arrive now
        guard let load = system.load.call({ () -> (sent: (outbound: Int, inbound: Int), accepted: Int, statuses: Int, webhooks: Int,
                                                    primed: Int, duplicates: (outbound: Int, inbound: Int)) in
            let value = generator.value
            return (value.totalSent, value.totalAccepted, value.totalStatuses, value.totalWebhooks, value.primedFlows, value.duplicates)
        }) else { throw CLIError("bench: the load generator's loop stopped") }
        guard let endpoint = system.host.withEndpoint({ ($0.statistics, $0.lastError, $0.logRestarts) }) else {
            throw CLIError("bench: the endpoint's loop stopped")
        }
        let (counters, lastError, logRestarts) = endpoint
        guard let relay = system.relay.withServer({ ($0.statistics.accepted, $0.statistics.deliveries, $0.statistics.acknowledged) }) else {
            throw CLIError("bench: the relay's loop stopped")
        }
        var notes: [String] = []
        notes.append("load generator: \(load.sent.outbound) POSTs (\(load.accepted) answered 200), \(load.sent.inbound) user messages "
            + "and \(load.primed) priming ones; \(load.webhooks) webhook POSTs received, carrying \(load.statuses) `sent` statuses")
        notes.append("endpoint: outbound \(counters.outbound), inbound \(counters.inbound), refused \(counters.refused), "
            + "webhooks \(counters.webhooksDelivered) delivered / \(counters.webhookFailures) failed, "
            + "commit failures \(counters.commitFailures), relay disconnects \(counters.relayDisconnects)")
        notes.append("relay: accepted \(relay.0), delivered \(relay.1), acknowledged \(relay.2)")
        let hold = logRestarts.longestHold / .milliseconds(1)
        notes.append("endpoint logs restarted under load (past \(WALSyncer.defaultRestartBytes >> 20) MiB of frames): \(logRestarts.count)"
            + (logRestarts.count > 0 ? String(format: ", holding the loop's commits off for at most %.1f ms", hold) : ""))
        var problems: [String] = []
        if load.accepted != load.sent.outbound { problems.append("\(load.sent.outbound - load.accepted) POSTs not answered 200") }
        if counters.outbound != load.accepted { problems.append("endpoint outbound \(counters.outbound) ≠ \(load.accepted) POSTs answered 200") }
        if counters.inbound != load.sent.inbound + load.primed {
            problems.append("endpoint inbound \(counters.inbound) ≠ \(load.sent.inbound + load.primed) user messages")
        }
        if load.statuses < load.accepted { problems.append("\(load.statuses) `sent` statuses for \(load.accepted) messages") }
        if counters.refused != 0 || counters.commitFailures != 0 || counters.undecryptable != 0 {
            problems.append("refused \(counters.refused), commit failures \(counters.commitFailures), undecryptable \(counters.undecryptable)")
        }
        if counters.webhooksDelivered != load.webhooks {
            problems.append("the endpoint counts \(counters.webhooksDelivered) webhooks delivered, the server got \(load.webhooks)")
        }
        guard problems.isEmpty else {
            throw CLIError("bench: counters disagree: " + problems.joined(separator: "; ") + (lastError.map { "; endpoint's last error: \($0)" } ?? ""))
        }
        notes.append("checked: every POST answered 200; every message decrypted by its phone or seen in a webhook; "
            + "a `sent` status for every message; no refusals, commit failures or undecryptable envelopes")
        let statusDuplicates = load.statuses - load.accepted
        if statusDuplicates + load.duplicates.inbound + load.duplicates.outbound > 0 {
            notes.append("duplicates: \(load.duplicates.inbound) user messages and \(statusDuplicates) statuses delivered to the webhook twice, "
                + "\(load.duplicates.outbound) business messages decrypted twice (not counted in the figures)")
        } else {
            notes.append("no duplicates")
        }
        return notes
    }
}

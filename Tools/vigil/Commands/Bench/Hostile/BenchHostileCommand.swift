import Transport

/// `vigil bench hostile`: honest traffic's latency and throughput through a `vigil serve` child,
/// alone and under each attack, with the child's peak RSS and a check that nothing acknowledged
/// was lost. Loopback only; every attack bounded in size and time and stopping by itself.
struct BenchHostileCommand: Command {
    static let help = """
        USAGE: vigil bench hostile [--attack NAME|all] [--seconds S] [--warmup S] [--pairs K]
                                   [--report-rate R] [--idle N] [--slowloris N] [--stalled N]
                                   [--send-limit N] [--rss-limit MIB] [--json]

        For each attack, a fresh `vigil serve` child (this executable; relay, analyzer and HTTP API
        on ephemeral 127.0.0.1 ports, fresh data directory). Four businesses (known to the child)
        first send one envelope to each of their honest reporters, so those reporters hold proof
        of contact. Then honest traffic runs alone, and again with the attack running:

          relay     K sender/receiver pairs (as `vigil bench relay`): saturating for S seconds
                    (throughput), then paced at half the baseline's saturated rate for S seconds
                    (p99 delivery latency) — the same rate under attack. Each phase ends only once
                    every envelope sent has been delivered.
          reports   R POST /v1/reports per second, one report each from the next reporter with
                    proof of contact, on one keep-alive connection; latency from each POST's
                    scheduled time (a server that falls behind is charged for the wait).

        Attacks (NAME):
          slowloris         N connections to the HTTP API sending a request head one header line
                            per second, re-opened whenever the server cuts one (default 2000)
          idle-connections  N TCP connections to the relay that never send a byte, re-opened when
                            cut (default 10000; needs about N descriptors here and in the child)
          bad-frames        two threads flooding the relay with oversized, random, unknown-type,
                            wrong-version, unparsable and truncated frames, plus N connections that
                            each send 255 KiB of a 256 KiB frame and fall silent (default 400)
          report-flood      one reporter (with proof of contact) sending 10^5 reports in 1000-item
                            POSTs: only its first report per business may count
          sybil-reports     10^4 distinct reporters without proof of contact: none may count
                            (both floods re-send a batch answered 429 at once, ignoring
                            Retry-After; only batches answered 202 count toward 10^5 / 10^6)
          send-flood        a business on a `vigil cloudapi` child (on the serve child's relay)
                            POSTing marketing templates from 4 closed loops round robin over 600
                            users (its tier allows 250 a day), ignoring every 429. Both of its
                            conditions add an honest business on the same endpoint sending 10
                            templates/s to its 40 users (p99 from each POST's scheduled time),
                            and check that every send answered 200 reached its user's phone;
                            the endpoint allows --send-limit requests a second per number

        Printed per attack: each figure alone → under attack and its ratio (targets: p99 ≤ 2×,
        throughput ≥ 0.8×), each child's peak RSS (VmHWM, /proc/PID/status) against --rss-limit,
        acknowledged data lost (every envelope delivered; the businesses' counted_reports equal
        to the reports acknowledged with 202), the attack's own counters, and the child's exit
        status after SIGTERM. RLIMIT_NOFILE is raised to what the attack needs (at most the hard
        limit; the command stops if that is too low). Exit status 0 even when a target is missed:
        read the verdicts.

        OPTIONS:
          --attack NAME|all   one attack or all (default all)
          --seconds S         measured seconds per relay phase (default 5)
          --warmup S          unmeasured seconds before each phase (default 1)
          --pairs K           honest relay pairs (default 8)
          --report-rate R     honest report POSTs per second (default 50)
          --idle N            idle-connections size (default 10000)
          --slowloris N       slowloris size (default 2000)
          --stalled N         bad-frames stalled connections (default 400)
          --send-limit N      send-flood: `vigil cloudapi --sends-per-second N` (default 80, Meta's
                              throughput); the honest business sends at most N/2 a second
          --rss-limit MIB     the bound on each child's peak RSS (default 1024)
          --json              one JSON object instead of the text
        """

    let attacks: [HostileAttackKind]
    let settings: HostileSettings
    let json: Bool

    init(parsing arguments: inout Arguments) throws(CLIError) {
        let name = try arguments.option("--attack") ?? "all"
        let attacks: [HostileAttackKind]
        if name == "all" {
            attacks = HostileAttackKind.allCases
        } else {
            guard let attack = HostileAttackKind(rawValue: name) else {
                throw CLIError("--attack: unknown attack '\(name)' (expected all or one of "
                    + HostileAttackKind.allCases.map(\.rawValue).joined(separator: ", ") + ")")
            }
            attacks = [attack]
        }
        var settings = HostileSettings()
        settings.seconds = try arguments.double("--seconds") ?? settings.seconds
        settings.warmup = try arguments.double("--warmup") ?? settings.warmup
        settings.pairs = try arguments.integer("--pairs", in: 1...256) ?? settings.pairs
        settings.reportRate = try arguments.double("--report-rate") ?? settings.reportRate
        settings.idleConnections = try arguments.integer("--idle", in: 1...100_000) ?? settings.idleConnections
        settings.slowlorisConnections = try arguments.integer("--slowloris", in: 1...100_000) ?? settings.slowlorisConnections
        settings.stalledConnections = try arguments.integer("--stalled", in: 0...100_000) ?? settings.stalledConnections
        settings.sendLimit = try arguments.integer("--send-limit", in: 2...1_000_000) ?? settings.sendLimit
        settings.rssLimitMiB = try arguments.double("--rss-limit") ?? settings.rssLimitMiB
        json = arguments.flag("--json")
        guard settings.seconds > 0, settings.seconds <= 120 else { throw CLIError("--seconds must be in (0, 120]") }
        guard settings.warmup >= 0, settings.warmup <= 30 else { throw CLIError("--warmup must be in [0, 30]") }
        guard settings.reportRate >= 1, settings.reportRate <= 1_000 else { throw CLIError("--report-rate must be in [1, 1000]") }
        guard settings.rssLimitMiB > 0 else { throw CLIError("--rss-limit must be positive") }
        guard settings.businessCount <= 100 else { throw CLIError("--report-rate × --seconds needs more than 100 businesses' reporters") }
        self.attacks = attacks
        self.settings = settings
    }

    func run() throws {
        BenchClock.warnIfDebug()
        try RelayBenchWire.verify(payloadSize: settings.payloadSize)
        try raiseDescriptorLimit()
        let load = try LoadThread.start()
        defer { load.stop() }
        let runner = HostileRun(settings: settings, load: load)
        var results: [HostileResult] = []
        for attack in attacks {
            let result = runner.run(attack)
            if let failure = result.failure { Console.progress("\(attack.rawValue): FAILED: \(failure)") }
            results.append(result)
        }
        let report = HostileReport(settings: settings, results: results)
        print(json ? report.json : report.text)
    }

    /// Raises this process's soft RLIMIT_NOFILE to what the attacks need (the child, started
    /// from here, inherits it and raises its own further); throws if the hard limit is lower.
    private func raiseDescriptorLimit() throws(CLIError) {
        var needed = attacks.contains(.idleConnections) || attacks.contains(.slowloris) || attacks.contains(.badFrames)
            ? settings.descriptorsNeeded : 4 * settings.pairs + 256
        if attacks.contains(.sendFlood) {
            needed = max(needed, 4 * settings.pairs + 256 + settings.floodRecipients + settings.honestSendRecipients)
        }
        let granted: Int
        do throws(SystemError) {
            granted = try ResourceLimits.raiseOpenFiles(toAtLeast: needed)
        } catch {
            throw CLIError("cannot raise RLIMIT_NOFILE: \(error)")
        }
        guard granted >= needed else {
            throw CLIError("RLIMIT_NOFILE: the attacks need \(needed) descriptors, the hard limit allows \(granted) "
                + "(raise it with `ulimit -Hn` as root, or pass a smaller --idle / --slowloris / --stalled)")
        }
        Console.progress("bench hostile: RLIMIT_NOFILE soft limit \(granted) (\(needed) needed)")
    }
}

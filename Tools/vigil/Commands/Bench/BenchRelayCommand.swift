import Foundation
import Transport

/// `vigil bench relay`: the relay's envelope rate and delivery latency over loopback, durable queue
/// on and off, against Redis pub/sub driven by the same load generator in the same run.
struct BenchRelayCommand: Command {
    static let help = """
        USAGE: vigil bench relay [--pairs K] [--size BYTES] [--seconds S] [--window W]
                                 [--warmup S] [--rounds N] [--redis-server PATH | --no-redis]
                                 [--only durable,queue-off,redis] [--json]

        K sender/receiver pairs over loopback, each sender sending BYTES-byte envelopes to its
        receiver, which acknowledges them in batches. Every payload carries its send time on the
        monotonic clock; latency is the receiver's reading minus that (one clock, one process).
        The load generator runs on its own event-loop thread: K sender and K receiver connections,
        non-blocking, writes gathered per connection and turn.

        Systems, each measured in the same run:
          relay, durable     Vigil's relay in this process, SQLite queue on (group commit with
                             synchronous=FULL before any reply), fresh temporary data directory
          relay, queue off   the same with `durable: false` (no SQLite writes)
          redis pub/sub      `redis-server` (--save '' --appendonly no) on a free loopback port:
                             SUBSCRIBE on the receiver connections, PUBLISH on the sender ones

        Phases per system, each S seconds after a warm-up: saturating (every sender keeps W
        envelopes in flight from send to receipt; throughput = envelopes received per second),
        then paced at half of that system's own saturated rate (open loop, 1 ms ticks, pairs
        staggered) for p50/p99/max latency. With --rounds N the systems are measured N times in
        turn (each run from scratch) and each one's median run by saturated throughput is
        reported, which damps the noise of a shared machine. Targets: relay durable ≥ 0.5× and
        queue off ≥ 1× Redis's saturated throughput; relay p99 < 10 ms at half its peak rate.

        Peak RSS: the relay runs in this process, so its figure is this process's VmHWM (reset
        before each relay run), shown with its growth over the RSS just before that relay
        started (the load generator and what earlier runs left); Redis's is the server's VmHWM
        from /proc/PID/status.

        CPU per envelope: the CPU time (user + system, /proc) each thread spent in a measured
        window, divided by the envelopes delivered in it — relay loop, relay storage and relay
        checkpointer threads, the load generator, redis-server. Unlike throughput, this barely
        moves with other load on the machine, so it is the figure to compare between builds.
        Before the durable run, the disk's fdatasync latency after a 64 KiB rewrite is probed in
        the data directory's file system (40 samples): each relay commit waits for one.

        OPTIONS:
          --pairs K             sender/receiver pairs (default 16)
          --size BYTES          envelope payload bytes, 16…196608 (default 1024)
          --seconds S           measured seconds per phase (default 5)
          --window W            envelopes in flight per sender when saturating (default 64)
          --warmup S            unmeasured seconds before each phase (default 1)
          --rounds N            measure every system N times in turn; report medians (default 1)
          --redis-server PATH   the redis-server binary (default: the one on PATH; if there is
                                none, a note is printed and the reference run is skipped)
          --no-redis            skip the reference run
          --only LIST           measure only these systems (comma-separated: durable, queue-off,
                                redis), e.g. to profile one of them; ratios need redis
          --json                print the figures as one JSON object instead of a table
        """

    let pairs: Int
    let size: Int
    let seconds: Double
    let window: Int
    let warmup: Double
    let rounds: Int
    let redisServer: String?
    let skipRedis: Bool
    let systems: [BenchSystemKind]
    let json: Bool

    init(parsing arguments: inout Arguments) throws(CLIError) {
        pairs = try arguments.integer("--pairs", in: 1...4096) ?? 16
        size = try arguments.integer("--size", in: 16...WireFormat.maximumCiphertextLength) ?? 1024
        seconds = try arguments.double("--seconds") ?? 5
        window = try arguments.integer("--window", in: 1...100_000) ?? 64
        warmup = try arguments.double("--warmup") ?? 1
        rounds = try arguments.integer("--rounds", in: 1...20) ?? 1
        redisServer = try arguments.option("--redis-server")
        skipRedis = arguments.flag("--no-redis")
        if let list = try arguments.option("--only") {
            var chosen: [BenchSystemKind] = []
            for name in list.split(separator: ",") {
                guard let kind = BenchSystemKind(rawValue: String(name)) else {
                    throw CLIError("--only: unknown system '\(name)' (expected durable, queue-off or redis)")
                }
                if !chosen.contains(kind) { chosen.append(kind) }
            }
            systems = BenchSystemKind.allCases.filter(chosen.contains)
        } else {
            systems = BenchSystemKind.allCases
        }
        json = arguments.flag("--json")
        guard seconds > 0, seconds <= 600 else { throw CLIError("--seconds must be in (0, 600]") }
        guard warmup >= 0, warmup <= 60 else { throw CLIError("--warmup must be in [0, 60]") }
        if skipRedis, redisServer != nil { throw CLIError("--no-redis and --redis-server exclude each other") }
    }

    func run() throws {
        BenchClock.warnIfDebug()
        try RelayBenchWire.verify(payloadSize: size)
        let redisPath = try locateRedis()
        let scratch = try Self.makeScratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        _ = try? ResourceLimits.raiseOpenFiles(toAtLeast: 4 * pairs + 256)
        let load = try LoadThread.start()
        defer { load.stop() }
        let driver = PhaseDriver(load: load, pairs: pairs, payloadSize: size, window: window, warmup: warmup, seconds: seconds)

        var runs: [SystemResult] = []
        for round in 1...rounds {
            if rounds > 1 { Console.progress("round \(round) of \(rounds)") }
            let directory = scratch + "/round-\(round)"
            guard mkdir(directory, 0o700) == 0 else {
                throw CLIError("cannot create \(directory): \(String(cString: strerror(errno)))")
            }
            for kind in systems {
                switch kind {
                case .durable: runs.append(try measureRelay(durable: true, driver: driver, scratch: directory))
                case .queueOff: runs.append(try measureRelay(durable: false, driver: driver, scratch: directory))
                case .redis:
                    if let redisPath { runs.append(try measureRedis(executable: redisPath, driver: driver, scratch: scratch)) }
                }
            }
        }
        let report = BenchRelayReport(
            pairs: pairs, size: size, seconds: seconds, warmup: warmup, window: window, rounds: rounds, runs: runs)
        print(json ? report.json : report.table)
    }

    /// The redis-server to run, or nil (with a note) when there is none.
    private func locateRedis() throws(CLIError) -> String? {
        if skipRedis || !systems.contains(.redis) { return nil }
        if let redisServer {
            guard access(redisServer, X_OK) == 0 else { throw CLIError("--redis-server: \(redisServer) is not an executable") }
            return redisServer
        }
        guard let found = RedisServerProcess.find("redis-server") else {
            Console.progress("""
                note: redis-server not found on PATH, so the Redis pub/sub reference run is skipped and no \
                ratios are printed. Install it (Debian: apt-get install redis-server, or run \
                Benchmarks/run-relay-bench.sh) or pass --redis-server PATH.
                """)
            return nil
        }
        return found
    }

    /// One relay run: a fresh relay (durable or not) in this process on a fresh data directory.
    private func measureRelay(durable: Bool, driver: PhaseDriver, scratch: String) throws(CLIError) -> SystemResult {
        let name = durable ? "relay, durable" : "relay, queue off"
        Console.progress("\(name): starting")
        let disk = durable ? DiskProbe.fdatasyncMilliseconds(in: scratch) : nil
        ProcessMemory.resetPeak()
        let baseline = ProcessMemory.residentMiB()
        let directory = scratch + (durable ? "/relay-durable" : "/relay-queue-off")
        let relay: RelayHost
        do {
            relay = try RelayHost.start(RelayConfiguration(
                listenAddress: .loopbackIPv4(port: 0), dataDirectory: directory, tokenHasher: .sha256, durable: durable))
        } catch {
            throw CLIError("cannot start the relay: \(error)")
        }
        defer { relay.stop() }
        let phases = try driver.run(.relay(relay.address), name: name)
        let counters = relay.withServer { server in (server.statistics, server.commitStatistics) }
        relay.stop()
        var result = SystemResult(
            kind: durable ? .durable : .queueOff, name: name, phases: phases,
            peakRSSMiB: ProcessMemory.peakResidentMiB(), baselineRSSMiB: baseline)
        if let (statistics, commits) = counters {
            result.notes.append("accepted \(statistics.accepted), delivered \(statistics.deliveries), "
                + "acknowledged \(statistics.acknowledged); client sent \(phases.sent)")
            if durable, commits.transactions > 0 {
                result.notes.append(String(format: "%d commits, %.1f writes per commit", commits.transactions,
                                           Double(commits.writes) / Double(commits.transactions)))
            }
        }
        result.notes += BenchRelayReport.cpuNotes(phases)
        if let disk {
            result.diskSyncMilliseconds = disk
            result.notes.append(String(format: "disk: fdatasync after a 64 KiB rewrite, p50 %.2f ms, p90 %.2f ms "
                + "(40 samples in the data directory's file system, just before the run)", disk.p50, disk.p90))
        }
        return result
    }

    /// The reference run: redis-server as a child process.
    private func measureRedis(executable: String, driver: PhaseDriver, scratch: String) throws(CLIError) -> SystemResult {
        Console.progress("redis pub/sub: starting \(executable)")
        let server = try RedisServerProcess(executable: executable, directory: scratch)
        defer { server.stop() }
        let name = "redis pub/sub" + (server.version.flatMap { Self.redisVersionNumber($0) }.map { " \($0)" } ?? "")
        let phases = try driver.run(.redis(server.address), name: name, server: ("redis-server", server.pid))
        let peak = server.peakResidentMiB
        server.stop()
        var result = SystemResult(kind: .redis, name: name, phases: phases, peakRSSMiB: peak, baselineRSSMiB: nil)
        result.notes += BenchRelayReport.cpuNotes(phases)
        return result
    }

    /// "7.0.15" from "Redis server v=7.0.15 sha=…".
    private static func redisVersionNumber(_ line: String) -> String? {
        line.split(separator: " ").first(where: { $0.hasPrefix("v=") }).map { String($0.dropFirst(2)) }
    }

    /// A fresh directory under $TMPDIR (or /tmp), mode 0700.
    private static func makeScratchDirectory() throws(CLIError) -> String {
        let base = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
        var template = Array((base + "/vigil-bench-relay-XXXXXX").utf8CString)
        let created = template.withUnsafeMutableBufferPointer { buffer -> Bool in
            guard let base = buffer.baseAddress else { return false }
            return mkdtemp(base) != nil
        }
        guard created else { throw CLIError("cannot create a temporary directory in \(base): \(String(cString: strerror(errno)))") }
        return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

import CSystem
import Foundation
import Integrity
import Stats
import Transport

/// `vigil bench integrity`: the analyzer's per-event cost at scale — events/s on one core, bytes
/// per business, peak RSS, end to end from JSONL bytes — against the same
/// per-event updates done with Redis in the same run.
struct BenchIntegrityCommand: Command {
    static let help = """
        USAGE: vigil bench integrity [--events N] [--businesses N] [--users N] [--seed S] [--start MS]
                                     [--redis-events N] [--redis-pipeline N]
                                     [--redis-server PATH | --no-redis] [--lookahead N] [--grouping N]
                                     [--profile [--passes N]] [--json]

        Generates N synthetic events (default 10^7) over --businesses businesses (default 10^5,
        skewed: a few large, many small) and --users consumers (default 10^7), spread over 24 hours
        of event time: 50 % business messages, 25 % delivered, 12 % read, 10 % user messages,
        2 % blocks, 1 % reports, each business talking to its own audience. Events are generated
        before timing. Then, each on a fresh analyzer on this one thread:

          ingest        the events, pre-parsed, through IntegrityAnalyzer.ingest(contentsOf:)
                        (pseudonymization with SipHash-2-4, per-business tables and rings, the
                        global HLL, policy), in chunks of --grouping events (default 2097152;
                        at least 8192) built between the timed calls; events/s of wall time and
                        of the thread's CPU time (the latter is immune to other processes on a
                        shared machine), the kernel's percentage of that CPU time (first
                        touches of fresh memory: page faults and zeroing) and events per
                        user-CPU second, bytes per business, peak RSS (both include the
                        analyzer's batch buffers, ~52 bytes per --grouping event, and the
                        benchmark's own events);
          end to end    the same events as JSONL bytes (encoded in chunks of 2^20 lines before
                        timing), parsed by EventLineParser and ingested: lines/s;
          redis         the same per-event updates the way a team would do them with Redis —
                        PFADD biz:{b}:users:{day} {user}, INCR biz:{b}:{kind}:{hour}, EXPIRE —
                        pipelined against a local redis-server (--save '' --appendonly no), over the
                        same events (or the first --redis-events of them); events/s and the ratio
                        Vigil / Redis.

        redis-server comes from Debian: apt-get install -y redis-server. Without it the Redis
        column is skipped with a note.

        With ~10^5 businesses the replay is memory-bound (each event misses the cache and the TLB
        on its business's index slot, its state, a table's header and slot, the writer filter);
        ingest(contentsOf:) looks ahead over groups of events (--lookahead, default 32) so that
        their misses overlap, and applies a batch of events (--grouping, default 2097152) business
        by business, each business's events in their order: a state and its tables are read from
        memory once per batch, not once per event. The businesses' states are on transparent
        huge pages (MADV_HUGEPAGE) where the kernel grants them: /proc/vmstat's thp_fault_alloc.

        OPTIONS:
          --events N            events to replay (default 10000000)
          --businesses N        businesses (default 100000)
          --users N             consumers (default 10000000)
          --seed S              workload seed (default 1)
          --start MS            event time of the first event, ms since the Unix epoch (default
                                1701216000000, 2023-11-29, day 10 of a 30-day key epoch;
                                1702900800000 starts 12 hours before a key rotation, so that in
                                the second half of the day, the new key's grace period, every
                                event carries its user's previous pseudonym too)
          --redis-events N      replay only the first N events through Redis (default: all of
                                --events, as the ingest measure does; Redis slows as its HLLs grow)
          --redis-pipeline N    events per Redis round trip, 3 commands each (default 1000)
          --redis-server PATH   the redis-server binary (default: the one on PATH)
          --no-redis            skip the Redis run
          --lookahead N         events the analyzer looks ahead at (1…64; 1: none; default: its own)
          --grouping N          events the analyzer applies business by business at once
                                (1…4194304; 1: in arrival order; default: its own)
          --profile             run the ingest measure only (for perf, callgrind)
          --passes N            with --profile: replay the events N times into the same analyzer
                                (later passes: every business and user known, times late)
          --json                print the figures as one JSON object
        """

    let events: Int
    let businesses: Int
    let users: Int
    let seed: UInt64
    /// The first events replayed through Redis; nil: all of them.
    let redisEvents: Int?
    let redisPipeline: Int
    let redisServer: String?
    let skipRedis: Bool
    let profile: Bool
    let lookahead: Int?
    let grouping: Int?
    let passes: Int
    /// Event time of the first event (`--start`).
    let firstEventTime: Int64
    let json: Bool

    init(parsing arguments: inout Arguments) throws(CLIError) {
        events = try arguments.integer("--events", in: 1000...1_000_000_000) ?? 10_000_000
        businesses = try arguments.integer("--businesses", in: 1...10_000_000) ?? 100_000
        users = try arguments.integer("--users", in: 1000...1_000_000_000) ?? 10_000_000
        seed = UInt64(try arguments.integer("--seed", in: 0...Int.max) ?? 1)
        redisEvents = try arguments.integer("--redis-events", in: 1000...1_000_000_000)
        redisPipeline = try arguments.integer("--redis-pipeline", in: 1...100_000) ?? 1000
        redisServer = try arguments.option("--redis-server")
        skipRedis = arguments.flag("--no-redis")
        profile = arguments.flag("--profile")
        lookahead = try arguments.integer("--lookahead", in: 1...64)
        grouping = try arguments.integer("--grouping", in: 1...(1 << 22))
        passes = try arguments.integer("--passes", in: 1...100) ?? 1
        firstEventTime = Int64(try arguments.integer("--start", in: 0...4_102_444_800_000) ?? Int(IntegrityBenchWorkload.defaultStart))
        if passes > 1, !profile { throw CLIError("--passes needs --profile") }
        json = arguments.flag("--json")
        if skipRedis, redisServer != nil { throw CLIError("--no-redis and --redis-server exclude each other") }
    }

    func run() throws {
        BenchClock.warnIfDebug()
        let redis = profile ? nil : try locateRedis()
        Console.progress("generating \(events) events over \(businesses) businesses and \(users) users …")
        let workload = IntegrityBenchWorkload(events: events, businesses: businesses, users: users, seed: seed, start: firstEventTime)

        // Warm-up on a separate analyzer (page faults of the code paths, the allocator).
        let warm = try IntegrityAnalyzer(rules: Rules(), pseudonymizer: Pseudonymizer.ephemeral())
        configure(warm)
        workload.replay(0..<min(events, 200_000), into: warm)
        blackHole(warm.activeBusinessCount)

        var figures: [(String, Double)] = []
        try measureIngest(workload, into: &figures)
        if profile {
            printFigures(figures, note: "profile run: ingest only, \(passes) pass(es)")
            return
        }
        let vigilRate = figures.first { $0.0 == "events_per_second" }?.1 ?? 0
        let vigilCPURate = figures.first { $0.0 == "events_per_cpu_second" }?.1 ?? 0
        try measureEndToEnd(workload, into: &figures)
        figures.append(("parse_lines_per_second", workload.parserLinesPerSecond(count: min(events, 1_000_000))))
        var redisNote = "Redis: skipped"
        if let redis {
            let result = try measureRedis(workload, executable: redis)
            figures += [
                ("redis_events", Double(result.events)),
                ("redis_events_per_second", result.eventsPerSecond),
                ("redis_events_per_server_cpu_second", result.eventsPerServerCPUSecond ?? 0),
                ("redis_used_memory_bytes_per_business", Double(result.usedMemoryBytes ?? 0) / Double(max(1, businesses))),
                ("redis_peak_rss_mib", result.peakResidentMiB ?? 0),
                ("ratio_vigil_to_redis", vigilRate / result.eventsPerSecond),
                ("ratio_vigil_cpu_to_redis_cpu", vigilCPURate / (result.eventsPerServerCPUSecond ?? .nan)),
            ]
            redisNote = "Redis (\(result.version ?? "redis-server")): \(redisPipeline) events × 3 commands per round trip"
        }
        printFigures(figures, note: redisNote)
    }

    /// Applies the look-ahead and grouping options to `analyzer`.
    private func configure(_ analyzer: IntegrityAnalyzer) {
        if let lookahead { analyzer.lookahead = lookahead }
        if let grouping { analyzer.grouping = grouping }
    }

    private func printFigures(_ figures: [(String, Double)], note: String) {
        if json {
            var object = JSONObject()
            for (name, value) in figures { object.set(name, value) }
            print(object.text)
        } else {
            print("integrity analyzer, one thread, \(events) events / \(businesses) businesses / \(users) users")
            for (name, value) in figures {
                print("  " + name.padding(toLength: 38, withPad: " ", startingAt: 0) + String(format: "%16.2f", value))
            }
            print("  \(note)")
            print("  target: ≥ 2000000 events/s on one core, ≥ 10× Redis; ≤ 16384 bytes per business")
        }
    }

    /// The main run: all events, pre-parsed, on a fresh analyzer.
    private func measureIngest(_ workload: IntegrityBenchWorkload, into figures: inout [(String, Double)]) throws {
        let rssBefore = ProcessMemory.residentMiB() ?? 0
        ProcessMemory.resetPeak()
        let analyzer = try IntegrityAnalyzer(rules: Rules(), pseudonymizer: Pseudonymizer.ephemeral())
        configure(analyzer)
        Console.progress("ingest: replaying \(events) events …")
        var elapsed: UInt64 = 0
        var cpu: UInt64 = 0
        var system: UInt64 = 0
        for _ in 0..<passes {
            let spent = Self.timedReplay(workload, 0..<events, into: analyzer)
            elapsed += spent.wall
            cpu += spent.cpu
            system += spent.system
        }
        let rssAfter = ProcessMemory.residentMiB() ?? 0
        let peak = ProcessMemory.peakResidentMiB() ?? BenchClock.peakRSSMiB()

        let snapshotStart = BenchClock.now()
        let snapshot = analyzer.snapshot()
        let snapshotSeconds = Double(BenchClock.now() - snapshotStart) / 1e9
        let active = snapshot.filter { !$0.dormant }
        let accounted = active.map(\.memoryBytes)
        let meanBytes = accounted.isEmpty ? 0 : Double(accounted.reduce(0, +)) / Double(accounted.count)
        let applied = analyzer.statistics.events
        guard applied == events * passes else { throw CLIError("ingest: \(applied) of \(events * passes) events applied") }
        // Two clocks: the kernel's part comes from `getrusage`, which may round past the total.
        let user = cpu - min(system, cpu)
        figures += [
            ("events", Double(applied)),
            ("lookahead", Double(analyzer.lookahead)),
            ("grouping", Double(analyzer.grouping)),
            ("start", Double(firstEventTime)),
            ("events_per_second", Double(applied) / (Double(elapsed) / 1e9)),
            ("events_per_cpu_second", Double(applied) / (Double(cpu) / 1e9)),
            ("cpu_ns_per_event", Double(cpu) / Double(max(applied, 1))),
            // The kernel's part is mostly first touches of fresh memory (page faults and zeroing),
            // which vary between runs on a virtual machine; the user part is the analyzer's own
            // code (which varies too: the host's caches and memory are shared).
            ("kernel_cpu_percent", cpu == 0 ? 0 : 100 * Double(cpu - user) / Double(cpu)),
            ("events_per_user_cpu_second", user == 0 ? 0 : Double(applied) / (Double(user) / 1e9)),
            ("active_businesses", Double(active.count)),
            ("bytes_per_business_accounted_mean", meanBytes),
            ("bytes_per_business_accounted_max", Double(accounted.max() ?? 0)),
            ("bytes_per_business_rss", active.isEmpty ? 0 : (rssAfter - rssBefore) * 1_048_576 / Double(active.count)),
            ("peak_rss_mib", peak),
            ("snapshot_seconds", snapshotSeconds),
        ]
    }

    /// The fewest events per chunk of ``timedReplay(_:_:into:)``; a chunk holds one of the
    /// analyzer's batches (``IntegrityAnalyzer/grouping``, 2^21 events, ~80 MiB, by default).
    static let replayChunk = 8192

    /// Ingests events `range` through `ingest(contentsOf:)`, a chunk at a time; returns the wall
    /// and thread-CPU nanoseconds of the `ingest(contentsOf:)` calls alone, and the kernel's part
    /// of the CPU time. Turning the compact records into `IntegrityEvent`s is the benchmark's own
    /// work (a deployment's events come from the parser, which the end-to-end measure times), so
    /// each chunk is built before its call.
    static func timedReplay(
        _ workload: IntegrityBenchWorkload, _ range: Range<Int>, into analyzer: IntegrityAnalyzer
    ) -> (wall: UInt64, cpu: UInt64, system: UInt64) {
        let chunkSize = max(replayChunk, analyzer.grouping)
        var chunk: [IntegrityEvent] = []
        chunk.reserveCapacity(chunkSize)
        var wall: UInt64 = 0
        var cpu: UInt64 = 0
        var system: UInt64 = 0
        var chunkStart = range.lowerBound
        while chunkStart < range.upperBound {
            let chunkEnd = min(range.upperBound, chunkStart + chunkSize)
            chunk.removeAll(keepingCapacity: true)
            for index in chunkStart..<chunkEnd { chunk.append(workload.event(index)) }
            let start = BenchClock.now()
            let cpuStart = BenchClock.threadCPUNanoseconds()
            let systemStart = vigil_thread_system_nanoseconds()
            analyzer.ingest(contentsOf: chunk)
            system += vigil_thread_system_nanoseconds() &- systemStart
            cpu += BenchClock.threadCPUNanoseconds() - cpuStart
            wall += BenchClock.now() - start
            chunkStart = chunkEnd
        }
        return (wall, cpu, system)
    }

    /// All events as JSONL bytes, parsed and ingested on a fresh analyzer; only parsing and
    /// ingesting are timed (chunks of 2^20 lines are encoded between the timed parts).
    private func measureEndToEnd(_ workload: IntegrityBenchWorkload, into figures: inout [(String, Double)]) throws {
        let analyzer = try IntegrityAnalyzer(rules: Rules(), pseudonymizer: Pseudonymizer.ephemeral())
        configure(analyzer)
        Console.progress("end to end: parsing and ingesting \(events) JSONL lines …")
        let parser = EventLineParser()
        var lines = IntegrityBenchWorkload.Lines()
        let groupSize = max(1024, analyzer.grouping)
        var group: [IntegrityEvent] = []
        group.reserveCapacity(groupSize)
        var elapsed: UInt64 = 0
        var cpu: UInt64 = 0
        var malformed = 0
        var chunkStart = 0
        while chunkStart < events {
            let chunk = chunkStart..<min(events, chunkStart + (1 << 20))
            workload.encode(chunk, into: &lines)
            if chunkStart == 0 { try workload.checkParser(parser, on: lines, first: chunk.lowerBound) }
            let start = BenchClock.now()
            let cpuStart = BenchClock.threadCPUNanoseconds()
            lines.bytes.withUnsafeBytes { raw in
                var lineStart = 0
                for (number, end) in lines.ends.enumerated() {
                    let line = UnsafeRawBufferPointer(rebasing: raw[lineStart..<end])
                    if let event = try? parser.parse(line, lineNumber: chunk.lowerBound + number + 1) {
                        group.append(event)
                        if group.count == groupSize {
                            analyzer.ingest(contentsOf: group)
                            group.removeAll(keepingCapacity: true)
                        }
                    } else {
                        malformed += 1
                    }
                    lineStart = end + 1
                }
            }
            cpu += BenchClock.threadCPUNanoseconds() - cpuStart
            elapsed += BenchClock.now() - start
            chunkStart = chunk.upperBound
        }
        // A group spans encoded chunks (it holds one of the analyzer's batches, up to 2^21
        // events): the rest is ingested last.
        let start = BenchClock.now()
        let cpuStart = BenchClock.threadCPUNanoseconds()
        analyzer.ingest(contentsOf: group)
        cpu += BenchClock.threadCPUNanoseconds() - cpuStart
        elapsed += BenchClock.now() - start
        guard malformed == 0, analyzer.statistics.events == events else {
            throw CLIError("end to end: \(malformed) malformed lines, \(analyzer.statistics.events) of \(events) events applied")
        }
        figures += [
            ("end_to_end_lines_per_second", Double(events) / (Double(elapsed) / 1e9)),
            ("end_to_end_lines_per_cpu_second", Double(events) / (Double(cpu) / 1e9)),
        ]
    }

    /// The Redis peer over the same events as the ingest measure (the first `redisEvents` if set).
    private func measureRedis(_ workload: IntegrityBenchWorkload, executable: String) throws -> IntegrityRedisPeer.Result {
        let count = min(events, redisEvents ?? events)
        Console.progress("redis: \(count) events, \(redisPipeline) per round trip …")
        let directory = try RedisServerProcess.makeScratchDirectory(prefix: "vigil-bench-integrity")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let peer = IntegrityRedisPeer(executable: executable, eventsPerRoundTrip: redisPipeline)
        return try peer.run(workload.redisEvents(0..<count), directory: directory)
    }

    /// The redis-server to run, or nil (with a note) when there is none or it was not wanted.
    private func locateRedis() throws(CLIError) -> String? {
        if skipRedis { return nil }
        if let redisServer {
            guard access(redisServer, X_OK) == 0 else { throw CLIError("--redis-server: \(redisServer) is not an executable") }
            return redisServer
        }
        guard let found = RedisServerProcess.find("redis-server") else {
            Console.progress("""
                note: redis-server not found on PATH, so the Redis column is skipped (everything else runs). \
                Install it with: apt-get install -y redis-server (Debian), or pass --redis-server PATH.
                """)
            return nil
        }
        return found
    }

}

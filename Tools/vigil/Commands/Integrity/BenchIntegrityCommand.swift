import Foundation
import Integrity
import Stats
import Transport

/// `vigil bench integrity`: the analyzer's per-event cost at scale — events/s on one core, bytes
/// per business, peak RSS — plus the hand-written line parser's throughput.
struct BenchIntegrityCommand: Command {
    static let help = """
        USAGE: vigil bench integrity [--events N] [--businesses N] [--users N] [--seed S] [--json]

        Generates N synthetic events (default 10^7) over --businesses businesses (default 10^5,
        skewed: a few large, many small) and --users consumers (default 10^7), spread over 24 hours
        of event time: 50 % business messages, 25 % delivered, 12 % read, 10 % user messages,
        2 % blocks, 1 % reports, each business talking to its own audience. Events are generated
        before timing; the timed run replays them through a fresh analyzer on one thread (wall time
        and the thread's CPU time are both reported: the latter is immune to other processes)
        (pseudonymization with SipHash-2-4, per-business tables, the global HLL, policy). Then:
        bytes per business (the analyzer's own accounting, and RSS growth / businesses), peak RSS,
        the signals snapshot time, and the JSONL parser's lines/s over 10^6 encoded lines.
        The Redis comparison (PFADD + INCR + EXPIRE, pipelined) is not part of this run yet.

        The replay is memory-bound (each event misses the cache on its business's index slot, its
        state, a table slot and the writer filter): with ~10^5 businesses, transparent huge pages
        for the heap (GLIBC_TUNABLES=glibc.malloc.hugetlb=1) cut the time per event by about a
        quarter on the development machine.

        OPTIONS:
          --events N       events to replay (default 10000000)
          --businesses N   businesses (default 100000)
          --users N        consumers (default 10000000)
          --seed S         workload seed (default 1)
          --json           print the figures as one JSON object
        """

    let events: Int
    let businesses: Int
    let users: Int
    let seed: UInt64
    let json: Bool

    init(parsing arguments: inout Arguments) throws(CLIError) {
        events = try arguments.integer("--events", in: 1000...1_000_000_000) ?? 10_000_000
        businesses = try arguments.integer("--businesses", in: 1...10_000_000) ?? 100_000
        users = try arguments.integer("--users", in: 1000...1_000_000_000) ?? 10_000_000
        seed = UInt64(try arguments.integer("--seed", in: 0...Int.max) ?? 1)
        json = arguments.flag("--json")
    }

    /// One pre-generated event (16 bytes).
    struct Record {
        var user: PhoneNumber
        var business: UInt32
        var delta: UInt16
        var kind: UInt8
    }

    func run() throws {
        BenchClock.warnIfDebug()
        Console.progress("generating \(events) events over \(businesses) businesses and \(users) users …")
        let numbers = (0..<businesses).map { PhoneNumber(digits: 14_150_000_000 + UInt64($0))! }
        let records = makeRecords()
        let t0: Int64 = 1_701_216_000_000

        // Warm-up on a separate analyzer (page faults of the code paths, the allocator).
        let warm = try IntegrityAnalyzer(rules: Rules(), pseudonymizer: Pseudonymizer.ephemeral())
        replay(records.prefix(min(records.count, 200_000)), numbers: numbers, start: t0, into: warm)
        blackHole(warm.activeBusinessCount)

        let rssBefore = ProcessMemory.residentMiB() ?? 0
        ProcessMemory.resetPeak()
        let analyzer = try IntegrityAnalyzer(rules: Rules(), pseudonymizer: Pseudonymizer.ephemeral())
        Console.progress("replaying …")
        let start = BenchClock.now()
        let cpuStart = Self.threadCPUNanoseconds()
        replay(records[...], numbers: numbers, start: t0, into: analyzer)
        let elapsed = BenchClock.now() - start
        let cpu = Self.threadCPUNanoseconds() - cpuStart
        let rssAfter = ProcessMemory.residentMiB() ?? 0
        let peak = ProcessMemory.peakResidentMiB() ?? BenchClock.peakRSSMiB()

        let snapshotStart = BenchClock.now()
        let snapshot = analyzer.snapshot()
        let snapshotSeconds = Double(BenchClock.now() - snapshotStart) / 1e9
        let active = snapshot.filter { !$0.dormant }
        let accounted = active.map(\.memoryBytes)
        let meanBytes = accounted.isEmpty ? 0 : Double(accounted.reduce(0, +)) / Double(accounted.count)
        let maxBytes = accounted.max() ?? 0
        let rssPerBusiness = active.isEmpty ? 0 : (rssAfter - rssBefore) * 1_048_576 / Double(active.count)
        let eventsPerSecond = Double(analyzer.statistics.events) / (Double(elapsed) / 1e9)
        let eventsPerCPUSecond = Double(analyzer.statistics.events) / (Double(cpu) / 1e9)
        let parse = measureParser(numbers: numbers, records: records.prefix(1_000_000), start: t0)

        let figures: [(String, Double)] = [
            ("events", Double(analyzer.statistics.events)),
            ("events_per_second", eventsPerSecond),
            ("events_per_cpu_second", eventsPerCPUSecond),
            ("cpu_ns_per_event", Double(cpu) / Double(max(analyzer.statistics.events, 1))),
            ("active_businesses", Double(active.count)),
            ("bytes_per_business_accounted_mean", meanBytes),
            ("bytes_per_business_accounted_max", Double(maxBytes)),
            ("bytes_per_business_rss", rssPerBusiness),
            ("peak_rss_mib", peak),
            ("snapshot_seconds", snapshotSeconds),
            ("parse_lines_per_second", parse),
        ]
        if json {
            var object = JSONObject()
            for (name, value) in figures { object.set(name, value) }
            print(object.text)
        } else {
            print("integrity analyzer, one thread, \(events) events / \(businesses) businesses / \(users) users")
            for (name, value) in figures {
                print("  " + name.padding(toLength: 36, withPad: " ", startingAt: 0) + String(format: "%16.1f", value))
            }
            print("  target: ≥ 2000000 events/s; ≤ 16384 bytes per business; Redis comparison: not run")
        }
    }

    /// CPU time of the calling thread (immune to other processes on a shared machine).
    static func threadCPUNanoseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    /// Skewed businesses, each with its own audience of users; kinds by the documented mix.
    private func makeRecords() -> [Record] {
        var random = SplitMix64(seed: seed)
        var records: [Record] = []
        records.reserveCapacity(events)
        let spanMilliseconds = 86_400_000.0
        let meanDelta = spanMilliseconds / Double(events)
        let audience = UInt64(max(1, min(2000, users / 10)))
        for _ in 0..<events {
            let u = Double(random.next() >> 11) / Double(1 << 53)
            let business = UInt64(Double(businesses) * u * u)
            let member = random.next() % audience
            let userIndex = (business &* 100 &+ member &* 99_991) % UInt64(users)
            let roll = random.next() % 100
            let kind: UInt8 = roll < 50 ? 0 : roll < 75 ? 1 : roll < 87 ? 2 : roll < 97 ? 3 : roll < 99 ? 4 : 5
            let delta = UInt16(min(Double(UInt16.max), (Double(random.next() % 2000) / 1000) * meanDelta))
            records.append(Record(user: PhoneNumber(digits: 447_000_000_000 + userIndex)!, business: UInt32(business),
                                  delta: delta, kind: kind))
        }
        return records
    }

    private static let reasons: [BlockReason] = [.spam, .didntSignUp, .noLongerNeeded, .noReason, .offensive]

    @inline(__always)
    private static func event(_ record: Record, business: PhoneNumber, time: Int64) -> IntegrityEvent {
        let kind: IntegrityEvent.Kind = switch record.kind {
        case 0: .message(.businessToUser, bytes: 512, category: .marketing)
        case 1: .delivered
        case 2: .read
        case 3: .message(.userToBusiness, bytes: 128, category: nil)
        case 4: .block(reasons[Int(record.user.digits % 5)])
        default: .report(.spam)
        }
        return IntegrityEvent(time: time, business: business, user: record.user, kind: kind)
    }

    private func replay(_ records: ArraySlice<Record>, numbers: [PhoneNumber], start: Int64, into analyzer: IntegrityAnalyzer) {
        var time = start
        for record in records {
            time += Int64(record.delta)
            analyzer.ingest(Self.event(record, business: numbers[Int(record.business)], time: time))
        }
    }

    /// Lines per second of `EventLineParser` over the records encoded as JSONL.
    private func measureParser(numbers: [PhoneNumber], records: ArraySlice<Record>, start: Int64) -> Double {
        var buffer: [UInt8] = []
        var ends: [Int] = []
        var time = start
        for record in records {
            time += Int64(record.delta)
            buffer.append(contentsOf: Self.event(record, business: numbers[Int(record.business)], time: time).jsonLine.utf8)
            ends.append(buffer.count)
        }
        let parser = EventLineParser()
        var parsed = 0
        let nanoseconds = BenchClock.best(of: 3) {
            parsed = 0
            buffer.withUnsafeBytes { raw in
                var lineStart = 0
                for (number, end) in ends.enumerated() {
                    if (try? parser.parse(UnsafeRawBufferPointer(rebasing: raw[lineStart..<end]), lineNumber: number + 1)) != nil {
                        parsed += 1
                    }
                    lineStart = end
                }
            }
        }
        blackHole(parsed)
        return Double(ends.count) / (Double(nanoseconds) / 1e9)
    }
}

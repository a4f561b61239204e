import Integrity
import Stats
import Transport

/// The synthetic workload of `vigil bench integrity`: compact pre-generated events (16 bytes
/// each), turned into analyzer events, JSONL lines or Redis commands on demand.
struct IntegrityBenchWorkload {
    /// One pre-generated event.
    struct Record {
        var user: PhoneNumber
        var business: UInt32
        /// Milliseconds since the previous event.
        var delta: UInt16
        /// 0 b2u message, 1 delivered, 2 read, 3 u2b message, 4 block, 5 report.
        var kind: UInt8
    }

    /// JSONL lines in one buffer, with each line's end (the index of its newline).
    struct Lines {
        var bytes: [UInt8] = []
        var ends: [Int] = []
    }

    /// Event time of the first event by default: 2023-11-29T00:00Z, day 10 of a 30-day key epoch.
    static let defaultStart: Int64 = 1_701_216_000_000
    private static let reasons: [BlockReason] = [.spam, .didntSignUp, .noLongerNeeded, .noReason, .offensive]

    let numbers: [PhoneNumber]
    let records: [Record]
    /// The time of each event, by index (prefix sums of the deltas).
    let times: [Int64]

    /// Skewed businesses (the index is `businesses · u²`), each with its own audience of users;
    /// kinds by the documented mix.
    init(events: Int, businesses: Int, users: Int, seed: UInt64, start: Int64 = defaultStart) {
        numbers = (0..<businesses).map { PhoneNumber(digits: 14_150_000_000 + UInt64($0))! }
        var random = SplitMix64(seed: seed)
        var records: [Record] = []
        records.reserveCapacity(events)
        var times: [Int64] = []
        times.reserveCapacity(events)
        let meanDelta = 86_400_000.0 / Double(events)
        let audience = UInt64(max(1, min(2000, users / 10)))
        var time = start
        for _ in 0..<events {
            let u = Double(random.next() >> 11) / Double(1 << 53)
            let business = UInt64(Double(businesses) * u * u)
            let member = random.next() % audience
            let userIndex = (business &* 100 &+ member &* 99_991) % UInt64(users)
            let roll = random.next() % 100
            let kind: UInt8 = roll < 50 ? 0 : roll < 75 ? 1 : roll < 87 ? 2 : roll < 97 ? 3 : roll < 99 ? 4 : 5
            let delta = UInt16(min(Double(UInt16.max), (Double(random.next() % 2000) / 1000) * meanDelta))
            time += Int64(delta)
            records.append(Record(user: PhoneNumber(digits: 447_000_000_000 + userIndex)!, business: UInt32(business),
                                  delta: delta, kind: kind))
            times.append(time)
        }
        self.records = records
        self.times = times
    }

    /// Event `index` as the analyzer takes it.
    @inline(__always)
    func event(_ index: Int) -> IntegrityEvent {
        let record = records[index]
        let kind: IntegrityEvent.Kind = switch record.kind {
        case 0: .message(.businessToUser, bytes: 512, category: .marketing)
        case 1: .delivered
        case 2: .read
        case 3: .message(.userToBusiness, bytes: 128, category: nil)
        case 4: .block(Self.reasons[Int(record.user.digits % 5)])
        default: .report(.spam)
        }
        return IntegrityEvent(time: times[index], business: numbers[Int(record.business)], user: record.user, kind: kind)
    }

    /// Ingests events `range` in groups of 1024 through `ingest(contentsOf:)`.
    func replay(_ range: Range<Int>, into analyzer: IntegrityAnalyzer) {
        var group: [IntegrityEvent] = []
        group.reserveCapacity(1024)
        for index in range {
            group.append(event(index))
            if group.count == 1024 {
                analyzer.ingest(contentsOf: group)
                group.removeAll(keepingCapacity: true)
            }
        }
        analyzer.ingest(contentsOf: group)
    }

    /// Encodes events `range` as JSONL into `lines` (replacing what it held).
    func encode(_ range: Range<Int>, into lines: inout Lines) {
        lines.bytes.removeAll(keepingCapacity: true)
        lines.ends.removeAll(keepingCapacity: true)
        for index in range {
            let record = records[index]
            lines.bytes += Self.timePrefix
            IntegrityRedisPeer.appendDecimal(UInt64(times[index]), to: &lines.bytes)
            lines.bytes += Self.kindParts[Int(record.kind)]
            lines.bytes.append(UInt8(ascii: "+"))
            IntegrityRedisPeer.appendDecimal(numbers[Int(record.business)].digits, to: &lines.bytes)
            lines.bytes += Self.userPart
            IntegrityRedisPeer.appendDecimal(record.user.digits, to: &lines.bytes)
            lines.bytes += record.kind == 4 ? Self.blockSuffixes[Int(record.user.digits % 5)] : Self.suffixes[Int(record.kind)]
            lines.ends.append(lines.bytes.count)
            lines.bytes.append(10)
        }
    }

    /// Checks that the first lines of `lines` parse back to the events they encode.
    func checkParser(_ parser: EventLineParser, on lines: Lines, first: Int) throws(CLIError) {
        let mismatch: (Int, String)? = lines.bytes.withUnsafeBytes { raw in
            var lineStart = 0
            for (number, end) in lines.ends.prefix(1000).enumerated() {
                let parsed = try? parser.parse(UnsafeRawBufferPointer(rebasing: raw[lineStart..<end]), lineNumber: number + 1)
                if parsed != event(first + number) { return (number + 1, String(decoding: raw[lineStart..<end], as: UTF8.self)) }
                lineStart = end + 1
            }
            return nil
        }
        if let (line, text) = mismatch {
            throw CLIError("end to end: line \(line) does not parse back to its event: \(text)")
        }
    }

    /// Lines per second of `EventLineParser` alone over the first `count` events as JSONL.
    func parserLinesPerSecond(count: Int) -> Double {
        var lines = Lines()
        encode(0..<count, into: &lines)
        let parser = EventLineParser()
        var parsed = 0
        let nanoseconds = BenchClock.best(of: 3) {
            parsed = 0
            lines.bytes.withUnsafeBytes { raw in
                var lineStart = 0
                for (number, end) in lines.ends.enumerated() {
                    if (try? parser.parse(UnsafeRawBufferPointer(rebasing: raw[lineStart..<end]), lineNumber: number + 1)) != nil {
                        parsed += 1
                    }
                    lineStart = end + 1
                }
            }
        }
        blackHole(parsed)
        return Double(lines.ends.count) / (Double(nanoseconds) / 1e9)
    }

    /// Events `range` as the Redis peer takes them.
    func redisEvents(_ range: Range<Int>) -> [IntegrityRedisPeer.Event] {
        range.map { index in
            let record = records[index]
            return IntegrityRedisPeer.Event(business: numbers[Int(record.business)].digits, user: record.user.digits,
                                            time: times[index], kind: record.kind)
        }
    }

    private static let timePrefix = Array(#"{"t":"#.utf8)
    private static let userPart = Array(#"","user":"+"#.utf8)
    private static let kindParts = ["message", "delivered", "read", "message", "block", "report"].map {
        Array(#","kind":"\#($0)","business":""#.utf8)
    }
    private static let suffixes = [
        #"","dir":"b2u","bytes":512,"category":"marketing"}"#, #""}"#, #""}"#, #"","dir":"u2b","bytes":128}"#,
        "", #"","reason":"spam"}"#,
    ].map { Array($0.utf8) }
    private static let blockSuffixes = reasons.map { Array(#"","reason":"\#($0)"}"#.utf8) }
}

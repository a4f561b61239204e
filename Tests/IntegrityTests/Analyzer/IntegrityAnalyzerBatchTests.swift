import Foundation
@testable import Integrity
import Stats
import Testing
import Transport

/// `ingest(contentsOf:)` (pseudonymize a group, look ahead at it, apply it) must leave exactly the
/// state that `ingest(_:)` one event at a time leaves: same signals, statistics and policy changes.
@Suite struct IntegrityAnalyzerBatchTests {
    typealias F = Fixture

    /// A seeded mix over 40 businesses and 300 users across 50 days: a key rotation and its grace
    /// period, idle evictions and wake-ups, late events, events out of range, every kind.
    static func workload(seed: UInt64, count: Int) -> [IntegrityEvent] {
        var random = SplitMix64(seed: seed)
        let businesses = (0..<40).map { PhoneNumber(digits: 14_155_550_000 + UInt64($0))! }
        var time = F.t0
        var events: [IntegrityEvent] = []
        for index in 0..<count {
            // Mostly seconds apart, sometimes a jump of days (evictions), sometimes late.
            let roll = random.next() % 1000
            time += roll < 3 ? 9 * F.day : Int64(random.next() % 20_000)
            let business = businesses[Int(random.next() % (index < count / 2 ? 40 : 12))]
            let user = F.user(Int(random.next() % 300))
            let at = roll == 999 ? -1 : roll > 990 ? time - F.hour : time
            events.append(Self.event(&random, at: at, user: user, business: business))
        }
        return events
    }

    /// An event of a random kind: 40 % business messages (a quarter of them `service`), 25 %
    /// deliveries, 10 % reads, 15 % user messages, 5 % blocks, 5 % reports.
    static func event(_ random: inout SplitMix64, at time: Int64, user: PhoneNumber, business: PhoneNumber) -> IntegrityEvent {
        switch random.next() % 20 {
        case 0..<8: F.b2u(time, user, category: random.next() % 4 == 0 ? .service : .marketing, business: business)
        case 8..<13: F.delivered(time, user, business: business)
        case 13..<15: F.read(time, user, business: business)
        case 15..<18: F.u2b(time, user, business: business)
        case 18: F.block(time, user, .spam, business: business)
        default: F.report(time, user, .spam, business: business)
        }
    }

    @Test(arguments: [1, 2, 7, 32, 64])
    func groupedIngestEqualsOneByOne(lookahead: Int) {
        for seed in UInt64(1)...3 {
            let events = Self.workload(seed: seed, count: 12_000)
            let single = F.analyzer()
            var singleApplied = 0
            for event in events where single.ingest(event) != nil { singleApplied += 1 }

            let grouped = F.analyzer()
            grouped.lookahead = lookahead
            var random = SplitMix64(seed: seed)
            var start = 0
            var groupedApplied = 0
            while start < events.count {
                let end = min(events.count, start + 1 + Int(random.next() % 200))
                groupedApplied += grouped.ingest(contentsOf: events[start..<end])
                start = end
            }
            #expect(grouped.lookahead == lookahead, "seed \(seed)")
            #expect(groupedApplied == singleApplied, "seed \(seed)")
            #expect(grouped.statistics.outOfRange > 0 && grouped.core.evictions > 0, "seed \(seed): the workload covers drops and evictions")
            Self.expectSameEnd(grouped, as: single, changes: single.drainPolicyChanges(), "seed \(seed)")
        }
    }

    /// Batches applied business by business (`grouping`) leave what arrival order leaves: the same
    /// signals, statistics, policy changes in the same order, evictions, and the same positions
    /// (businesses are entered in arrival order). Slices up to 5 000 events and the whole
    /// workload in one call, so that batches span evictions (a sweep ends a batch).
    @Test(arguments: [1, 2, 64, 4096, 1 << 20], [1, 32])
    func groupedBatchesEqualArrivalOrder(grouping: Int, lookahead: Int) {
        for seed in UInt64(4)...5 {
            let events = Self.workload(seed: seed, count: 12_000)
            let single = F.analyzer()
            for event in events { single.ingest(event) }
            let singleChanges = single.drainPolicyChanges()

            for wholeCall in [false, true] {
                let grouped = F.analyzer()
                grouped.grouping = grouping
                grouped.lookahead = lookahead
                var random = SplitMix64(seed: seed)
                var start = 0
                while start < events.count {
                    let end = wholeCall ? events.count : min(events.count, start + 1 + Int(random.next() % 5000))
                    grouped.ingest(contentsOf: events[start..<end])
                    start = end
                }
                let label = "seed \(seed), whole \(wholeCall)"
                #expect(grouped.core.evictions == single.core.evictions && single.core.evictions > 0, "\(label)")
                #expect(singleChanges.count > 10, "\(label): the workload changes policies")
                Self.expectSameEnd(grouped, as: single, changes: singleChanges, label)
            }
        }
    }

    /// One large batch within a day (no sweep ends it), over more than 2 048 businesses (two
    /// radix passes), with busy businesses whose policies change while quiet ones arrive:
    /// batches flushed by size (`grouping` 5 000) and one batch for the whole slice.
    @Test(arguments: [5000, 1 << 20])
    func aLargeBatchOverManyBusinessesEqualsArrivalOrder(grouping: Int) {
        var random = SplitMix64(seed: 11)
        let quiet = (0..<3000).map { PhoneNumber(digits: 14_155_560_000 + UInt64($0))! }
        let busy = (0..<20).map { PhoneNumber(digits: 14_155_550_000 + UInt64($0))! }
        var time = F.t0
        var events: [IntegrityEvent] = []
        for _ in 0..<40_000 {
            time += Int64(random.next() % 1500)
            let business = random.next() % 2 == 0 ? busy[Int(random.next() % 20)] : quiet[Int(random.next() % 3000)]
            let user = F.user(Int(random.next() % 200))
            events.append(Self.event(&random, at: time, user: user, business: business))
        }
        let single = F.analyzer()
        for event in events { single.ingest(event) }
        let grouped = F.analyzer()
        grouped.grouping = grouping
        #expect(grouped.ingest(contentsOf: events) == events.count)
        #expect(grouped.activeBusinessCount > 2048)
        let singleChanges = single.drainPolicyChanges()
        #expect(singleChanges.count > 20, "the busy businesses' policies change")
        Self.expectSameEnd(grouped, as: single, changes: singleChanges, "grouping \(grouping)")
    }

    /// Key epochs of ten minutes with a grace of three (50 minutes of events), and of 25 hours
    /// with a grace of six (45 hours: the daily sweeps and the rotations end batches at different
    /// moments): a batch meets rotations, events in a grace period carry a previous pseudonym
    /// (kept aside by the batch), and late events fall in the epoch before the one of the events
    /// around them. A batch keeps one epoch for all its events, so an event of another ends it;
    /// the result is that of arrival order.
    @Test(arguments: [(600_000, 180_000, 300), (90_000_000, 21_600_000, 16_000)], [64, 1 << 20])
    func batchesAcrossKeyRotationsEqualArrivalOrder(keys: (rotation: Int64, grace: Int64, step: UInt64), grouping: Int) throws {
        let schedule = try KeySchedule(rotationMilliseconds: keys.rotation, graceMilliseconds: keys.grace)
        var random = SplitMix64(seed: 21)
        let businesses = (0..<30).map { PhoneNumber(digits: 14_155_550_000 + UInt64($0))! }
        var time = F.t0
        var events: [IntegrityEvent] = []
        for _ in 0..<20_000 {
            time += Int64(random.next() % keys.step)
            let late = random.next() % 50 == 0
            let business = businesses[Int(random.next() % 30)]
            events.append(Self.event(&random, at: late ? time - 90_000 : time, user: F.user(Int(random.next() % 150)), business: business))
        }
        let epochs = events.map { schedule.epoch(at: $0.time) }
        let epochChanges = zip(epochs, epochs.dropFirst()).filter { $0 != $1 }.count
        // Each rotation changes the epoch once; a late event across one changes it twice more.
        let rotations = Set(epochs).count - 1
        #expect(rotations >= 2, "rotations")
        if schedule.rotationMilliseconds < 3_600_000 { #expect(epochChanges > 3 * rotations, "late events across rotations") }
        #expect(events.filter { schedule.isInGrace(at: $0.time) }.count > 2000, "events in grace periods")

        let single = try IntegrityAnalyzer(rules: Rules(), pseudonymizer: F.pseudonymizer(schedule: schedule))
        var singleApplied = 0
        for event in events where single.ingest(event) != nil { singleApplied += 1 }
        let grouped = try IntegrityAnalyzer(rules: Rules(), pseudonymizer: F.pseudonymizer(schedule: schedule))
        grouped.grouping = grouping
        // A few late events fall before a destroyed key and are dropped, the same ones both ways.
        #expect(grouped.ingest(contentsOf: events) == singleApplied && singleApplied > events.count - 100)
        Self.expectSameEnd(grouped, as: single, changes: single.drainPolicyChanges(), "\(keys), grouping \(grouping)")
    }

    /// A file replay groups its events (up to `grouping`, and between progress reports) and
    /// ends where ingesting the valid lines one by one ends; malformed lines are reported with
    /// their numbers.
    @Test(arguments: [100, 1 << 20])
    func aReplayGroupsItsEventsAndEqualsOneByOne(interval: Int) throws {
        // Negative times (the workload's out-of-range events) are malformed lines in a file.
        let events = Self.workload(seed: 6, count: 6007).filter { $0.time >= 0 }
        try #require(events.count == 6000)
        var lines = events.map(\.jsonLine)
        lines.insert("{not json", at: 2500)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-batch-\(UUID().uuidString).jsonl").path
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }

        let single = F.analyzer()
        var singleApplied = 0
        for event in events where single.ingest(event) != nil { singleApplied += 1 }
        let replayed = F.analyzer()
        var malformedLines: [Int] = []
        var reports = 0
        let progress = try replayed.replay(EventStreamReader(path: path), interval: interval,
                                           malformed: { malformedLines.append($0.line) }, progress: { _ in reports += 1 })
        #expect(malformedLines == [2501])
        #expect(progress.lines == 6001 && progress.malformed == 1)
        #expect(progress.events == singleApplied && progress.events + progress.dropped == events.count)
        #expect(reports == 6001 / interval + 1)
        Self.expectSameEnd(replayed, as: single, changes: single.drainPolicyChanges(), "interval \(interval)")
    }

    /// The business order is a stable sort by position, in one radix pass or several.
    @Test(arguments: [1, 2, 2048, 2049, 5_000_000])
    func businessOrderIsAStableSortByPosition(limit: Int) {
        var random = SplitMix64(seed: UInt64(limit))
        var order = BusinessOrder()
        for count in [0, 1, 7, 3000, 100] {
            let positions = (0..<count).map { _ in UInt32(random.next() % UInt64(limit)) }
            let expected = positions.indices.sorted { (positions[$0], $0) < (positions[$1], $1) }
                .map { UInt64(positions[$0]) << 32 | UInt64($0) }
            let sorted = positions.withUnsafeBufferPointer { positions in
                order.withOrder(of: positions, below: limit) { Array($0) }
            }
            #expect(sorted == expected, "limit \(limit), \(count) positions")
        }
    }

    @Test func groupingIsClampedToItsRange() {
        let analyzer = F.analyzer()
        #expect(analyzer.grouping == 1 << 21)
        analyzer.grouping = 0
        #expect(analyzer.grouping == 1)
        analyzer.grouping = 1 << 30
        #expect(analyzer.grouping == 1 << 22)
    }

    /// `analyzer` ended where `single` (one event at a time) ended: statistics, the policy changes
    /// `single` made (`changes`, drained from it) in the same order, the businesses' positions, and
    /// the signals.
    static func expectSameEnd(
        _ analyzer: IntegrityAnalyzer, as single: IntegrityAnalyzer, changes: [PolicyChange], _ label: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(analyzer.statistics == single.statistics, "\(label)", sourceLocation: sourceLocation)
        #expect(analyzer.drainPolicyChanges() == changes, "\(label)", sourceLocation: sourceLocation)
        #expect(analyzer.initiatedVolumes().map(\.business) == single.initiatedVolumes().map(\.business),
                "\(label): positions", sourceLocation: sourceLocation)
        #expect(comparable(analyzer.snapshot()) == comparable(single.snapshot()), "\(label)", sourceLocation: sourceLocation)
    }

    /// Signals without `memoryBytes`: it counts array capacities, which depend on which chunks
    /// malloc hands out, not on the events.
    static func comparable(_ signals: [BusinessSignals]) -> [BusinessSignals] {
        signals.map { signal in
            var copy = signal
            copy.memoryBytes = 0
            return copy
        }
    }

    @Test func lookaheadIsClampedToItsRange() {
        let analyzer = F.analyzer()
        #expect(analyzer.lookahead == 32)
        analyzer.lookahead = 0
        #expect(analyzer.lookahead == 1)
        analyzer.lookahead = 1000
        #expect(analyzer.lookahead == IntegrityCore.lookaheadLimit)
    }

    @Test func warmingReadsButNeverChangesTheCore() {
        let analyzer = F.analyzer()
        let events = Self.workload(seed: 9, count: 3000)
        analyzer.ingest(contentsOf: events)
        var dumpedBefore = ""
        dump(analyzer.core, to: &dumpedBefore)
        // The latest events' businesses are all active: every stage of the look-ahead runs.
        let next = events.suffix(64).compactMap { analyzer.pseudonymize($0) }
        let mix = next.withUnsafeBufferPointer { analyzer.core.warm($0) }
        var dumpedAfter = ""
        dump(analyzer.core, to: &dumpedAfter)
        #expect(dumpedAfter == dumpedBefore)
        #expect(mix != 0)
    }
}

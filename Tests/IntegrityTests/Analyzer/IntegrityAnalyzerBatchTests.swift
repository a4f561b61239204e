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
            let event: IntegrityEvent = switch random.next() % 20 {
            case 0..<8: F.b2u(at, user, category: random.next() % 4 == 0 ? .service : .marketing, business: business)
            case 8..<13: F.delivered(at, user, business: business)
            case 13..<15: F.read(at, user, business: business)
            case 15..<18: F.u2b(at, user, business: business)
            case 18: F.block(at, user, .spam, business: business)
            default: F.report(at, user, .spam, business: business)
            }
            events.append(event)
        }
        return events
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
            #expect(grouped.statistics == single.statistics, "seed \(seed)")
            #expect(grouped.statistics.outOfRange > 0 && grouped.core.evictions > 0, "seed \(seed): the workload covers drops and evictions")
            #expect(grouped.drainPolicyChanges() == single.drainPolicyChanges(), "seed \(seed)")
            #expect(Self.comparable(grouped.snapshot()) == Self.comparable(single.snapshot()), "seed \(seed)")
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
                #expect(grouped.statistics == single.statistics, "\(label)")
                #expect(grouped.core.evictions == single.core.evictions && single.core.evictions > 0, "\(label)")
                let changes = grouped.drainPolicyChanges()
                #expect(changes.count > 10, "\(label): the workload changes policies")
                #expect(changes == singleChanges, "\(label)")
                #expect(grouped.initiatedVolumes().map(\.business) == single.initiatedVolumes().map(\.business), "\(label): positions")
                #expect(Self.comparable(grouped.snapshot()) == Self.comparable(single.snapshot()), "\(label)")
            }
        }
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
        #expect(analyzer.grouping == 1 << 20)
        analyzer.grouping = 0
        #expect(analyzer.grouping == 1)
        analyzer.grouping = 1 << 30
        #expect(analyzer.grouping == 1 << 22)
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

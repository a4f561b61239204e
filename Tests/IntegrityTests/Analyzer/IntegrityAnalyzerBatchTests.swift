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

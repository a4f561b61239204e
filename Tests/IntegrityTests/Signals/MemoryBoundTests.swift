@testable import Integrity
import Testing
import Transport

/// ≤ 16 KiB per active business at the default rules, however much traffic it has.
@Suite struct MemoryBoundTests {
    typealias F = Fixture

    @Test func aSaturatedBusinessStaysWithin16KiB() throws {
        let analyzer = F.analyzer()
        let b = F.business
        // Fill every structure: 100 000 recipients with deliveries and reads, 20 000 writers,
        // 5 000 blocks and reports, 200 pairs through admission — across a key rotation so that
        // both writer filters are held.
        let start = F.nextRotation - 6 * F.hour
        for index in 0..<100_000 {
            let time = start + Int64(index) * 400
            let user = F.user(index)
            analyzer.ingest(F.b2u(time, user))
            analyzer.ingest(F.delivered(time + 10, user))
            analyzer.ingest(F.read(time + 20, user))
            if index % 5 == 0 { analyzer.ingest(F.u2b(time + 30, user)) }
            if index % 20 == 0 {
                analyzer.ingest(F.block(time + 40, user, .spam))
                analyzer.ingest(F.report(time + 50, user, .scam))
            }
            if index % 500 == 0 {
                _ = analyzer.admission(sender: b, recipient: user, category: .marketing, time: time + 60)
            }
        }
        let footprint = try #require(analyzer.memoryFootprint(of: b))
        let signals = try #require(analyzer.signals(for: b))
        print("saturated business: \(footprint) bytes; levels \(signals.samplingLevel24h)/\(signals.samplingLevel7d)")
        #expect(footprint <= 16 * 1024)
        #expect(signals.samplingLevel24h > 0 && signals.samplingLevel7d > 0)
        #expect(signals.memoryBytes == footprint)
    }

    @Test func aSmallBusinessCostsLittle() throws {
        let analyzer = F.analyzer()
        for index in 0..<5 {
            analyzer.ingest(F.b2u(F.t0 + Int64(index), F.user(index)))
            analyzer.ingest(F.delivered(F.t0 + Int64(index) + 5, F.user(index)))
        }
        let footprint = try #require(analyzer.memoryFootprint(of: F.business))
        #expect(footprint < 2048, "\(footprint)")
    }

    @Test func theInlineStateIsSmall() {
        #expect(MemoryLayout<BusinessState>.stride < 1536, "\(MemoryLayout<BusinessState>.stride)")
        #expect(MemoryLayout<RecentContact>.stride == 12)
        #expect(MemoryLayout<ContactProof>.stride == 12)
    }

    @Test func idleBusinessesAreEvictedButKeepTheirPolicy() throws {
        var rules = Rules()
        rules.limits.initialTier = .tier2K
        let analyzer = F.analyzer(rules: rules)
        analyzer.ingest(F.b2u(F.t0, F.user(1)))
        analyzer.ingest(F.b2u(F.t0 + 9 * F.day, F.user(2), business: F.otherBusiness))
        #expect(analyzer.activeBusinessCount == 1)
        #expect(analyzer.memoryFootprint(of: F.business) == nil)
        let dormant = try #require(analyzer.signals(for: F.business))
        #expect(dormant.dormant && dormant.messagingLimit == .tier2K && dormant.messagesSent == 1)
        // It wakes with the same policy state and totals.
        analyzer.ingest(F.b2u(F.t0 + 10 * F.day, F.user(3)))
        let awake = try #require(analyzer.signals(for: F.business))
        #expect(!awake.dormant && awake.messagingLimit == .tier2K && awake.messagesSent == 2)
    }
}

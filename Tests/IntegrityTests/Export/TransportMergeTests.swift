@testable import Integrity
import Storage
import Testing
import Transport

@Suite struct TransportMergeTests {
    /// Three days of traffic from 10 businesses; shard A holds businesses 0…4, shard B 5…9, and the
    /// users overlap (every user talks to businesses in both shards).
    static func events() -> [IntegrityEvent] {
        var events: [IntegrityEvent] = []
        for day in 0..<3 {
            for index in 0..<3_000 {
                // Each of 300 users talks to all ten businesses, so every user is in both shards.
                let serial = index / 10
                let user = ExportFixture.user(serial, country: serial % 3 == 0 ? 1 : 44)
                let business = ExportFixture.business(index % 10)
                let time = ExportFixture.t0 + Int64(day) * Fixture.day + Int64(index) * 20
                events.append(ExportFixture.message(time, business: business, user: user, category: index % 2 == 0 ? .marketing : .utility, bytes: 200 + index % 7_000))
                events.append(IntegrityEvent(time: time + 1_500 + Int64(index % 50) * 100, business: business, user: user, kind: .delivered))
                if index % 97 == 0 { events.append(IntegrityEvent(time: time + 5_000, business: business, user: user, kind: .block(.spam))) }
            }
        }
        return events.sorted { $0.time < $1.time }
    }

    @Test func mergedShardExportsEqualTheExportOfTheUnion() throws {
        let all = Self.events()
        let shardA = all.filter { $0.business.digits % 10 < 5 }
        let shardB = all.filter { $0.business.digits % 10 >= 5 }
        let days = ExportFixture.day0...ExportFixture.day0.advanced(by: 2)
        // Same pseudonym key (seed) on every shard, as production shards share the key store.
        let exportA = TransportExport(from: ExportFixture.aggregator(shardA, sketches: true), days: days)
        let exportB = TransportExport(from: ExportFixture.aggregator(shardB, sketches: true), days: days)
        let union = TransportExport(from: ExportFixture.aggregator(all, sketches: true), days: days)
        // Through the JSON images, as `vigil export merge` does.
        let merged = try TransportExport.merged([try TransportExport(json: Array(exportA.json().utf8)), try TransportExport(json: Array(exportB.json().utf8))])
        #expect(merged.shards == 2)
        #expect(Set(merged.cells.keys) == Set(union.cells.keys))
        for (cell, expected) in union.cells {
            let got = try #require(merged.cells[cell])
            #expect(got.sent == expected.sent && got.delivered == expected.delivered && got.read == expected.read, "\(cell)")
            #expect(got.blocks == expected.blocks && got.reports == expected.reports, "\(cell)")
            // HLL: within 3 standard errors of the union's (lgK 12: RSE ≈ 1.6 %).
            let users = expected.users.estimate
            #expect(abs(got.users.estimate - users) <= 3 * 0.0163 * users + 1, "\(cell): users \(got.users.estimate) vs \(users)")
            #expect(abs(got.businesses.estimate - expected.businesses.estimate) <= 0.5, "\(cell)")
            #expect(got.sizes.n == expected.sizes.n && got.latencies.n == expected.latencies.n)
            if !expected.sizes.isEmpty {
                let median = try expected.sizes.quantile(rank: 0.5)
                // KLL k = 200: normalized rank error ≈ 1.65 %.
                #expect(abs(got.sizes.rank(of: median) - 0.5) <= 0.035, "\(cell)")
            }
        }
        // The union users really overlap: the merge is not a sum.
        let allCell = StatisticsCell(day: ExportFixture.day0, dimension: .all, value: 0)
        let a = try #require(exportA.cells[allCell]).users.estimate, b = try #require(exportB.cells[allCell]).users.estimate
        #expect(try #require(merged.cells[allCell]).users.estimate < 0.8 * (a + b))
    }

    @Test func jsonRoundTripsAndRefusesPlatformReleases() throws {
        let days = ExportFixture.day0...ExportFixture.day0
        let export = TransportExport(from: ExportFixture.aggregator(ExportFixture.ordinaryDay(users: 100), sketches: true), days: days)
        let decoded = try TransportExport(json: Array(export.json().utf8))
        #expect(decoded.days == days && decoded.shards == 1 && Set(decoded.cells.keys) == Set(export.cells.keys))
        for (cell, state) in export.cells {
            let back = try #require(decoded.cells[cell])
            // SET-mode HLL tables may be laid out differently after re-insertion; the state is the same.
            #expect(back.sent == state.sent && back.delivered == state.delivered && back.read == state.read && back.blocks == state.blocks)
            #expect(back.users.estimate == state.users.estimate && back.businesses.estimate == state.businesses.estimate)
            #expect(back.sizes.serialized() == state.sizes.serialized() && back.latencies.serialized() == state.latencies.serialized())
        }
        let aggregator = ExportFixture.aggregator(ExportFixture.ordinaryDay(users: 100))
        var source = SeededNoiseSource(seed: 1)
        let release = try PlatformRelease.make(from: aggregator.bounded, days: days, parameters: try PlatformReleaseTests.parameters(), using: &source)
        #expect(throws: ExportError.self) { try TransportExport(json: Array(release.json().utf8)) }
        #expect(throws: ExportError.self) { try TransportExport(json: Array(#"{"metadata":{}}"#.utf8)) }
    }

    @Test func base64RoundTrips() {
        for count in 0..<10 {
            let bytes = (0..<count).map { UInt8(truncatingIfNeeded: $0 * 37 + 11) }
            #expect(Base64.decode(Base64.encode(bytes)) == bytes)
        }
        #expect(Base64.encode(Array("foobar".utf8)) == "Zm9vYmFy")
        #expect(Base64.encode(Array("fo".utf8)) == "Zm8=")
        #expect(Base64.decode("Zm9v!mFy") == nil)
        #expect(Base64.decode("Zm8") == nil)
    }
}

@testable import Integrity
import Storage
import Testing
import Transport

@Suite struct StatisticsAggregatorTests {
    let day = ExportFixture.day0

    func cell(_ dimension: StatisticsDimension, _ name: String) -> StatisticsCell {
        StatisticsCell(day: day, dimension: dimension, value: StatisticsCell.valueCode(named: name, in: dimension)!)
    }

    @Test func countsEveryDimensionOfOrdinaryTraffic() throws {
        let aggregator = ExportFixture.aggregator(ExportFixture.ordinaryDay(users: 120) + ExportFixture.ordinaryDay(users: 30, country: 351))
        let cells = aggregator.bounded.cells
        let all = try #require(cells[cell(.all, "all")])
        #expect(all.users == 150)
        #expect(all.sent == 300 && all.delivered == 150 && all.read == 150)
        #expect(all.businesses.count == 5)
        #expect(cells[cell(.country, "44")]?.users == 120)
        #expect(cells[cell(.country, "351")]?.users == 30)
        #expect(cells[cell(.category, "marketing")]?.sent == 150)
        // Delivered receipts inherit the marketing message's category (FIFO matching) …
        #expect(cells[cell(.category, "marketing")]?.delivered == 150)
        // … and the read receipt the oldest delivered one's.
        #expect(cells[cell(.category, "marketing")]?.read == 150)
        #expect(cells[cell(.category, "utility")]?.sent == 150)
        #expect(cells[cell(.size, "le1k")]?.sent == 150)
        #expect(cells[cell(.size, "le16k")]?.sent == 150)
        #expect(cells[cell(.direction, "b2u")]?.sent == 300)
        // Latency 2 s falls in the ≤ 3 s bucket.
        let latencyBucket = BucketEdges.latencyMilliseconds.bucket(of: 2_000)
        #expect(all.latencies[latencyBucket] == 150)
        #expect(all.latencies.reduce(0, +) == 150)
        #expect(aggregator.unmatchedReceipts == 0)
    }

    @Test func unmatchedReceiptsCountOnlyWhereTheirAttributesAreKnown() {
        let user = ExportFixture.user(1), business = ExportFixture.business(0)
        let aggregator = ExportFixture.aggregator([IntegrityEvent(time: ExportFixture.t0, business: business, user: user, kind: .delivered)])
        #expect(aggregator.unmatchedReceipts == 1)
        #expect(aggregator.bounded.cells[cell(.all, "all")]?.delivered == 1)
        #expect(aggregator.bounded.cells[cell(.country, "44")]?.delivered == 1)
        #expect(aggregator.bounded.cells.keys.allSatisfy { $0.dimension == .all || $0.dimension == .country })
        #expect(aggregator.bounded.cells[cell(.all, "all")]?.latencies.reduce(0, +) == 0)
    }

    @Test func blocksAndReportsCountByReason() {
        let business = ExportFixture.business(0)
        var events: [IntegrityEvent] = []
        for index in 0..<10 {
            events.append(IntegrityEvent(time: ExportFixture.t0 + Int64(index), business: business, user: ExportFixture.user(index), kind: .block(index < 7 ? .spam : .offensive)))
            events.append(IntegrityEvent(time: ExportFixture.t0 + Int64(index), business: business, user: ExportFixture.user(index), kind: .report(.scam)))
        }
        let all = ExportFixture.aggregator(events).bounded.cells[cell(.all, "all")]
        #expect(all?.blocks == [0, 7, 0, 3, 0])
        #expect(all?.reports == [0, 10, 0, 0])
    }

    @Test func perPartitionCapBoundsOneUsersCounters() throws {
        let user = ExportFixture.user(1), business = ExportFixture.business(0)
        let events = (0..<100).map { ExportFixture.message(ExportFixture.t0 + Int64($0) * 1000, business: business, user: user) }
        let bounds = try ContributionBounds(perPartition: 3, partitionsPerDimension: 2)
        let aggregator = ExportFixture.aggregator(events, bounds: bounds)
        for (_, totals) in aggregator.bounded.cells {
            #expect(totals.sent == 3)
            #expect(totals.users == 1)
            #expect(totals.sizes.reduce(0, +) == 3)
        }
    }

    @Test func partitionsPerDimensionCapBoundsTheCellsOneUserReaches() throws {
        let user = ExportFixture.user(1), business = ExportFixture.business(0)
        let categories: [MessageCategory] = [.marketing, .utility, .authentication, .service]
        let sizes = [100, 5_000, 100_000, 300_000]
        var events: [IntegrityEvent] = []
        for index in 0..<16 {
            events.append(ExportFixture.message(ExportFixture.t0 + Int64(index) * 1000, business: business, user: user,
                                                category: categories[index % 4], bytes: sizes[index / 4]))
        }
        let aggregator = ExportFixture.aggregator(events, bounds: try ContributionBounds(perPartition: 100, partitionsPerDimension: 2))
        let byDimension = Dictionary(grouping: aggregator.bounded.cells.keys, by: \.dimension)
        #expect(byDimension[.category]?.count == 2)
        #expect(byDimension[.size]?.count == 2)
        // The first two categories and sizes reached, in event order.
        #expect(Set(byDimension[.category]?.map(\.valueName) ?? []) == ["marketing", "utility"])
        #expect(Set(byDimension[.size]?.map(\.valueName) ?? []) == ["le1k", "le16k"])
    }

    @Test func userStateIsPerDayAndLateEventsAreDropped() {
        let user = ExportFixture.user(1), business = ExportFixture.business(0)
        let events = [
            ExportFixture.message(ExportFixture.t0, business: business, user: user),
            ExportFixture.message(ExportFixture.t0 + 3 * Fixture.day, business: business, user: user),
            ExportFixture.message(ExportFixture.t0 + 1000, business: business, user: user),
        ]
        let aggregator = ExportFixture.aggregator(events)
        #expect(aggregator.bounded.lateEvents == 1)
        #expect(aggregator.bounded.cells[cell(.all, "all")]?.sent == 1)
        #expect(aggregator.bounded.cells[StatisticsCell(day: day.advanced(by: 3), dimension: .all, value: 0)]?.sent == 1)
    }

    @Test func forgettingOldDaysBoundsALiveAggregator() throws {
        let user = ExportFixture.user(1), business = ExportFixture.business(0)
        var aggregator = try StatisticsAggregator(configuration: .init(keepsSketches: true))
        ExportFixture.feed([ExportFixture.message(ExportFixture.t0, business: business, user: user),
                            ExportFixture.message(ExportFixture.t0 + 2 * Fixture.day, business: business, user: user)],
                           into: &aggregator, pseudonymizer: Fixture.pseudonymizer())
        aggregator.forget(before: day.advanced(by: 1))
        #expect(aggregator.bounded.cells.keys.allSatisfy { $0.day == day.advanced(by: 2) })
        #expect(aggregator.sketches.keys.allSatisfy { $0.day == day.advanced(by: 2) })
        #expect(aggregator.sketches.count == 5 && aggregator.bounded.cells.count == 5)
        #expect(aggregator.billing.rows.keys.map(\.day) == [day.advanced(by: 2)])
    }
}

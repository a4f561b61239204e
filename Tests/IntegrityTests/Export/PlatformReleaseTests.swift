@testable import Integrity
import Storage
import Testing
import Transport

@Suite struct PlatformReleaseTests {
    static func parameters(epsilon: String = "9", k: Int = 50, bounds: ContributionBounds = .standard) throws -> ReleaseParameters {
        try ReleaseParameters(epsilon: try #require(Epsilon(decimal: epsilon)), delta: try #require(Delta(decimal: "1e-6")), k: k, bounds: bounds)
    }

    @Test func partitionsWithOneToKMinusOneUsersNeverAppear() throws {
        // One country per size 1…49 (distinct calling codes), plus one big country.
        let codes = CallingCode.all.dropFirst(3).filter { $0.value != 44 }.prefix(49).map(\.value)
        var events: [IntegrityEvent] = []
        var serial = 0
        for (size, code) in zip(1..., codes) {
            for _ in 0..<size {
                serial += 1
                let number = try #require(PhoneNumber(digits: UInt64(code) * 1_000_000_000 + UInt64(serial)))
                events.append(ExportFixture.message(ExportFixture.t0 + Int64(serial), business: ExportFixture.business(0), user: number))
            }
        }
        events += ExportFixture.ordinaryDay(users: 3_000, start: ExportFixture.t0 + 1_000_000)
        let aggregator = ExportFixture.aggregator(events.sorted { $0.time < $1.time })
        let small = Set(codes.map { String($0) })
        let parameters = try Self.parameters(epsilon: "900")
        for seed in UInt64(0)..<20 {
            var source = SeededNoiseSource(seed: seed)
            let release = try PlatformRelease.make(from: aggregator.bounded, days: ExportFixture.day0...ExportFixture.day0, parameters: parameters, using: &source)
            let countries = release.cells.filter { $0.cell.dimension == .country }.map(\.cell.valueName)
            #expect(countries == ["44"], "seed \(seed): \(countries)")
            #expect(release.cells.allSatisfy { !small.contains($0.cell.valueName) || $0.cell.dimension != .country })
            #expect(release.cells.allSatisfy { $0.users >= 50 })
            // Every cell of the public domain is either released or counted as suppressed.
            let domain = StatisticsDimension.allCases.reduce(0) { $0 + $1.valueCodes.count }
            #expect(release.metadata.releasedCells + release.metadata.suppressedCells == domain)
        }
    }

    @Test func oneUserWithAMillionEventsMovesReleasedCountsByAtMostTheCap() throws {
        let base = ExportFixture.ordinaryDay(users: 2_000)
        let attacker = ExportFixture.user(999_999)
        var attack: [IntegrityEvent] = []
        attack.reserveCapacity(1_000_000)
        let categories: [MessageCategory] = [.marketing, .utility, .authentication, .service]
        for index in 0..<1_000_000 {
            let time = ExportFixture.t0 + 100_000 + Int64(index) * 80
            let business = ExportFixture.business(index % 5)
            switch index % 4 {
            case 0: attack.append(ExportFixture.message(time, business: business, user: attacker, category: categories[index / 4 % 4], bytes: index % 8 == 0 ? 512 : 4_000))
            case 1: attack.append(IntegrityEvent(time: time, business: business, user: attacker, kind: .delivered))
            case 2: attack.append(IntegrityEvent(time: time, business: business, user: attacker, kind: .block(.spam)))
            default: attack.append(IntegrityEvent(time: time, business: business, user: attacker, kind: .report(.scam)))
            }
        }
        let bounds = ContributionBounds.standard
        let clean = ExportFixture.aggregator(base)
        let attacked = ExportFixture.aggregator((base + attack).sorted { $0.time < $1.time })
        let c = Int64(bounds.perPartition)
        // Exact bounded totals: at most C per counter per cell, one user, L₀ cells per dimension.
        var touched = 0
        for (cell, totals) in attacked.bounded.cells {
            let before = clean.bounded.cells[cell] ?? BoundedCell()
            #expect(totals.users - before.users <= 1)
            #expect(totals.sent - before.sent <= bounds.perPartition)
            #expect(totals.delivered - before.delivered <= bounds.perPartition)
            #expect(totals.blocks.reduce(0, +) - before.blocks.reduce(0, +) <= bounds.perPartition)
            if totals != before { touched += 1 }
        }
        #expect(touched <= bounds.cellsPerUser)
        // Released figures with the same noise draws: the difference is the bounded difference.
        let parameters = try Self.parameters(epsilon: "90", k: 50)
        var a = SeededNoiseSource(seed: 5), b = SeededNoiseSource(seed: 5)
        let day = ExportFixture.day0...ExportFixture.day0
        let before = try PlatformRelease.make(from: clean.bounded, days: day, parameters: parameters, using: &a)
        let after = try PlatformRelease.make(from: attacked.bounded, days: day, parameters: parameters, using: &b)
        #expect(before.cells.map(\.cell) == after.cells.map(\.cell))
        var totalShift: Int64 = 0
        for (x, y) in zip(before.cells, after.cells) {
            #expect(abs(y.users - x.users) <= 1)
            #expect(abs(y.sent - x.sent) <= c, "\(x.cell): sent \(x.sent) → \(y.sent)")
            #expect(abs(y.delivered - x.delivered) <= c)
            #expect(abs(y.blocks.reduce(0, +) - x.blocks.reduce(0, +)) <= c)
            #expect(abs(y.reports.reduce(0, +) - x.reports.reduce(0, +)) <= c)
            totalShift += abs(y.sent - x.sent)
        }
        #expect(totalShift <= Int64(bounds.cellsPerUser) * c)
        #expect(totalShift > 0, "the attacker's capped contribution is visible")
    }

    @Test func theReleaseCarriesNoNumberPseudonymOrBusinessId() throws {
        let events = ExportFixture.ordinaryDay(users: 400)
        let pseudonymizer = Fixture.pseudonymizer(seed: 7)
        var aggregator = try StatisticsAggregator()
        ExportFixture.feed(events, into: &aggregator, pseudonymizer: pseudonymizer)
        var source = SeededNoiseSource(seed: 1)
        let release = try PlatformRelease.make(from: aggregator.bounded, days: ExportFixture.day0...ExportFixture.day0, parameters: try Self.parameters(), using: &source)
        #expect(release.metadata.releasedCells > 0)
        for text in [release.json(), release.csv()] {
            for event in events.prefix(400) {
                #expect(!text.contains(String(event.user.digits)))
                #expect(!text.contains(String(event.business.digits)))
                let pair = try pseudonymizer.pseudonyms(for: event.user, at: event.time)
                #expect(!text.contains(String(pair.current.first, radix: 16)))
            }
        }
    }

    @Test func metadataNamesMechanismCapsThresholdAndSuppressedCells() throws {
        let aggregator = ExportFixture.aggregator(ExportFixture.ordinaryDay(users: 500))
        var source = SeededNoiseSource(seed: 3)
        let release = try PlatformRelease.make(from: aggregator.bounded, days: ExportFixture.day0...ExportFixture.day0, parameters: try Self.parameters(), using: &source)
        let json = release.json()
        #expect(json.contains(#""mechanism":"discrete_laplace","epsilon":9,"delta":0.000001,"k":50,"tau":\#(release.metadata.threshold.tau)"#))
        #expect(json.contains(#""caps":{"per_partition":5,"partitions_per_dimension":2,"cells_per_user_day":8}"#))
        #expect(json.contains(#""suppressed_cells":\#(release.metadata.suppressedCells)"#))
        #expect(json.contains(#"{"name":"sent","epsilon":1,"delta":0,"l1_sensitivity":40"#))
        let csv = release.csv()
        #expect(csv.contains("# tau: \(release.metadata.threshold.tau)\n"))
        #expect(csv.contains("\n" + PlatformRelease.csvHeader.joined(separator: ",") + "\n"))
        #expect(csv.split(separator: "\n").filter { !$0.hasPrefix("#") }.count == release.cells.count + 1)
    }

    @Test func budgetPlanSplitsEpsilonWithoutExceedingIt() throws {
        let plan = try BudgetPlan(try ReleaseParameters(epsilon: Epsilon(units: 1_000_000), delta: Delta(units: 1_000), noise: .gaussian))
        #expect(plan.spent.epsilon <= Epsilon(units: 1_000_000))
        #expect(plan.spent.delta <= Delta(units: 1_000))
        #expect(plan.selection.epsilon == Epsilon(units: 111_111))
        #expect(plan.metrics.count == 8)
        #expect(plan.metrics.first { $0.name == "blocks" }?.l1 == 2 * 5)
        #expect(plan.metrics.first { $0.name == "sent" }?.l1 == 8 * 5)
    }
}

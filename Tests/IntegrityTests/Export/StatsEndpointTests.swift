@testable import Integrity
import Storage
import Testing

@Suite struct StatsEndpointTests {
    @Test func parsesAQueryString() throws {
        let query = try StatsQuery(queryString: "from=2023-11-29&to=2023-11-30&epsilon=0.9&delta=1e-7&k=20&noise=laplace&format=csv&dataset=tap%20one")
        #expect(query.days == UTCDay("2023-11-29")!...UTCDay("2023-11-30")!)
        #expect(query.epsilon == Epsilon(units: 900_000) && query.delta == Delta(units: 100_000_000) && query.k == 20 && query.csv)
        #expect(query.dataset == "tap one")
    }

    @Test(arguments: ["to=2023-11-29", "from=2023-11-30&to=2023-11-29", "from=2023-11-29&to=2023-11-29&epsilon=x",
                      "from=2023-11-29&to=2023-11-29&bogus=1", "from=2023-11-29&to=2023-11-29&format=xml", "from=2023-11-29&to=2023-11-29&k=%zz"])
    func refusesBadQueries(text: String) {
        #expect(throws: ExportError.self) { try StatsQuery(queryString: text) }
    }

    @Test func respondsWithAReleaseThenRefusesOnceTheBudgetIsSpent() throws {
        let aggregator = ExportFixture.aggregator(ExportFixture.ordinaryDay(users: 800))
        let ledger = try PrivacyLedger(database: try Database.open(path: Database.inMemoryPath))
        let budget = PrivacyBudget(epsilon: Epsilon(units: 10_000_000), delta: Delta(units: 1_000_000_000))
        var source = SeededNoiseSource(seed: 8)
        let query = "from=2023-11-29&to=2023-11-29&epsilon=9&delta=1e-6"
        let first = StatsEndpoint.respond(to: query, aggregator: aggregator, ledger: ledger, budget: budget, now: 1, using: &source)
        #expect(first.status == 200 && first.contentType == "application/json")
        #expect(first.body.contains(#""dimension":"country","value":"44""#))
        #expect(first.body.contains(#""remaining_epsilon":1,"#))
        let second = StatsEndpoint.respond(to: query, aggregator: aggregator, ledger: ledger, budget: budget, now: 2, using: &source)
        #expect(second.status == 429)
        #expect(second.body.contains("privacy budget exceeded for dataset 'live' on 2023-11-29"))
        let bad = StatsEndpoint.respond(to: "from=nope", aggregator: aggregator, ledger: ledger, budget: budget, now: 3, using: &source)
        #expect(bad.status == 400)
        #expect(try ledger.releaseCount(dataset: "live") == 1)
    }
}

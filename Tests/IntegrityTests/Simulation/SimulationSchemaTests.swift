import Testing
@testable import Integrity

@Suite struct SimulationSchemaTests {
    @Test(arguments: SimulationScenario.allCases)
    func everyLineMatchesTheSchema(_ scenario: SimulationScenario) throws {
        let workload = try SimulatedWorkload.load(scenario)
        #expect(workload.problems.isEmpty, "\(workload.problems.prefix(5))")
        #expect(workload.events.count > 10_000)
        #expect(workload.bytes.last == UInt8(ascii: "\n"))
    }

    @Test(arguments: SimulationScenario.allCases)
    func sortedByTimeWithinTheCapture(_ scenario: SimulationScenario) throws {
        let workload = try SimulatedWorkload.load(scenario)
        let times = workload.events.map(\.t)
        #expect(zip(times, times.dropFirst()).allSatisfy { $0 <= $1 })
        #expect((times.first ?? 0) >= workload.labels.start)
        #expect((times.last ?? .max) < workload.labels.end)
    }

    @Test(arguments: SimulationScenario.allCases)
    func eventsFollowTheirCauses(_ scenario: SimulationScenario) throws {
        let workload = try SimulatedWorkload.load(scenario)
        // A delivery needs an earlier business message to the pair; a read needs an earlier delivery.
        var sent: [String: Int] = [:]
        var delivered: [String: Int] = [:]
        var orphans: [String] = []
        for event in workload.events {
            let pair = event.business + event.user
            switch event.kind {
            case "message" where event.dir == "b2u": sent[pair, default: 0] += 1
            case "delivered":
                if sent[pair, default: 0] <= delivered[pair, default: 0] { orphans.append("delivered \(pair) at \(event.t)") }
                delivered[pair, default: 0] += 1
            case "read":
                if delivered[pair, default: 0] == 0 { orphans.append("read \(pair) at \(event.t)") }
            default: break
            }
        }
        #expect(orphans.isEmpty, "\(orphans.prefix(3))")
    }

    @Test(arguments: SimulationScenario.allCases)
    func numbersAreBusinessesOrUsersNeverBoth(_ scenario: SimulationScenario) throws {
        let workload = try SimulatedWorkload.load(scenario)
        let businesses = Set(workload.events.map(\.business))
        let users = Set(workload.events.map(\.user))
        #expect(businesses.isDisjoint(with: users))
        // Users come from several countries.
        let codes = Set(users.map { String($0.prefix(3)) })
        #expect(codes.count >= 5)
    }

    @Test func categoriesOnlyOnBusinessMessages() throws {
        let workload = try SimulatedWorkload.load(.mixed)
        #expect(workload.events.allSatisfy { $0.category == nil || $0.dir == "b2u" })
        #expect(workload.events.filter(\.isBusinessMessage).allSatisfy { $0.category != nil })
        let sizes = Set(workload.events.compactMap(\.bytes))
        #expect(sizes.contains(128) && sizes.contains(131_072))
    }

    @Test(arguments: [Int64(0), 7, 10, 99, 1_740_960_000_000, .max])
    func decimalsMatchSwiftsOwn(_ value: Int64) {
        var buffer: [UInt8] = []
        SimulationLineEncoder.appendDecimal(value, to: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == String(value))
    }
}

import Testing
@testable import Integrity

@Suite struct SimulationDeterminismTests {
    @Test(arguments: SimulationScenario.allCases)
    func sameSeedGivesIdenticalBytes(_ scenario: SimulationScenario) throws {
        let parameters = try SimulationParameters(scenario: scenario, seed: 42, scale: 0.02)
        let first = try SimulatedWorkload.generate(parameters)
        let second = try SimulatedWorkload.generate(parameters)
        #expect(!first.bytes.isEmpty)
        #expect(first.bytes == second.bytes, "seed 42: two runs differ")
        #expect(first.labelsJSON == second.labelsJSON)
    }

    @Test func differentSeedsGiveDifferentWorkloads() throws {
        let one = try SimulatedWorkload.load(.mixed, seed: 1)
        let two = try SimulatedWorkload.load(.mixed, seed: 2)
        #expect(one.bytes != two.bytes)
        #expect(one.labels.businesses.map(\.window) != two.labels.businesses.map(\.window))
    }

    @Test func chunksAreWholeLinesOfBoundedSize() throws {
        let parameters = try SimulationParameters(scenario: .bulkBlaster, seed: 3, scale: 0.05)
        var chunks: [[UInt8]] = []
        _ = Simulation.generate(parameters, write: { chunks.append($0) })
        #expect(chunks.count > 1)
        for chunk in chunks {
            #expect(chunk.last == UInt8(ascii: "\n"))
            #expect(chunk.count < Simulation.chunkSize + 1_024)
        }
    }

    @Test func badParametersAreRejected() {
        #expect(throws: SimulationError.unknownScenario("nope")) { try SimulationParameters(scenarioName: "nope", seed: 1) }
        #expect(throws: SimulationError.scaleOutOfRange(0)) { try SimulationParameters(scenario: .mixed, seed: 1, scale: 0) }
        #expect(throws: SimulationError.scaleOutOfRange(1_000)) { try SimulationParameters(scenario: .mixed, seed: 1, scale: 1_000) }
        #expect(throws: (any Error).self) { try SimulationParameters(scenario: .mixed, seed: 1, scale: .nan) }
    }
}

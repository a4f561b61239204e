import Foundation
@testable import Integrity
import Testing

/// Runs the built `vigil export` and checks its files, exit statuses and error lines.
@Suite struct ExportCommandTests {
    static func writeEvents(_ events: [IntegrityEvent], in directory: URL, name: String) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try Data(events.map { $0.jsonLine + "\n" }.joined().utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func platformReleaseIsChargedAndTheLedgerRefusesTheNextOverBudget() throws {
        let directory = try VigilBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let events = try Self.writeEvents(ExportFixture.ordinaryDay(users: 600), in: directory, name: "day.jsonl")
        let ledger = directory.appendingPathComponent("ledger.sqlite").path
        let out = directory.appendingPathComponent("release.json").path
        let arguments = ["export", "--events", events, "--from", "2023-11-29", "--to", "2023-11-29", "--audience", "platform",
                         "--epsilon", "2", "--delta", "1e-6", "--k", "50", "--format", "json", "--out", out, "--ledger", ledger,
                         "--budget-epsilon", "3", "--quiet"]
        let first = try VigilBinary.run(arguments)
        #expect(first.status == 0, "\(first.standardError)")
        let release = try String(contentsOfFile: out, encoding: .utf8)
        #expect(release.contains(#""budget":{"dataset":"day.jsonl","epsilon_per_day":3,"delta_per_day":0.00001,"remaining_epsilon":1.000002"#))
        #expect(release.contains(#""noise_source":"os""#))
        try FileManager.default.removeItem(atPath: out)
        // A restart later: the same release (ε 2 split in 9 × 0.222222) would take the day to ε 3.999996 > 3.
        let second = try VigilBinary.run(arguments)
        #expect(second.status == 1)
        #expect(second.standardError.contains("privacy budget exceeded for dataset 'day.jsonl' on 2023-11-29"))
        #expect(!FileManager.default.fileExists(atPath: out), "nothing is written when the ledger refuses")
    }

    @Test func transportExportsOfTwoShardsMergeToTheExportOfTheUnion() throws {
        let directory = try VigilBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let all = TransportMergeTests.events()
        let keys = directory.appendingPathComponent("keys.sqlite").path
        func export(_ events: [IntegrityEvent], _ name: String) throws -> String {
            let input = try Self.writeEvents(events, in: directory, name: name + ".jsonl")
            let out = directory.appendingPathComponent(name + ".json").path
            let result = try VigilBinary.run(["export", "--events", input, "--from", "2023-11-29", "--to", "2023-12-01", "--audience", "transport",
                                              "--out", out, "--keys", keys, "--quiet"])
            #expect(result.status == 0, "\(result.standardError)")
            return out
        }
        let a = try export(all.filter { $0.business.digits % 10 < 5 }, "a")
        let b = try export(all.filter { $0.business.digits % 10 >= 5 }, "b")
        let union = try export(all, "union")
        let merged = directory.appendingPathComponent("merged.json").path
        let result = try VigilBinary.run(["export", "merge", a, b, "--out", merged])
        #expect(result.status == 0, "\(result.standardError)")
        let got = try TransportExport(json: Array(try Data(contentsOf: URL(fileURLWithPath: merged))))
        let expected = try TransportExport(json: Array(try Data(contentsOf: URL(fileURLWithPath: union))))
        #expect(got.shards == 2 && Set(got.cells.keys) == Set(expected.cells.keys))
        for (cell, state) in expected.cells {
            let merged = try #require(got.cells[cell])
            #expect(merged.sent == state.sent && merged.delivered == state.delivered && merged.blocks == state.blocks)
            #expect(abs(merged.users.estimate - state.users.estimate) <= 3 * 0.0163 * state.users.estimate + 1, "\(cell)")
        }
    }

    @Test func printMechanismGivesTheScaleAndRefusesBadInput() throws {
        let result = try VigilBinary.run(["export", "--print-mechanism", "--sensitivity", "3", "--epsilon", "0.5", "--samples", "3", "--seed", "4"])
        #expect(result.status == 0)
        #expect(result.standardOutput.hasPrefix(#"{"mechanism":"discrete_laplace","sensitivity":3,"epsilon":0.5,"scale":6.0,"scale_numerator":6,"scale_denominator":1,"#))
        #expect(result.standardOutput.contains(#""seed":4,"samples":["#))
        let missingLedger = try VigilBinary.run(["export", "--events", "-", "--from", "2023-11-29", "--to", "2023-11-29", "--audience", "platform", "--out", "-"])
        #expect(missingLedger.status == 2)
        #expect(missingLedger.standardError.contains("--ledger FILE.sqlite is required for the platform audience"))
        let badEpsilon = try VigilBinary.run(["export", "--print-mechanism", "--sensitivity", "1", "--epsilon", "1e-9"])
        #expect(badEpsilon.status == 2 && badEpsilon.standardError.contains("--epsilon takes a decimal ε"))
        let csvTransport = try VigilBinary.run(["export", "--events", "-", "--from", "2023-11-29", "--to", "2023-11-29", "--audience", "transport", "--format", "csv", "--out", "-"])
        #expect(csvTransport.status == 2 && csvTransport.standardError.contains("transport exports are JSON"))
    }
}

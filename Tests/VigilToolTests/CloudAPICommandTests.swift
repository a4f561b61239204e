import Foundation
import Testing

/// `vigil cloudapi`'s send-gate options are checked before anything starts.
@Suite struct CloudAPICommandTests {
    @Test func helpDescribesTheSendGate() throws {
        let result = try VigilProcess.run(["cloudapi", "--help"])
        #expect(result.status == 0)
        for option in ["--sends-per-second", "--upgraded-sends-per-second", "--limit-hold"] {
            #expect(result.standardOutput.contains(option), "\(option)")
        }
    }

    @Test func refusesBadSendGateValues() throws {
        let base = ["cloudapi", "--relay", "127.0.0.1:9", "--data", "/nonexistent-vigil-dir"]
        let zero = try VigilProcess.run(base + ["--sends-per-second", "0"])
        #expect(zero.status == 2)
        #expect(zero.errorLines.last?.contains("--sends-per-second") == true, "\(zero.standardError)")
        let inverted = try VigilProcess.run(base + ["--sends-per-second", "500", "--upgraded-sends-per-second", "100"])
        #expect(inverted.status == 2)
        #expect(inverted.errorLines.last?.contains("--upgraded-sends-per-second must be at least --sends-per-second") == true, "\(inverted.standardError)")
        let hold = try VigilProcess.run(base + ["--limit-hold", "-1"])
        #expect(hold.status == 2)
        #expect(hold.errorLines.last?.contains("--limit-hold") == true, "\(hold.standardError)")
    }
}

import Foundation
import Testing

/// `vigil bench cloudapi`: its options, and one short real run whose JSON carries the figures,
/// the checked counters and the host's speed, whatever the machine's speed.
@Suite struct BenchCloudAPICommandTests {
    @Test func helpNamesTheHostReference() throws {
        let result = try VigilProcess.run(["bench", "cloudapi", "--help"])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("X25519 agreements per CPU-second"))
        #expect(result.standardOutput.contains("--directions LIST"))
    }

    @Test func refusesAnUnknownDirection() throws {
        let result = try VigilProcess.run(["bench", "cloudapi", "--directions", "sideways"])
        #expect(result.status == 2)
        #expect(result.errorLines.last?.contains("unknown direction 'sideways'") == true, "\(result.standardError)")
    }

    @Test func aShortRunReportsEveryPhaseTheCountersAndTheHostsSpeed() throws {
        let result = try VigilProcess.run([
            "bench", "cloudapi", "--directions", "in", "--seconds", "0.5", "--warmup", "0", "--phones", "4", "--businesses", "2",
            "--connections", "4", "--window", "2", "--json",
        ])
        #expect(result.status == 0, "\(result.standardError)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any], "\(result.standardOutput)")
        let host = try #require(object["host_x25519_per_second"] as? [String: Any])
        // A debug build on a loaded 2-core VM still makes well over 1 000 agreements a second.
        #expect(try #require(host["before"] as? Double) > 1_000)
        #expect(try #require(host["after"] as? Double) > 1_000)
        #expect(host["reference_2026_11_25"] as? Double == 31_200)
        let phase = try #require((object["phases"] as? [[String: Any]])?.first)
        #expect(phase["directions"] as? String == "user → business")
        for name in ["saturated", "paced", "paced_at_half_target"] {
            let window = try #require(phase[name] as? [String: Any], "\(name)")
            let delivered = try #require((window["inbound"] as? [String: Any])?["delivered"] as? Int)
            #expect(delivered > 0, "\(name): messages reached the webhook")
            // The steal share is a fraction where the kernel counts it, null where it does not.
            if let steal = window["steal_fraction"] as? Double {
                #expect(steal >= 0 && steal <= 1, "\(name): \(steal)")
            } else {
                #expect(window["steal_fraction"] is NSNull, "\(name)")
            }
        }
        let notes = try #require(object["notes"] as? [String])
        #expect(notes.contains { $0.hasPrefix("checked: every POST answered 200") }, "\(notes)")
    }
}

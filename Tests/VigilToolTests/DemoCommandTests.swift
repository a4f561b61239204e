import Foundation
import Glibc
import Testing

/// `vigil demo` end to end through the built binary, small: the summary's numbers must add up
/// (what users sent is what the webhooks got; what businesses sent is what phones decrypted plus
/// what the relay dropped for blocks; the tap agrees), the transport side must hold no canary
/// while the positive controls find it, and SIGINT must stop the run and its relay child.
@Suite("vigil demo", .timeLimit(.minutes(3)))
struct DemoCommandTests {
    @Test func aSmallRunAddsUpAndItsTransportSideNeverHoldsTheCanary() throws {
        let work = try VigilProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let data = work.appendingPathComponent("demo").path
        let result = try VigilProcess.run([
            "demo", "--users", "40", "--businesses", "6", "--duration", "3", "--seed", "7", "--data", data, "--json",
        ])
        #expect(result.status == 0, "stderr: \(result.standardError)\nstdout: \(result.standardOutput)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any],
                                   "not JSON: \(result.standardOutput)")
        #expect(summary["verdict"] as? String == "pass", "\(summary["violations"] ?? "-")")
        #expect(summary["users"] as? Int == 40 && summary["businesses"] as? Int == 6)

        let traffic = try #require(summary["traffic"] as? [String: Any])
        func number(_ object: [String: Any], _ key: String) -> Int { object[key] as? Int ?? -1 }
        let sent = number(traffic, "user_messages_sent")
        #expect(sent > 0)
        #expect(sent == number(traffic, "webhook_messages"), "users' messages vs webhooks")
        #expect(number(traffic, "user_messages_failed") == 0)
        for kind in ["templates", "texts"] {
            let accepted = number(traffic, "\(kind)_accepted")
            #expect(accepted > 0, "\(kind)")
            #expect(accepted == number(traffic, "\(kind)_delivered") + number(traffic, "\(kind)_dropped_blocked"), "\(kind): \(traffic)")
            #expect(number(traffic, "\(kind)_missing") == 0, "\(kind)")
        }
        #expect(number(traffic, "templates_accepted") + number(traffic, "texts_accepted") == number(traffic, "graph_accepted"))
        #expect(number(traffic, "undecryptable") == 0)
        #expect(number(traffic, "forged_probes") == 6 && number(traffic, "forged_rejected") == 6)
        #expect(number(traffic, "bad_signatures") == 6, "only the forged probes fail verification")
        #expect(number(traffic, "webhook_verifications") == 6)
        let refused = try #require(traffic["graph_refused"] as? [String: Any])
        #expect((refused["131026"] as? Int ?? 0) > 0, "the blaster's list has numbers nobody registered")
        let statuses = try #require(traffic["webhook_statuses"] as? [String: Any])
        #expect(statuses["sent"] as? Int == number(traffic, "graph_accepted"))

        // The tap — the integrity analyzer's input — saw exactly that traffic.
        let tap = try #require(summary["tap"] as? [String: Any])
        #expect(number(tap, "u2b") == sent)
        #expect(number(tap, "b2u") == number(traffic, "graph_accepted"))
        #expect(number(tap, "malformed") == 0)
        #expect(number(tap, "blocks") == number(traffic, "blocks") && number(tap, "reports") == number(traffic, "reports"))
        let businesses = try #require(summary["businesses_detail"] as? [[String: Any]])
        #expect(businesses.count == 6)
        let blaster = try #require(businesses.first { $0["role"] as? String == "bulk_blaster" })
        #expect(blaster["reach"] as? Int == 40, "the bulk blaster messages every user")
        let bombed = try #require(businesses.first { $0["role"] as? String == "report_bombing_target" })
        #expect((bombed["reports"] as? Int ?? 0) >= 3)

        // The audit: nothing on the transport side or in the Cloud API's files; the controls see.
        let audit = try #require(summary["audit"] as? [String: Any])
        #expect(number(audit, "transport_hits") == 0)
        let control = number(audit, "control_total")
        #expect(control > 0)
        for target in ["relay_memory", "relay_files_live"] {
            let scanned = try #require(audit[target] as? [String: Any], "\(target)")
            #expect(number(scanned, "hits") == 0, "\(target)")
            #expect(number(scanned, "bytes") > 0, "\(target)")
            #expect(number(scanned, "control_found") == control, "\(target): the scan must see the queued control ciphertext")
        }
        for target in ["relay_files_stopped", "cloudapi_files_live", "cloudapi_files_stopped"] {
            let scanned = try #require(audit[target] as? [String: Any], "\(target)")
            #expect(number(scanned, "hits") == 0, "\(target)")
            #expect(number(scanned, "sources") > 0, "\(target)")
        }
        let positive = try #require(audit["positive_control"] as? [String: Any])
        #expect(number(positive, "total") > 0)
        #expect(number(positive, "transcript_hits") == sent, "each webhook message in the transcript carries the canary")
        #expect(number(positive, "demo_memory_hits") > 0)
        #expect(number(positive, "phone_plaintexts") >= number(traffic, "templates_delivered") + number(traffic, "texts_delivered"))
        // The analyzer inside the transport process: one row per business; the blaster, who messaged
        // every user, is caught (RED, restricted or a critical alert); no honest business is.
        let integrity = try #require(summary["integrity"] as? [String: Any], "\(summary["integrity"] ?? "-")")
        #expect((integrity["violations"] as? [Any])?.isEmpty == true, "\(integrity)")
        let rated = try #require(summary["businesses_detail"] as? [[String: Any]])
        let blasterRow = try #require(rated.first { $0["role"] as? String == "bulk_blaster" })
        #expect(blasterRow["quality"] as? String == "RED" || blasterRow["status"] as? String == "RESTRICTED", "\(blasterRow)")
        for row in rated where row["role"] as? String == "honest_retailer" || row["role"] as? String == "report_bombing_target" {
            #expect(row["quality"] as? String != "RED", "\(row)")
        }

        // The export: the platform's DP release (no number in it), billing, transport sketches.
        let export = try #require(summary["export"] as? [String: Any], "\(summary["export"] ?? "-")")
        let exported = try #require(export["paths"] as? [String])
        #expect(exported.count == 3)
        let release = try String(contentsOfFile: data + "/export/platform-release.json", encoding: .utf8)
        #expect(release.contains("\"mechanism\""))
        #expect(!release.contains(blasterRow["phone"] as? String ?? "+"), "no business number in the platform's statistics")

        // --data is kept: the tap and the transcript are there; progress went to stderr.
        #expect(FileManager.default.fileExists(atPath: data + "/relay/tap.jsonl"))
        #expect(FileManager.default.fileExists(atPath: data + "/business/transcript.log"))
        #expect(FileManager.default.fileExists(atPath: data + "/cloudapi/master.key"))
        #expect(result.standardError.contains("] traffic: "))
        #expect(result.standardError.contains("] drained: "))

        try Self.auditFindsTheRunCleanAndCatchesPlantedViolations(data: data)
    }

    /// `vigil audit --data DIR` on the run just made: clean; then a planted canary in the relay's
    /// directory and a file opened to others each fail it, naming the check.
    static func auditFindsTheRunCleanAndCatchesPlantedViolations(data: String) throws {
        let clean = try VigilProcess.run(["audit", "--data", data, "--json"])
        #expect(clean.status == 0, "\(clean.standardOutput)\n\(clean.standardError)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(clean.standardOutput.utf8)) as? [String: Any])
        #expect(report["pass"] as? Bool == true)
        let checks = try #require(report["checks"] as? [[String: Any]])
        let verdicts = Dictionary(uniqueKeysWithValues: checks.compactMap { check in
            (check["name"] as? String).map { ($0, check["verdict"] as? String ?? "?") }
        })
        for name in ["module-rule", "content/transport-files", "content/transport-memory", "content/cloudapi-store",
                     "control/scanner", "control/numbers", "permissions"] {
            #expect(verdicts[name] == "pass", "\(name): \(checks)")
        }

        let inputs = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: data + "/demo/audit-inputs.json"))) as? [String: Any])
        let canary = try #require(inputs["canary"] as? String)
        let leak = data + "/relay/leak.log"
        #expect(FileManager.default.createFile(atPath: leak, contents: Data("plaintext … \(canary)".utf8),
                                               attributes: [.posixPermissions: 0o600]))
        let leaked = try VigilProcess.run(["audit", "--data", data])
        #expect(leaked.status == 1, "a failed verdict, not a usage error")
        #expect(leaked.standardOutput.contains("FAIL  content/transport-files"), "\(leaked.standardOutput)")
        #expect(leaked.standardError.contains("violation"))
        try FileManager.default.removeItem(atPath: leak)

        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: data + "/relay/tap.jsonl")
        let loose = try VigilProcess.run(["audit", "--data", data])
        #expect(loose.status != 0)
        #expect(loose.standardOutput.contains("FAIL  permissions") && loose.standardOutput.contains("tap.jsonl (644)"), "\(loose.standardOutput)")
    }

    @Test func sigintStopsTheRunAndItsRelayChild() throws {
        let work = try VigilProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let errors = work.appendingPathComponent("stderr").path
        _ = FileManager.default.createFile(atPath: errors, contents: nil)
        let process = Process()
        process.executableURL = VigilProcess.binary
        process.arguments = ["demo", "--users", "20", "--businesses", "3", "--duration", "60", "--data", work.appendingPathComponent("demo").path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errors))
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        var text = ""
        let deadline = Date().addingTimeInterval(60)
        while !text.contains("] traffic: "), process.isRunning, Date() < deadline {
            usleep(20_000)
            text = (try? String(contentsOfFile: errors, encoding: .utf8)) ?? ""
        }
        #expect(text.contains("] traffic: "), "\(text)")
        let pidLine = text.split(separator: "\n").first { $0.contains("relay: pid ") }
        let relayPID = pidLine.flatMap { Int32($0.split(separator: "relay: pid ").last?.prefix { $0.isNumber } ?? "") }
        let relay = try #require(relayPID, "\(text)")
        #expect(kill(relay, 0) == 0, "the relay child runs")
        process.interrupt()
        let stop = Date().addingTimeInterval(20)
        while process.isRunning, Date() < stop { usleep(20_000) }
        #expect(!process.isRunning)
        #expect(process.terminationStatus == 130)
        #expect(kill(relay, 0) != 0 && errno == ESRCH, "the relay child is gone")
        text = (try? String(contentsOfFile: errors, encoding: .utf8)) ?? ""
        #expect(text.contains("interrupted by SIGINT"), "\(text)")
    }

    @Test func commandLineMistakesAreOneLineAndStatusTwo() throws {
        let work = try VigilProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        _ = FileManager.default.createFile(atPath: work.appendingPathComponent("occupied").path, contents: Data("x".utf8))
        for arguments in [["--users", "5"], ["--duration", "0"], ["--businesses", "x"], ["--seed", "-1"], ["--data", work.path], ["--bogus"]] {
            let result = try VigilProcess.run(["demo"] + arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.errorLines.count == 1, "\(arguments): \(result.errorLines)")
            #expect(result.errorLines.first?.hasPrefix("vigil: ") == true, "\(arguments)")
            #expect(result.standardOutput.isEmpty, "\(arguments)")
        }
        let help = try VigilProcess.run(["demo", "--help"])
        #expect(help.status == 0 && help.standardOutput.contains("USAGE: vigil demo") && help.standardOutput.contains("--duration"))
    }
}

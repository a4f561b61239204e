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
        // The default speed: the analyzer's clock ran 10 080 times faster during the 3 s of
        // traffic (8 h 24 min of event time), then at wall speed through the drain.
        let eventTime = try #require(summary["event_time"] as? [String: Any])
        #expect(eventTime["speed"] as? Double == 10_080)
        #expect(eventTime["simulated_s"] as? Double == 30_240)
        let span = eventTime["tap_span_s"] as? Double ?? 0
        #expect(span > 15_000 && span < 30_240 + 600, "the tap's events span most of the warp: \(eventTime)")

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

    /// `--speed 1`: the analyzer on wall time, as before the warp — the tap spans seconds, and
    /// the verdicts still hold (the blaster caught, no honest business RED).
    @Test func speedOneKeepsTheAnalyzerOnWallTime() throws {
        let work = try VigilProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let result = try VigilProcess.run([
            "demo", "--users", "40", "--businesses", "6", "--duration", "3", "--seed", "7", "--speed", "1",
            "--data", work.appendingPathComponent("demo").path, "--json",
        ])
        #expect(result.status == 0, "stderr: \(result.standardError)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        #expect(summary["verdict"] as? String == "pass", "\(summary["violations"] ?? "-")")
        let eventTime = try #require(summary["event_time"] as? [String: Any])
        #expect(eventTime["speed"] as? Double == 1 && eventTime["simulated_s"] as? Double == 3)
        let span = eventTime["tap_span_s"] as? Double ?? -1
        #expect(span > 1 && span < 60, "3 s of traffic and the drain, on wall time: \(eventTime)")
        let rows = try #require(summary["businesses_detail"] as? [[String: Any]])
        let blaster = try #require(rows.first { $0["role"] as? String == "bulk_blaster" })
        #expect(blaster["quality"] as? String == "RED" || blaster["status"] as? String == "RESTRICTED", "\(blaster)")
        for row in rows where !(row["abusive"] as? Bool ?? true) { #expect(row["quality"] as? String != "RED", "\(row)") }
        #expect(!result.standardError.contains("event time ×"), "no warp at speed 1")
    }

    /// `--open`: after the report the transport child keeps answering its dashboard with the
    /// printed token; SIGTERM stops it, its files get the after-stop scan, and the demo exits 0.
    @Test func openKeepsTheDashboardAnsweringUntilSIGTERM() throws {
        let work = try VigilProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let output = work.appendingPathComponent("stdout").path
        let errors = work.appendingPathComponent("stderr").path
        for path in [output, errors] { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        let process = Process()
        process.executableURL = VigilProcess.binary
        process.arguments = ["demo", "--users", "20", "--businesses", "3", "--duration", "2", "--open",
                             "--data", work.appendingPathComponent("demo").path]
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errors))
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        var text = ""
        let deadline = Date().addingTimeInterval(120)
        while !text.contains("  API:"), process.isRunning, Date() < deadline {
            usleep(50_000)
            text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        }
        #expect(text.contains("verdict: PASS"), "the report comes first: \(text)\n\((try? String(contentsOfFile: errors, encoding: .utf8)) ?? "")")
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("dashboard: http://127.0.0.1:") }, "\(text)")
        let port = try #require(UInt16(line.dropFirst("dashboard: http://127.0.0.1:".count).prefix { $0.isNumber }))
        let password = try #require(text.split(separator: "\n").first { $0.contains("password ") }, "\(text)")
        let token = String(password.split(separator: "password ").last?.prefix { !$0.isWhitespace } ?? "")
        #expect(token.count >= 32, "\(password)")

        let basic = "Basic " + Data("demo:\(token)".utf8).base64EncodedString()
        #expect(try HTTPProbe.get(port: port, path: "/").status == 401)
        for _ in 0..<2 {
            let page = try HTTPProbe.get(port: port, path: "/", authorization: basic)
            #expect(page.status == 200 && page.body.contains("<html"), "\(page.status)")
            usleep(600_000)
        }
        #expect(try HTTPProbe.get(port: port, path: "/v1/alerts", token: token).status == 200)
        #expect(process.isRunning, "still serving after the report")

        process.terminate()
        let stop = Date().addingTimeInterval(20)
        while process.isRunning, Date() < stop { usleep(20_000) }
        #expect(!process.isRunning)
        #expect(process.terminationStatus == 0)
        text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        let last = text.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.hasPrefix("SIGTERM: transport process exited 0; its files after SIGTERM") && last.contains("canary 0×"), "\(last)")
        #expect(throws: (any Error).self, "nothing listens any more") { try HTTPProbe.get(port: port, path: "/healthz") }
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
        for arguments in [
            ["--users", "5"], ["--duration", "0"], ["--businesses", "x"], ["--seed", "-1"], ["--data", work.path], ["--bogus"],
            ["--speed", "0"], ["--speed", "abc"], ["--speed", "nan"], ["--speed", "2000000"], ["--open", "--json"],
        ] {
            let result = try VigilProcess.run(["demo"] + arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.errorLines.count == 1, "\(arguments): \(result.errorLines)")
            #expect(result.errorLines.first?.hasPrefix("vigil: ") == true, "\(arguments)")
            #expect(result.standardOutput.isEmpty, "\(arguments)")
        }
        let speed = try VigilProcess.run(["demo", "--speed", "abc"])
        #expect(speed.errorLines == ["vigil: --speed takes a number from 1 to 1000000 (event seconds per wall second), got 'abc' (see --help)"],
                "\(speed.errorLines)")
        let help = try VigilProcess.run(["demo", "--help"])
        #expect(help.status == 0 && help.standardOutput.contains("USAGE: vigil demo") && help.standardOutput.contains("--duration"))
        #expect(help.standardOutput.contains("--speed X") && help.standardOutput.contains("--open"))
    }
}

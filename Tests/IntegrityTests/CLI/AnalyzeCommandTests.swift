import Foundation
import Glibc
import Integrity
import Testing
import Transport

/// `vigil analyze` end to end: a small event file in, the signals JSON out.
@Suite struct AnalyzeCommandTests {
    typealias F = Fixture
    static let retailer = "+14155550100"
    static let blaster = "+14155550177"

    /// A retailer with customers who write, and a blaster to cold users who block it; one bad line.
    static func eventFile() -> String {
        var lines: [String] = []
        let retailer = PhoneNumber(Self.retailer)!
        let blaster = PhoneNumber(Self.blaster)!
        for index in 0..<10 {
            let time = F.t0 + Int64(index) * F.minute
            lines.append(F.u2b(time, F.user(index), business: retailer).jsonLine)
            lines.append(F.b2u(time + F.second, F.user(index), category: .service, business: retailer).jsonLine)
            lines.append(F.delivered(time + 2 * F.second, F.user(index), business: retailer).jsonLine)
            lines.append(F.read(time + 3 * F.second, F.user(index), business: retailer).jsonLine)
        }
        lines.insert(#"{"t":1701216000000,"kind":"message","business":"+14155550100","user":"+447700900001","dir":"sideways","bytes":1}"#, at: 5)
        for index in 0..<40 {
            let time = F.t0 + F.hour + Int64(index) * F.second
            lines.append(F.b2u(time, F.user(1000 + index), business: blaster).jsonLine)
            lines.append(F.delivered(time + 500, F.user(1000 + index), business: blaster).jsonLine)
        }
        for index in 0..<8 {
            lines.append(F.block(F.t0 + 2 * F.hour + Int64(index), F.user(1000 + index), .spam, business: blaster).jsonLine)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func businesses(_ json: String) throws -> [String: [String: Any]] {
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let list = try #require(object?["businesses"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: list.map { ($0["business"] as? String ?? "", $0) })
    }

    @Test func replaysAFileAndWritesTheSignals() throws {
        let directory = try VigilBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let events = directory.appendingPathComponent("events.jsonl")
        try Data(Self.eventFile().utf8).write(to: events)
        let signalsPath = directory.appendingPathComponent("signals.json").path
        let changesPath = directory.appendingPathComponent("changes.jsonl").path
        let alertsPath = directory.appendingPathComponent("alerts.jsonl").path
        let result = try VigilBinary.run(["analyze", "--events", events.path, "--signals", signalsPath,
                                          "--changes", changesPath, "--alerts", alertsPath])
        #expect(result.status == 0, "\(result.standardError)")
        // The bad line is reported with its number (line 6) and skipped.
        #expect(result.standardError.contains("line 6, column 92: unknown dir (expected b2u or u2b)"))
        #expect(result.standardError.contains("analyze: done: 129 lines, 128 events, 1 malformed"))

        let output = try String(contentsOfFile: signalsPath, encoding: .utf8)
        #expect(!output.contains("+4477009"))  // no consumer number leaves the analyzer
        let businesses = try Self.businesses(output)
        let retailer = try #require(businesses[Self.retailer])
        #expect(retailer["quality_rating"] as? String == "GREEN")
        #expect(retailer["status"] as? String == "CONNECTED")
        #expect(retailer["messaging_limit"] as? String == "TIER_250")
        #expect(retailer["unique_recipients_24h"] as? Int == 10)
        #expect(retailer["business_initiated_24h"] as? Int == 0)  // every message answered a customer
        #expect(retailer["reply_rate_24h"] as? Int == 0)
        #expect(retailer["block_rate_7d"] as? Int == 0)
        #expect(retailer["messages_sent"] as? Int == 10 && retailer["delivered"] as? Int == 10)

        let blaster = try #require(businesses[Self.blaster])
        #expect(blaster["business_initiated_24h"] as? Int == 40)
        #expect(blaster["cold_recipient_share"] as? Int == 1)
        #expect(blaster["delivered_users_7d"] as? Int == 40)
        // 8 blocks (age 0) / 40 users delivered an hour earlier (6 ticks: weight 2^(−6/288) each).
        #expect(close(try #require(blaster["block_rate_7d"] as? Double), 8 / (40 * exp2(-6.0 / 288)), 1e-6))
        // Score 8 / (40 × 0.986 + 20) = 0.135 → RED, FLAGGED.
        #expect(blaster["quality_rating"] as? String == "RED")
        #expect(blaster["status"] as? String == "FLAGGED")

        let changes = try String(contentsOfFile: changesPath, encoding: .utf8)
        #expect(changes.contains(#""business":"+14155550177","change":"flagged","webhook":{"field":"phone_number_quality_update","event":"FLAGGED"}"#))
        // Nothing here is alarming enough to fire: 40 cold messages, 8 blocks arriving in 8 ms.
        #expect(try Data(contentsOf: URL(fileURLWithPath: alertsPath)).isEmpty)
        #expect(result.standardError.contains("alerts: 0 critical, 0 warning fired, 0 resolved, 0 firing at end"))
    }

    /// A number first seen bursting 150 messages in 15 s to strangers, then an hour of other traffic.
    static func burstFile() -> String {
        let burster = PhoneNumber(Self.blaster)!
        var lines: [String] = []
        for index in 0..<150 {
            lines.append(F.b2u(F.t0 + Int64(index) * 100, F.user(2000 + index), business: burster).jsonLine)
        }
        for index in 0..<60 {
            let time = F.t0 + Int64(index + 1) * F.minute
            lines.append(F.u2b(time, F.user(index), business: PhoneNumber(Self.retailer)!).jsonLine)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test func alertsAreWrittenAsJSONLines() throws {
        let directory = try VigilBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let events = directory.appendingPathComponent("burst.jsonl")
        try Data(Self.burstFile().utf8).write(to: events)
        let alertsPath = directory.appendingPathComponent("alerts.jsonl").path
        let result = try VigilBinary.run(["analyze", "--events", events.path, "--signals", "/dev/null", "--alerts", alertsPath])
        #expect(result.status == 0, "\(result.standardError)")
        // Written in place, not renamed over: /dev/null is still the device.
        var status = stat()
        #expect(stat("/dev/null", &status) == 0 && status.st_mode & S_IFMT == S_IFCHR)
        let lines = try String(contentsOfFile: alertsPath, encoding: .utf8).split(separator: "\n").map(String.init)
        var seen: [String] = []
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["business"] as? String == Self.blaster)
            #expect(object["t"] is Int && object["value"] is NSNumber && object["summary"] is String)
            #expect((object["fingerprint"] as? String)?.count == 16)
            #expect(object["labels"] as? [String: String] != nil)
            seen.append("\(object["status"] ?? "")/\(object["alertname"] ?? "")/\(object["severity"] ?? "")")
        }
        // The burst fires at once; 15 minutes under the hysteresis threshold resolve it within the hour.
        #expect(seen.first == "firing/VelocityBurst/critical")
        #expect(seen.contains("resolved/VelocityBurst/critical"))
        #expect(seen.contains("firing/ColdFanOut/warning"))  // 150 strangers in a day, nobody complained
        #expect(!seen.contains("firing/ColdFanOut/critical"))
        let firing = seen.filter { $0.hasPrefix("firing") }.count
        let resolved = seen.filter { $0.hasPrefix("resolved") }.count
        #expect(result.standardError.contains("alerts: 1 critical, \(firing - 1) warning fired, \(resolved) resolved, \(firing - resolved) firing at end"))
    }

    @Test func readsStandardInputAndWritesStandardOutput() throws {
        let result = try VigilBinary.run(["analyze", "--events", "-", "--signals", "-", "--quiet"], input: Data(Self.eventFile().utf8))
        #expect(result.status == 0)
        #expect(try Self.businesses(result.standardOutput).count == 2)
        #expect(!result.standardError.contains("analyze:"))
    }

    @Test func rulesComeFromAFileAndBadOnesAreRefused() throws {
        let directory = try VigilBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let rules = directory.appendingPathComponent("rules.json")
        try Data(#"{"quality":{"yellow_score":0.5,"red_score":0.9}}"#.utf8).write(to: rules)
        let lenient = try VigilBinary.run(["analyze", "--events", "-", "--signals", "-", "--rules", rules.path, "--quiet"],
                                          input: Data(Self.eventFile().utf8))
        #expect(try Self.businesses(lenient.standardOutput)[Self.blaster]?["quality_rating"] as? String == "GREEN")
        try Data(#"{"quality":{"red_scor":0.9}}"#.utf8).write(to: rules)
        let bad = try VigilBinary.run(["analyze", "--events", "-", "--signals", "-", "--rules", rules.path])
        #expect(bad.status == 2)
        #expect(bad.standardError.contains("rules: quality.red_scor: unknown key"))
    }

    @Test func keysPersistInTheGivenFile() throws {
        let directory = try VigilBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let keys = directory.appendingPathComponent("keys.sqlite").path
        let first = try VigilBinary.run(["analyze", "--events", "-", "--signals", "-", "--keys", keys, "--quiet"],
                                        input: Data(Self.eventFile().utf8))
        #expect(first.status == 0, "\(first.standardError)")
        let stored = try SQLiteKeyStore(path: keys).loadKeys()
        #expect(stored.map(\.epoch) == [656])
        // A second run over the same file reuses the key: the same sampling, the same output.
        let second = try VigilBinary.run(["analyze", "--events", "-", "--signals", "-", "--keys", keys, "--quiet"],
                                         input: Data(Self.eventFile().utf8))
        #expect(second.standardOutput == first.standardOutput)
        #expect(try SQLiteKeyStore(path: keys).loadKeys() == stored)
    }

    @Test func helpAndPrintRules() throws {
        let help = try VigilBinary.run(["analyze", "--help"])
        #expect(help.status == 0 && help.standardOutput.contains("USAGE: vigil analyze --events FILE|-"))
        let printed = try VigilBinary.run(["analyze", "--print-rules"])
        #expect(printed.status == 0)
        #expect(try Rules(json: Array(printed.standardOutput.utf8)) == Rules())
        let missing = try VigilBinary.run(["analyze", "--signals", "-"])
        #expect(missing.status == 2 && missing.standardError.contains("--events is required"))
    }
}

import Foundation
import Glibc
import Testing

/// `vigil serve` as a process: the relay with the integrity analyzer inside — its admission
/// policy answers the relay live (Meta's codes in the error text), its HTTP API answers on the
/// same loop, SIGTERM stops both cleanly.
@Suite("vigil serve process", .timeLimit(.minutes(2)))
struct ServeProcessTests {
    static let business = "+15550100100"
    static let users = (1...4).map { "+1555020000\($0)" }

    /// A business-kind marketing envelope to `phone` (kind 2, category 1).
    static func businessSend(to phone: String, id: UInt64, requestID: UInt32) -> WireFrame {
        WireFrame(type: WireFrame.send, requestID: requestID,
                  body: WireFrame.phone(phone) + WireFrame.u64(id) + [2, 1] + WireFrame.u32(16) + [UInt8](repeating: 0xA5, count: 16))
    }

    @Test func theAnalyzersMessagingLimitRefusesTheFourthColdUserButNotAReplyInsideTheServiceWindow() throws {
        let work = try VigilProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let rules = work.appendingPathComponent("rules.json")
        try #"{"limits": {"tier_limits": [3, 2000, 10000, 100000]}}"#.write(to: rules, atomically: false, encoding: .utf8)
        let serve = try RelayProcess(dataDirectory: work.appendingPathComponent("data").path, in: work,
                                     extraArguments: ["--rules", rules.path, "--business", Self.business], serve: true)
        let httpPort = try #require(serve.httpPort)
        #expect(try HTTPProbe.get(port: httpPort, path: "/healthz") == HTTPProbe.Response(status: 200, body: "ok\n"))

        let business = try WireClient(port: serve.port)
        _ = try business.register(Self.business)
        var clients: [WireClient] = []
        for user in Self.users {
            let client = try WireClient(port: serve.port)
            _ = try client.register(user)
            clients.append(client)
        }
        // Three cold users fit the tier of 3; the fourth is refused with Meta's 131048.
        for (index, user) in Self.users.enumerated() {
            let reply = try business.request(Self.businessSend(to: user, id: UInt64(index + 1), requestID: business.makeRequestID()))
            if index < 3 {
                #expect(reply.accepted?.clientMessageID == UInt64(index + 1), "\(user): \(reply)")
            } else {
                #expect(reply.errorCode == 403, "\(reply)")
                #expect(reply.errorText.hasPrefix("131048 messaging limit reached"), "\(reply.errorText)")
            }
        }
        // The analyzer's policy change reaches the business's own connection as an integrity notice.
        let notice = try Self.nextNotice(on: business)
        #expect(notice.kind == 1)
        #expect(notice.json["change"] as? String == "messaging_limit_reached", "\(notice.json)")
        #expect(notice.json["status"] as? String == "RESTRICTED" && notice.json["current_limit"] as? String == "TIER_250")

        // The fourth user writes first: the reply is inside a customer-service window and goes.
        let user = clients[3]
        let message = WireFrame.makeSend(to: Self.business, clientMessageID: 9, ciphertext: [1, 2, 3], requestID: user.makeRequestID())
        #expect(try user.request(message).accepted?.clientMessageID == 9)
        let reply = try business.request(Self.businessSend(to: Self.users[3], id: 5, requestID: business.makeRequestID()))
        #expect(reply.accepted?.clientMessageID == 5, "\(reply) \(reply.errorText)")

        serve.send(SIGTERM)
        #expect(serve.waitForExit(timeout: .seconds(10)))
        #expect(serve.process.terminationStatus == 0)
        let lines = serve.standardError.split(separator: "\n")
        #expect(lines.last == "serve: stopped", "\(lines)")
        // 4 refused + accepted admissions: the status line counts them.
        #expect(lines.contains { $0.contains("5 admissions (1 refused)") }, "\(lines)")
    }

    /// The next `notice` frame on `client` (other frames skipped), its kind and JSON text.
    static func nextNotice(on client: WireClient) throws -> (kind: UInt8, json: [String: Any]) {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            guard let frame = try client.nextFrame(timeout: .seconds(10)) else { break }
            guard frame.type == WireFrame.notice, frame.body.count >= 3 else { continue }
            let text = Data(frame.body.dropFirst(3))
            let json = try #require(try JSONSerialization.jsonObject(with: text) as? [String: Any])
            return (frame.body[0], json)
        }
        throw RelayProcessFailure("no notice within 10 s")
    }

    /// A `receipt` frame: `kind` (1 delivered, 2 read) for `ids`, addressed to `counterpart`.
    static func receipt(_ kind: UInt8, to counterpart: String, ids: [[UInt8]]) -> WireFrame {
        WireFrame(type: 0x40, requestID: 0, body: [kind] + WireFrame.phone(counterpart) + WireFrame.u16(UInt16(ids.count)) + ids.flatMap { $0 })
    }

    @Test func theHTTPAPINeedsTheTokenAndReportsCountOnlyWithProofOfContact() throws {
        let work = try VigilProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let data = work.appendingPathComponent("data").path
        let serve = try RelayProcess(dataDirectory: data, in: work, extraArguments: ["--business", Self.business], serve: true)
        let port = try #require(serve.httpPort)
        // The first start issues the admin token once, on stdout; only its SHA-256 is on disk.
        let issued = serve.standardOutput.split(separator: "\n").dropFirst(2).first ?? ""
        #expect(issued.hasPrefix("token "), "\(serve.standardOutput)")
        let token = String(issued.dropFirst(6))
        #expect(token.count == 64)
        let stored = try String(contentsOfFile: data + "/integrity/token.sha256", encoding: .utf8)
        #expect(stored.count == 65 && stored.hasSuffix("\n") && !stored.contains(token))
        let mode = try FileManager.default.attributesOfItem(atPath: data + "/integrity/token.sha256")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(!FileManager.default.fileExists(atPath: data + "/integrity/token"))

        // The business messages one user, whose phone says "delivered".
        let business = try WireClient(port: serve.port)
        let relayToken = try business.register(Self.business).map { String(format: "%02x", $0) }.joined()
        let user = try WireClient(port: serve.port)
        _ = try user.register(Self.users[0])
        #expect(try business.request(Self.businessSend(to: Self.users[0], id: 1, requestID: business.makeRequestID())).accepted != nil)
        let delivered = try #require(try user.nextFrame()?.delivered)
        try user.write(Self.receipt(1, to: Self.business, ids: [delivered.envelopeID]))
        try user.write(.makeAck([delivered.envelopeID]))
        _ = try user.framesBeforePong()

        #expect(try HTTPProbe.get(port: port, path: "/v1/signals/\(Self.business)").status == 401)
        #expect(try HTTPProbe.get(port: port, path: "/metrics", token: "wrong-token-wrong-token").status == 401)
        #expect(try HTTPProbe.get(port: port, path: "/v1/signals/+1", token: token).status == 400)
        #expect(try HTTPProbe.get(port: port, path: "/v1/signals/+15559990000", token: token).status == 404)
        let signals = try HTTPProbe.get(port: port, path: "/v1/signals/\(Self.business)", token: token)
        #expect(signals.status == 200)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(signals.body.utf8)) as? [String: Any])
        #expect(object["business"] as? String == Self.business)
        #expect(object["messages_sent"] as? Int == 1 && object["delivered"] as? Int == 1, "\(object)")

        // The user who got the message can report; a stranger cannot move the business.
        let batch = #"{"reports":[{"reporter":"\#(Self.users[0])","business":"\#(Self.business)","reason":"spam"},"#
            + #"{"reporter":"+15550209999","business":"\#(Self.business)","reason":"scam"}]}"#
        let posted = try HTTPProbe.post(port: port, path: "/v1/reports", token: token, body: batch)
        #expect(posted.status == 202, "\(posted)")
        let outcome = try #require(try JSONSerialization.jsonObject(with: Data(posted.body.utf8)) as? [String: Any])
        #expect(outcome["accepted"] as? Int == 1)
        let rejected = try #require(outcome["rejected"] as? [[String: Any]])
        #expect(rejected.count == 1 && rejected.first?["index"] as? Int == 1 && rejected.first?["reason"] as? String == "no_contact", "\(rejected)")
        let again = try HTTPProbe.post(port: port, path: "/v1/reports", token: token, body: batch)
        #expect(again.body.contains("duplicate"), "\(again)")
        #expect(try HTTPProbe.post(port: port, path: "/v1/reports", token: token, body: "{\"reports\":").status == 400)

        let metrics = try HTTPProbe.get(port: port, path: "/metrics", token: token)
        #expect(metrics.status == 200)
        #expect(metrics.body.contains("vigil_build_info{"))
        #expect(!metrics.body.contains(Self.users[0]) && !metrics.body.contains(Self.business), "no number is a label")

        // DP statistics: a release with its metadata and no number; the day's budget (3 ε) holds
        // one release at ε 2, not a second one.
        let day = ISO8601DateFormatter().string(from: Date()).prefix(10)
        let stats = try HTTPProbe.get(port: port, path: "/v1/stats?from=\(day)&to=\(day)&epsilon=2", token: token)
        #expect(stats.status == 200, "\(stats)")
        #expect(stats.body.contains("\"mechanism\"") && !stats.body.contains(Self.users[0]) && !stats.body.contains(Self.business), "\(stats.body.prefix(400))")
        let over = try HTTPProbe.get(port: port, path: "/v1/stats?from=\(day)&to=\(day)&epsilon=2", token: token)
        #expect(over.status == 429 && over.body.contains("budget"), "\(over)")
        #expect(try HTTPProbe.get(port: port, path: "/v1/stats?from=yesterday", token: token).status == 400)

        // The dashboard: Basic with the token as password (what a browser sends).
        #expect(try HTTPProbe.get(port: port, path: "/").status == 401)
        let basic = Data("operator:\(token)".utf8).base64EncodedString()
        let page = try HTTPProbe.get(port: port, path: "/", authorization: "Basic \(basic)")
        #expect(page.status == 200)
        #expect(page.body.contains("<html") && page.body.contains(Self.business), "the overview lists the business")

        // After a clean stop and a restart, the accepted report is still counted (log + snapshot).
        serve.send(SIGTERM)
        #expect(serve.waitForExit(timeout: .seconds(10)) && serve.process.terminationStatus == 0)
        // Secrets never reach the log: neither the API token nor a relay token.
        #expect(!serve.standardError.contains(token) && !serve.standardError.contains(String(relayToken.prefix(16))))
        #expect(!serve.standardError.isEmpty)
        let again2 = try RelayProcess(dataDirectory: data, in: work, extraArguments: ["--business", Self.business], serve: true)
        let port2 = try #require(again2.httpPort)
        let after = try HTTPProbe.get(port: port2, path: "/v1/signals/\(Self.business)", token: token)
        let restored = try #require(try JSONSerialization.jsonObject(with: Data(after.body.utf8)) as? [String: Any])
        #expect(restored["counted_reports"] as? Int == 1, "\(restored)")
        #expect(again2.standardError.contains("restored snapshot"), "\(again2.standardError)")
        #expect(again2.standardOutput.split(separator: "\n").count == 2, "no token is issued again: \(again2.standardOutput)")
        again2.send(SIGTERM)
        #expect(again2.waitForExit(timeout: .seconds(10)))
    }

    @Test func aDataDirectoryOthersCanReadIsRefusedAtStartUp() throws {
        let work = try VigilProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let data = work.appendingPathComponent("data").path
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        let commands = [["serve", "--listen", "127.0.0.1:0", "--http", "127.0.0.1:0", "--data", data],
                        ["relay", "--listen", "127.0.0.1:0", "--data", data]]
        for arguments in commands {
            let command = arguments[0]
            let result = try VigilProcess.run(arguments)
            #expect(result.status != 0, "\(command)")
            #expect(result.standardError.contains("is not private") && result.standardError.contains("chmod -R go-rwx"), "\(command): \(result.standardError)")
        }
    }

    @Test func helpAndCommandLineMistakes() throws {
        let help = try VigilProcess.run(["serve", "--help"])
        #expect(help.status == 0)
        #expect(help.standardOutput.contains("USAGE: vigil serve --data DIR [--listen HOST:PORT] [--http HOST:PORT]"))
        #expect(help.standardOutput.contains("default 127.0.0.1:7700") && help.standardOutput.contains("default 127.0.0.1:7780"))
        let missing = try VigilProcess.run(["serve", "--listen", "127.0.0.1:0", "--http", "127.0.0.1:0"])
        #expect(missing.status != 0)
        #expect(missing.standardError.contains("--data DIR is required"))
        let badAddress = try VigilProcess.run(["serve", "--http", "localhost", "--data", "/tmp/x"])
        #expect(badAddress.status != 0 && badAddress.standardError.contains("--http: "), "\(badAddress.standardError)")
        let badRules = try VigilProcess.run(["serve", "--listen", "127.0.0.1:0", "--http", "127.0.0.1:0", "--data", "/tmp/x",
                                             "--rules", "/nonexistent/rules.json"])
        #expect(badRules.status != 0)
        #expect(badRules.standardError.contains("--rules /nonexistent/rules.json"))
    }
}

/// A one-shot HTTP/1.1 GET to 127.0.0.1 over the raw test socket (this target links no Vigil module).
enum HTTPProbe {
    struct Response: Equatable {
        let status: Int
        let body: String
    }

    static func get(port: UInt16, path: String, token: String? = nil) throws -> Response {
        try send("GET", port: port, path: path, authorization: token.map { "Bearer \($0)" }, body: nil)
    }

    static func get(port: UInt16, path: String, authorization: String) throws -> Response {
        try send("GET", port: port, path: path, authorization: authorization, body: nil)
    }

    static func post(port: UInt16, path: String, token: String?, body: String) throws -> Response {
        try send("POST", port: port, path: path, authorization: token.map { "Bearer \($0)" }, body: body)
    }

    private static func send(_ method: String, port: UInt16, path: String, authorization: String?, body: String?) throws -> Response {
        let client = try WireClient(port: port)
        var request = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        if let authorization { request += "Authorization: \(authorization)\r\n" }
        if let body { request += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)" } else { request += "\r\n" }
        let text = String(decoding: try client.exchange(raw: Array(request.utf8)), as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n"), let status = Int(text.dropFirst("HTTP/1.1 ".count).prefix(3)) else {
            throw RelayProcessFailure("not an HTTP response: \(text)")
        }
        return Response(status: status, body: String(text[split.upperBound...]))
    }
}

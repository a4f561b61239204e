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

    @Test func helpAndCommandLineMistakes() throws {
        let help = try VigilProcess.run(["serve", "--help"])
        #expect(help.status == 0)
        #expect(help.standardOutput.contains("USAGE: vigil serve --listen HOST:PORT --http HOST:PORT --data DIR"))
        let missing = try VigilProcess.run(["serve", "--listen", "127.0.0.1:0", "--data", "/tmp/x"])
        #expect(missing.status != 0)
        #expect(missing.standardError.contains("--http HOST:PORT is required"))
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

    static func get(port: UInt16, path: String) throws -> Response {
        let client = try WireClient(port: port)
        let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        let text = String(decoding: try client.exchange(raw: Array(request.utf8)), as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n"), let status = Int(text.dropFirst("HTTP/1.1 ".count).prefix(3)) else {
            throw RelayProcessFailure("not an HTTP response: \(text)")
        }
        return Response(status: status, body: String(text[split.upperBound...]))
    }
}

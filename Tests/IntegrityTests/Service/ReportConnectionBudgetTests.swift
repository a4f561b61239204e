import Foundation
@testable import Integrity
import Testing
import Transport

/// Each connection's report-item budget: the pure GCRA, and `POST /v1/reports` answering 429 with
/// `Retry-After` on a connection over it while another connection is still served.
@Suite struct ReportConnectionBudgetTests {
    static let first = SocketAddress.loopbackIPv4(port: 40_001)
    static let second = SocketAddress.loopbackIPv4(port: 40_002)

    static func at(milliseconds: UInt64) -> MonotonicInstant { MonotonicInstant(nanoseconds: 1_000_000_000 + milliseconds * 1_000_000) }

    @Test func aRestedConnectionTakesItsBurstThenWaitsForItsRate() {
        // 1 000 items/s (1 ms each), burst 2 000.
        var budget = ReportConnectionBudget(itemsPerSecond: 1_000, burst: 2_000)
        let start = Self.at(milliseconds: 0)
        #expect(budget.wait(for: Self.first, at: start) == nil)
        budget.charge(1_000, to: Self.first, at: start)
        #expect(budget.wait(for: Self.first, at: start) == nil)
        budget.charge(1_000, to: Self.first, at: start)
        // Owes 2 000 ms; may go on once it owes at most 1 999 ms: 1 ms from now.
        #expect(budget.wait(for: Self.first, at: start) == .milliseconds(1))
        #expect(budget.wait(for: Self.first, at: Self.at(milliseconds: 1)) == nil)
        // Another connection has its own budget.
        #expect(budget.wait(for: Self.second, at: start) == nil)
    }

    /// Charged after parsing, one batch may overshoot the burst; the wait is then the overshoot.
    @Test func anOvershootIsPaidBackAtTheRate() {
        var budget = ReportConnectionBudget(itemsPerSecond: 100, burst: 10)
        let start = Self.at(milliseconds: 0)
        budget.charge(1_000, to: Self.first, at: start)  // owes 10 s
        #expect(budget.wait(for: Self.first, at: start) == .milliseconds(10_000 - 90))
        #expect(budget.wait(for: Self.first, at: Self.at(milliseconds: 5_000)) == .milliseconds(5_000 - 90))
        #expect(budget.wait(for: Self.first, at: Self.at(milliseconds: 9_910)) == nil)
        // Charging later starts from what is still owed, not from now.
        budget.charge(1, to: Self.first, at: Self.at(milliseconds: 9_910))
        #expect(budget.wait(for: Self.first, at: Self.at(milliseconds: 9_910)) == .milliseconds(10))
    }

    @Test func restedConnectionsAreDroppedToStayWithinTheTable() {
        var budget = ReportConnectionBudget(itemsPerSecond: 1_000, burst: 1_000, trackedConnections: 3)
        for port in UInt16(1)...3 { budget.charge(10, to: .loopbackIPv4(port: port), at: Self.at(milliseconds: 0)) }
        budget.charge(500, to: .loopbackIPv4(port: 3), at: Self.at(milliseconds: 0))  // owes until 510 ms
        #expect(budget.trackedConnectionCount == 3)
        // At 100 ms ports 1 and 2 owe nothing: a fourth connection sweeps them, port 3 stays.
        budget.charge(1, to: .loopbackIPv4(port: 4), at: Self.at(milliseconds: 100))
        #expect(budget.trackedConnectionCount == 2)
        #expect(budget.owedUntil[.loopbackIPv4(port: 3)] == Self.at(milliseconds: 510).nanoseconds)
    }

    /// Over HTTP: a budget of 1 item/s with a burst of one 5-item batch. The first connection's
    /// batch is decided; its next request is answered 429 with `Retry-After: 1` (it owes 5 s, of
    /// which the burst less one item covers 4), held for that second and not decided, while a
    /// second connection is still served.
    @Test func aConnectionOverItsBudgetGets429AndOthersAreServed() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-budget-\(UInt64.random(in: 0 ... .max))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let token = "0123456789abcdef0123456789abcdef"
        let hasher = AuthorizationTests.standIn
        var service = ReportServiceConfiguration(tokenDigest: try #require(hasher.digest(of: Array(token.utf8))), tokenHasher: hasher)
        service.intake.maximumBatchSize = 5
        service.itemsPerConnectionPerSecond = 1
        service.itemBurstPerConnection = 5
        let host = try ReportIntakeHost.start(ReportIntakeHost.Options(
            listen: .loopbackIPv4(port: 0), databasePath: directory + "/reports.sqlite", keysPath: directory + "/keys.sqlite", service: service))
        defer { host.stop() }
        let url = try HTTPURL(parsing: "http://\(host.address)/v1/reports")
        let items = (1...5).map { #"{"reporter":"+4477009000\#($0)0","business":"+14155550100","reason":"spam"}"# }
        let body = Array(#"{"reports":[\#(items.joined(separator: ","))]}"#.utf8)
        func post(_ client: HTTPBlockingClient) throws -> HTTPClientResponse {
            var headers = HTTPHeaders()
            headers.add(name: "Authorization", value: "Bearer " + token)
            return try client.execute(HTTPClientRequest(method: .post, url: url, headers: headers, body: body, timeout: .seconds(5)))
        }
        let one = try HTTPBlockingClient(configuration: HTTPClientConfiguration(maximumConnectionsPerHost: 1))
        let other = try HTTPBlockingClient(configuration: HTTPClientConfiguration(maximumConnectionsPerHost: 1))
        defer { one.close(); other.close() }
        let decided = try post(one)
        #expect(decided.status.code == 202)
        #expect(String(decoding: decided.body, as: UTF8.self).contains(#""reason":"no_contact""#))
        let asked = ContinuousClock.now
        let refused = try post(one)
        // Held for the wait (1 s less the time since the charge), not sent at once.
        #expect(ContinuousClock.now - asked >= .milliseconds(500))
        #expect(refused.status.code == 429)
        #expect(refused.headers.values(for: "Retry-After") == ["1"])
        #expect(String(decoding: refused.body, as: UTF8.self).contains("over 1 report items per second"))
        #expect(try post(other).status.code == 202)
        #expect(host.withService { $0.statistics.overBudget } == 1)
        #expect(host.withService { $0.intakeStatistics.rejected[.noContact] } == 10)
    }
}

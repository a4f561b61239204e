import Testing
@testable import Transport

/// Head timeouts are spread over consecutive connections, so slow-header ("slowloris")
/// connections opened together get their 408 — and reconnect — over a span of time instead of
/// in one loop turn.
@Suite("HTTP head timeout spread")
struct HTTPHeadTimeoutSpreadTests {
    static func configuration(timeout: Duration = .seconds(10), spread: Double = 0.5) -> HTTPServerConfiguration {
        HTTPServerConfiguration(listenAddress: .loopbackIPv4(port: 0), headTimeout: timeout, headTimeoutSpread: spread)
    }

    @Test func withoutSpreadEveryConnectionGetsTheTimeout() {
        let configuration = Self.configuration(spread: 0)
        for sequence: UInt64 in [1, 2, 3, 1_000, .max] {
            #expect(configuration.headTimeout(forConnection: sequence) == .seconds(10))
        }
    }

    @Test func timeoutsStayWithinTheSpread() {
        let configuration = Self.configuration()
        for sequence in UInt64(1)...10_000 {
            let timeout = configuration.headTimeout(forConnection: sequence)
            #expect(timeout >= .seconds(10) && timeout < .seconds(15), "connection \(sequence): \(timeout)")
        }
    }

    /// 2 000 connections opened at once (the hostile-load bench's slowloris swarm): each tenth of
    /// the 5 s spread gets a tenth of them, give or take 2 %.
    @Test(arguments: [UInt64(1), 54_321, 1 << 40])
    func consecutiveConnectionsFillTheSpreadEvenly(from first: UInt64) {
        let configuration = Self.configuration()
        var buckets = [Int](repeating: 0, count: 10)
        for sequence in first..<(first + 2_000) {
            let offset = configuration.headTimeout(forConnection: sequence) - .seconds(10)
            buckets[min(Int(offset / .milliseconds(500)), 9)] += 1
        }
        #expect(buckets.allSatisfy { (196...204).contains($0) }, "\(buckets)")
    }

    /// The connection's state machine enforces its own timeout: two heads begun at the same
    /// instant on connections 1 and 2 expire at their connections' deadlines, not together.
    @Test func eachConnectionsMachineUsesItsOwnHeadTimeout() {
        let configuration = Self.configuration()
        let start = MonotonicInstant(nanoseconds: 1_000_000_000)
        var deadlines: [MonotonicInstant] = []
        for sequence: UInt64 in [1, 2] {
            var machine = HTTPServerConnectionStateMachine(
                limits: HTTPParserLimits(), timeouts: configuration.timeouts(forConnection: sequence), now: start)
            machine.receive(Array("GET / HTTP/1.1\r\nHost: t\r\n".utf8)[...], at: start)
            if case let action? = machine.nextAction(at: start) { Issue.record("connection \(sequence): \(action) for half a head") }
            let timeout = configuration.headTimeout(forConnection: sequence)
            let deadline = start + timeout
            #expect(machine.deadline == deadline)
            if case let early? = machine.timerFired(at: start + (timeout - .milliseconds(1))) {
                Issue.record("connection \(sequence): \(early) before its deadline")
            }
            guard case let .send(response, _, closeAfterward)? = machine.timerFired(at: deadline) else {
                Issue.record("connection \(sequence): no 408 at its deadline")
                continue
            }
            #expect(response.status == .requestTimeout && closeAfterward)
            deadlines.append(deadline)
        }
        // φ: connection 1 waits 10 × (1 + 0.5 × 0.618…) s, connection 2 10 × (1 + 0.5 × 0.236…) s.
        #expect(deadlines.count == 2 && deadlines[0] - deadlines[1] > .seconds(1.9) && deadlines[0] - deadlines[1] < .seconds(1.92))
    }

    /// Over sockets: with a 300 ms head timeout and a spread of 3, the server's first connection
    /// gets its 408 about 856 ms after its head began, the second about 512 ms — the second first.
    @Test func theServerGivesConnectionsTheirOwnHeadTimeouts() throws {
        let server = try HTTPServerFixture { $0.headTimeout = .milliseconds(300); $0.headTimeoutSpread = 3 }
        let first = try RawHTTPConnection(server.address)
        let second = try RawHTTPConnection(server.address)
        let started = SystemClock().now()
        try first.send("GET /items/1 HTTP/1.1\r\nHost: t\r\n")
        try second.send("GET /items/2 HTTP/1.1\r\nHost: t\r\n")
        let secondResponse = try #require(try second.readFinal())
        let secondElapsed = SystemClock().now() - started
        let firstResponse = try #require(try first.readFinal())
        let firstElapsed = SystemClock().now() - started
        #expect(secondResponse.head.status.code == 408 && firstResponse.head.status.code == 408)
        #expect(secondElapsed >= .milliseconds(480), "\(secondElapsed)")
        #expect(firstElapsed >= .milliseconds(830), "\(firstElapsed)")
        #expect(server.statistics.requestTimeouts == 2)
    }
}

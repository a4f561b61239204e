import Testing
import Transport

/// Authentication deadlines are spread over consecutive connections, so a flood of idle
/// connections opened together expires over a span of time instead of in one loop turn.
@Suite struct RelayAuthenticationDeadlineTests {
    static func configuration(timeout: Duration = .seconds(10), spread: Double = 0.5) -> RelayConfiguration {
        RelayConfiguration(listenAddress: .loopbackIPv4(port: 0), dataDirectory: "/nonexistent", tokenHasher: .testing,
                           authenticationTimeout: timeout, authenticationTimeoutSpread: spread)
    }

    @Test func withoutSpreadEveryConnectionGetsTheTimeout() {
        let configuration = Self.configuration(spread: 0)
        for sequence: UInt64 in [1, 2, 3, 1_000, .max] {
            #expect(configuration.authenticationDeadline(forConnection: sequence) == .seconds(10))
        }
    }

    @Test func deadlinesStayWithinTheSpread() {
        let configuration = Self.configuration()
        for sequence in UInt64(1)...10_000 {
            let deadline = configuration.authenticationDeadline(forConnection: sequence)
            #expect(deadline >= .seconds(10) && deadline < .seconds(15), "connection \(sequence): \(deadline)")
        }
    }

    /// 10 000 connections opened at once (the hostile-load bench's idle flood): each tenth of the
    /// 5 s spread gets a tenth of them, give or take 1 %, and so does every run of 1 000.
    @Test(arguments: [UInt64(1), 123_457, 1 << 40])
    func consecutiveConnectionsFillTheSpreadEvenly(from first: UInt64) {
        let configuration = Self.configuration()
        var buckets = [Int](repeating: 0, count: 10)
        for sequence in first..<(first + 10_000) {
            let offset = configuration.authenticationDeadline(forConnection: sequence) - .seconds(10)
            let bucket = Int(offset / .milliseconds(500))
            buckets[min(bucket, 9)] += 1
        }
        #expect(buckets.allSatisfy { (990...1_010).contains($0) }, "\(buckets)")
        var firstThousand = [Int](repeating: 0, count: 10)
        for sequence in first..<(first + 1_000) {
            let offset = configuration.authenticationDeadline(forConnection: sequence) - .seconds(10)
            firstThousand[min(Int(offset / .milliseconds(500)), 9)] += 1
        }
        #expect(firstThousand.allSatisfy { (90...110).contains($0) }, "\(firstThousand)")
    }
}

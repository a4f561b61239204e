import Glibc
@testable import Integrity
import Synchronization
import Testing
import Transport

/// ``HTTPAlertSink`` against a server on 127.0.0.1 that answers from a script of statuses; the
/// sink's retries run on a manual clock, advanced by the test (no sleeping for backoffs).
@Suite struct HTTPAlertSinkTests {
    typealias F = AlertFixture

    /// Requests seen by the scripted server.
    final class Recorder: Sendable {
        struct Seen: Sendable {
            let path: String
            let contentType: String?
            let body: String
        }

        let statuses: [Int]
        let seen = Mutex<[Seen]>([])

        init(statuses: [Int]) { self.statuses = statuses }

        var count: Int { seen.withLock { $0.count } }

        func start() throws -> HTTPServerHost {
            try HTTPServerHost.start(HTTPServerConfiguration(listenAddress: .loopbackIPv4())) { _ in
                { request, responder in
                    let index = self.seen.withLock { seen -> Int in
                        seen.append(Seen(path: String(request.path), contentType: request.headers["Content-Type"],
                                         body: String(decoding: request.body, as: UTF8.self)))
                        return seen.count - 1
                    }
                    let status = index < self.statuses.count ? self.statuses[index] : 200
                    responder.respond(.text(HTTPStatus(code: status), "status \(status)\n"))
                }
            }
        }
    }

    /// Polls `condition` for up to 5 s (the sink works on its own thread).
    func eventually(_ what: String, _ condition: () -> Bool) -> Bool {
        for _ in 0..<500 {
            if condition() { return true }
            usleep(10_000)
        }
        Issue.record("timed out waiting for \(what)")
        return false
    }

    @Test func retriesAfter500sWithBackoffThenDelivers() throws {
        let recorder = Recorder(statuses: [500, 503, 200])
        let server = try recorder.start()
        defer { server.stop(gracePeriod: .milliseconds(100)) }
        let clock = ManualClock(start: MonotonicInstant(nanoseconds: 1_000_000_000))
        let delivery = AlertDeliveryMachine.Configuration(resendInterval: nil, initialBackoff: 1000, maximumBackoff: 8000)
        let sink = try HTTPAlertSink(configuration: .init(target: .alertmanager("http://127.0.0.1:\(server.address.port)/"), delivery: delivery),
                                     clock: clock, wallClock: { F.start })
        let alerts = [F.alert(labels: ["signal": "reach"]), F.alert(business: F.b, severity: .warning)]
        sink.deliver(alerts)
        guard eventually("the first failure", { recorder.count == 1 && sink.statistics.failedAttempts == 1 }) else { return }
        clock.advance(by: .milliseconds(999))
        sink.loop.wakeUp()
        usleep(50_000)
        #expect(recorder.count == 1)  // the backoff has not elapsed
        clock.advance(by: .milliseconds(1))
        sink.loop.wakeUp()
        guard eventually("the second failure", { recorder.count == 2 && sink.statistics.failedAttempts == 2 }) else { return }
        clock.advance(by: .milliseconds(2000))  // doubled
        sink.loop.wakeUp()
        guard eventually("delivery", { sink.statistics.delivered == 2 }) else { return }
        let (statistics, undelivered) = sink.finish(within: .seconds(5))
        #expect(statistics.requests == 3 && statistics.failedAttempts == 2 && statistics.delivered == 2 && undelivered == 0)
        let expected = AlertmanagerEncoding.postableAlerts(alerts, now: F.start)
        for request in recorder.seen.withLock({ $0 }) {
            #expect(request.path == "/api/v2/alerts" && request.contentType == "application/json")
            #expect(request.body == expected)
        }
    }

    @Test func webhookTargetPostsOnePayloadPerGroupAndRejectionsAreNotRetried() throws {
        let recorder = Recorder(statuses: [200, 400])
        let server = try recorder.start()
        defer { server.stop(gracePeriod: .milliseconds(100)) }
        let options = AlertmanagerEncoding.WebhookOptions(receiver: "ops", externalURL: "http://vigil")
        let sink = try HTTPAlertSink(configuration: .init(target: .webhook("http://127.0.0.1:\(server.address.port)/hook"), webhook: options))
        let alerts = [F.alert(), F.alert(business: F.b)]
        sink.deliver(alerts)
        let (statistics, undelivered) = sink.finish(within: .seconds(5))
        #expect(statistics.delivered == 1 && statistics.rejected == 1 && statistics.requests == 2 && undelivered == 0)
        let bodies = recorder.seen.withLock { $0.map(\.body) }
        #expect(bodies == AlertmanagerEncoding.groups(alerts).map { AlertmanagerEncoding.webhookPayload($0, options: options) })
        #expect(recorder.seen.withLock { $0.allSatisfy { $0.path == "/hook" } })
    }

    @Test func finishGivesUpAtTheDeadlineAndCountsWhatIsLeft() throws {
        // Nothing listens on this port: every attempt fails to connect.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) } }
        let port = UInt16(bigEndian: address.sin_port)
        close(listener)
        let delivery = AlertDeliveryMachine.Configuration(capacity: 4, resendInterval: nil, initialBackoff: 50, maximumBackoff: 50)
        let sink = try HTTPAlertSink(configuration: .init(target: .alertmanager("http://127.0.0.1:\(port)"), delivery: delivery))
        sink.deliver((0..<6).map { F.alert(labels: ["n": String($0)]) })
        let (statistics, undelivered) = sink.finish(within: .milliseconds(300))
        #expect(statistics.dropped == 2 && statistics.delivered == 0 && undelivered == 4 && statistics.failedAttempts >= 1)
        sink.deliver([F.alert()])
        #expect(sink.statistics.droppedAfterClose == 1)
    }

    @Test func badTargetsAreRefusedAtStart() {
        #expect(throws: HTTPAlertSinkError.self) { try HTTPAlertSink(configuration: .init(target: .alertmanager("https://am:9093"))) }
        let ungrouped = HTTPAlertSink.Configuration(target: .webhook("http://127.0.0.1:1/x"), delivery: .init(groupBy: nil))
        #expect(throws: HTTPAlertSinkError.webhookNeedsGrouping) { try HTTPAlertSink(configuration: ungrouped) }
    }
}

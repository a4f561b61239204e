@testable import Integrity
import Testing
import Transport

@Suite struct AlertDeliveryMachineTests {
    typealias F = AlertFixture
    typealias Machine = AlertDeliveryMachine

    static func alerts(_ count: Int, business: PhoneNumber = F.a) -> [Alert] {
        (0..<count).map { F.alert(business: business, labels: ["n": String($0)]) }
    }

    /// The batch a `.send` action carries, or nil.
    static func sent(_ action: Machine.Action) -> Machine.Batch? {
        if case let .send(batch) = action { return batch }
        return nil
    }

    @Test func aBurstWakesTheEdgeOnceAndGoesOutInBatches() {
        var machine = Machine(configuration: .init(batchSize: 2, resendInterval: nil))
        let woke1 = machine.enqueue(Self.alerts(3), now: 0)
        #expect(woke1)
        let woke2 = machine.enqueue(Self.alerts(1, business: F.b), now: 0)
        #expect(!woke2)  // already woken
        let first = Self.sent(machine.next(now: 0))
        #expect(first?.alerts == Array(Self.alerts(3).prefix(2)) && first?.attempt == 1)
        let action3 = machine.next(now: 0)
        #expect(action3 == .none)  // one request at a time
        let woke4 = machine.enqueue(Self.alerts(1), now: 0)
        #expect(!woke4)  // in flight: its completion drives
        machine.completed(.delivered, now: 10)
        let action5 = machine.next(now: 10)
        #expect(Self.sent(action5)?.alerts.count == 2)
        machine.completed(.delivered, now: 20)
        let action6 = machine.next(now: 20)
        #expect(Self.sent(action6)?.alerts.count == 1)
        machine.completed(.delivered, now: 30)
        let action7 = machine.next(now: 30)
        #expect(action7 == .none && machine.isDrained)
        #expect(machine.statistics.delivered == 5 && machine.statistics.requests == 3)
    }

    @Test func retriesDoubleTheBackoffUpToTheMaximum() {
        var machine = Machine(configuration: .init(resendInterval: nil, initialBackoff: 500, maximumBackoff: 3000))
        _ = machine.enqueue(Self.alerts(1), now: 0)
        var now: Int64 = 0
        var waits: [Int64] = []
        let batch = Self.sent(machine.next(now: now))
        for attempt in 1...5 {
            machine.completed(.retryable(reason: "HTTP 500"), now: now)
            guard case let .wake(at) = machine.next(now: now) else { Issue.record("no wake after attempt \(attempt)"); return }
            let action8 = machine.next(now: at - 1)
            #expect(action8 == .wake(at: at))
            waits.append(at - now)
            now = at
            let retry = Self.sent(machine.next(now: now))
            #expect(retry?.alerts == batch?.alerts && retry?.attempt == attempt + 1)
        }
        #expect(waits == [500, 1000, 2000, 3000, 3000])
        machine.completed(.delivered, now: now)
        #expect(machine.statistics.failedAttempts == 5 && machine.statistics.requests == 6 && machine.statistics.delivered == 1)
    }

    @Test func rejectionsAreNotRetriedAndAttemptsCanBeCapped() {
        var machine = Machine(configuration: .init(resendInterval: nil, maximumAttempts: 2))
        _ = machine.enqueue(Self.alerts(2), now: 0)
        _ = machine.next(now: 0)
        machine.completed(.rejected(reason: "HTTP 400"), now: 0)
        #expect(machine.isDrained && machine.statistics.rejected == 2)
        _ = machine.enqueue(Self.alerts(1), now: 0)
        _ = machine.next(now: 0)
        machine.completed(.retryable(reason: "down"), now: 0)
        _ = machine.next(now: 500)
        machine.completed(.retryable(reason: "down"), now: 500)
        let action9 = machine.next(now: 10_000)
        #expect(machine.isDrained && machine.statistics.abandoned == 1 && action9 == .none)
    }

    @Test func aFullQueueDropsTheOldest() {
        var machine = Machine(configuration: .init(capacity: 3, batchSize: 10, resendInterval: nil))
        let alerts = Self.alerts(5)
        _ = machine.enqueue(alerts, now: 0)
        #expect(machine.queuedCount == 3 && machine.statistics.dropped == 2)
        let action10 = machine.next(now: 0)
        #expect(Self.sent(action10)?.alerts == Array(alerts.suffix(3)))
    }

    @Test func firingAlertsAreResentUntilResolved() {
        var machine = Machine(configuration: .init(resendInterval: 60_000))
        let reach = F.alert(labels: ["signal": "reach"])
        let cold = F.alert(labels: ["signal": "cold"])
        _ = machine.enqueue([reach, cold], now: 0)
        _ = machine.next(now: 0)
        machine.completed(.delivered, now: 5)
        let action11 = machine.next(now: 5)
        #expect(action11 == .wake(at: 60_000))
        let action12 = machine.next(now: 60_000)
        #expect(Set(Self.sent(action12)?.alerts ?? []) == [reach, cold])
        machine.completed(.delivered, now: 60_010)
        let resolved = F.alert(status: .resolved, time: F.start + 1, endsAt: F.start + 1, labels: ["signal": "cold"])
        _ = machine.enqueue([resolved], now: 70_000)
        let action13 = machine.next(now: 70_000)
        #expect(Self.sent(action13)?.alerts == [resolved])
        machine.completed(.delivered, now: 70_010)
        let action14 = machine.next(now: 70_010)
        #expect(action14 == .wake(at: 120_000))
        let action15 = machine.next(now: 120_000)
        #expect(Self.sent(action15)?.alerts == [reach])
        #expect(machine.statistics.resent == 3 && machine.activeCount == 1)
    }

    @Test func groupedBatchesHoldOneGroupEach() {
        var machine = Machine(configuration: .init(resendInterval: nil, groupBy: ["alertname", "business"]))
        let a1 = F.alert(labels: ["n": "1"]), b1 = F.alert(business: F.b), a2 = F.alert(labels: ["n": "2"])
        _ = machine.enqueue([a1, b1, a2], now: 0)
        let action16 = machine.next(now: 0)
        #expect(Self.sent(action16)?.alerts == [a1, a2])
        machine.completed(.delivered, now: 0)
        let action17 = machine.next(now: 0)
        #expect(Self.sent(action17)?.alerts == [b1])
    }

    @Test func closingStopsIntakeAndResendsAndShortensRetries() {
        var machine = Machine(configuration: .init(resendInterval: 60_000, initialBackoff: 100, maximumBackoff: 10_000))
        _ = machine.enqueue(Self.alerts(1), now: 0)
        _ = machine.next(now: 0)
        machine.completed(.retryable(reason: "x"), now: 0)
        _ = machine.next(now: 100)
        machine.completed(.retryable(reason: "x"), now: 100)  // would wait 200
        machine.close()
        let woke18 = machine.enqueue(Self.alerts(2), now: 100)
        #expect(!woke18 && machine.statistics.droppedAfterClose == 2)
        let action19 = machine.next(now: 100)
        #expect(action19 == .wake(at: 300))
        _ = machine.next(now: 300)
        machine.completed(.retryable(reason: "x"), now: 300)
        let action20 = machine.next(now: 300)
        #expect(action20 == .wake(at: 400))  // the initial backoff, not 400 more
        #expect(machine.undeliveredCount == 1)
        _ = machine.next(now: 400)
        machine.completed(.delivered, now: 410)
        let action21 = machine.next(now: 100_000)
        #expect(action21 == .none && machine.isDrained)
    }
}

import Testing
@testable import Transport

@Suite("TimerQueue")
struct TimerQueueTests {
    private func instant(_ milliseconds: UInt64) -> MonotonicInstant {
        MonotonicInstant(nanoseconds: milliseconds * 1_000_000)
    }

    private func drain(_ queue: inout TimerQueue<String>, at now: MonotonicInstant) -> [String] {
        let mark = queue.schedulingMark
        var fired: [String] = []
        while let (_, name) = queue.popDue(at: now, scheduledBefore: mark) { fired.append(name) }
        return fired
    }

    @Test func firesByDeadlineThenSchedulingOrder() {
        var queue = TimerQueue<String>()
        _ = queue.schedule(at: instant(30), "c")
        _ = queue.schedule(at: instant(10), "a")
        _ = queue.schedule(at: instant(20), "b1")
        _ = queue.schedule(at: instant(20), "b2")
        #expect(queue.nextDeadline() == instant(10))
        #expect(drain(&queue, at: instant(5)) == [])
        #expect(drain(&queue, at: instant(20)) == ["a", "b1", "b2"])
        #expect(drain(&queue, at: instant(100)) == ["c"])
        #expect(queue.isEmpty && queue.nextDeadline() == nil)
    }

    @Test func cancelledTimersNeverFire() {
        var queue = TimerQueue<String>()
        let a = queue.schedule(at: instant(10), "a")
        _ = queue.schedule(at: instant(20), "b")
        #expect(queue.cancel(a) == "a")
        #expect(queue.cancel(a) == nil)
        #expect(queue.nextDeadline() == instant(20))
        #expect(drain(&queue, at: instant(100)) == ["b"])
    }

    @Test func timersScheduledDuringABatchWaitForTheNext() {
        var queue = TimerQueue<String>()
        _ = queue.schedule(at: instant(10), "first")
        let mark = queue.schedulingMark
        #expect(queue.popDue(at: instant(10), scheduledBefore: mark)?.1 == "first")
        _ = queue.schedule(at: instant(10), "rescheduled")
        #expect(queue.popDue(at: instant(10), scheduledBefore: mark) == nil)
        #expect(drain(&queue, at: instant(10)) == ["rescheduled"])
    }

    @Test func cancellationKeepsStorageProportionalToLiveTimers() {
        var queue = TimerQueue<Int>()
        for round in 0..<10_000 {
            let id = queue.schedule(at: instant(UInt64(round)), round)
            queue.cancel(id)
        }
        #expect(queue.isEmpty)
        #expect(queue.storedEntryCount <= 130)
    }

    @Test(arguments: 0..<20)
    func matchesASortedReference(seed: Int) {
        var queue = TimerQueue<Int>()
        var reference: [(deadline: UInt64, order: Int)] = []
        var ids: [Int: TimerID] = [:]
        let bytes = SystemTestSupport.bytes(count: 600, seed: UInt64(seed))
        for index in 0..<200 {
            let deadline = UInt64(bytes[index] % 50)
            ids[index] = queue.schedule(at: instant(deadline), index)
            reference.append((deadline, index))
        }
        for index in 0..<200 where bytes[200 + index] % 4 == 0 {
            if let id = ids[index] { queue.cancel(id) }
            reference.removeAll { $0.order == index }
        }
        var fired: [Int] = []
        var now: UInt64 = 0
        while !queue.isEmpty {
            now += 1 + UInt64(bytes[400 + Int(now % 200)] % 7)
            let mark = queue.schedulingMark
            while let (_, order) = queue.popDue(at: instant(now), scheduledBefore: mark) { fired.append(order) }
        }
        let expected = reference.sorted { ($0.deadline, $0.order) < ($1.deadline, $1.order) }.map(\.order)
        #expect(fired == expected, "seed \(seed)")
    }
}

import Testing
@testable import Transport

/// `HTTPWaitingQueue`: a pool's waiting requests in arrival order (retries first), finished ones
/// skipped, through the compactions that keep taking the oldest O(1).
@Suite struct HTTPWaitingQueueTests {
    static func exchange(_ index: Int) -> HTTPClientExchange {
        HTTPClientExchange(method: .get, bytes: [UInt8(truncatingIfNeeded: index)], closesConnection: false, timeout: .seconds(1)) { _ in }
    }

    static func tag(_ exchange: HTTPClientExchange?) -> Int? { exchange.map { Int($0.bytes[0]) } }

    @Test func takesTheOldestFirstAcrossCompactions() {
        var queue = HTTPWaitingQueue()
        var expected: [Int] = []
        var taken: [Int] = []
        var next = 0
        // Grow to 200, take 150, grow again, then drain: compactions happen on the way.
        for round in [(200, 150), (100, 0), (0, 150)] {
            for _ in 0..<round.0 {
                queue.append(Self.exchange(next % 256))
                expected.append(next % 256)
                next += 1
            }
            for _ in 0..<(round.1 == 0 ? 0 : min(round.1, queue.count)) {
                if let value = Self.tag(queue.popFirstUnfinished()) { taken.append(value) }
            }
            #expect(queue.count == expected.count - taken.count)
        }
        #expect(taken == expected && queue.isEmpty && queue.popFirstUnfinished() == nil)
    }

    @Test func finishedRequestsAreSkippedAndARetryGoesFirst() {
        var queue = HTTPWaitingQueue()
        let requests = (0..<6).map(Self.exchange)
        for request in requests { queue.append(request) }
        requests[0].finish(.failure(.shutDown))
        requests[1].finish(.failure(.shutDown))
        requests[3].finish(.failure(.shutDown))
        #expect(queue.unfinishedCount(upTo: 10) == 3 && queue.unfinishedCount(upTo: 2) == 2)
        queue.dropFinishedAtFront()
        #expect(queue.count == 4 && !queue.isEmpty)  // 2, 3 (finished, not at the front), 4, 5
        #expect(queue.unfinishedCount(upTo: 10) == 3)  // the pool opens connections for these
        #expect(Self.tag(queue.popFirstUnfinished()) == 2)
        queue.prepend(Self.exchange(9))
        #expect(Self.tag(queue.popFirstUnfinished()) == 9)
        #expect(Self.tag(queue.popFirstUnfinished()) == 4)
        queue.prepend(Self.exchange(8))
        #expect(queue.removeAll().map(\.bytes) == [[8], [5]])
        #expect(queue.isEmpty && queue.count == 0)
        queue.prepend(Self.exchange(7))  // onto an empty queue
        requests[5].finish(.failure(.shutDown))
        #expect(Self.tag(queue.popFirstUnfinished()) == 7 && queue.popFirstUnfinished() == nil)
    }

    @Test func aTakenRequestIsNotKeptAlive() {
        var queue = HTTPWaitingQueue()
        weak var weakRequest: HTTPClientExchange?
        do {
            let request = Self.exchange(1)
            weakRequest = request
            queue.append(request)
            queue.append(Self.exchange(2))
        }
        _ = queue.popFirstUnfinished()
        #expect(weakRequest == nil && queue.count == 1)
    }
}

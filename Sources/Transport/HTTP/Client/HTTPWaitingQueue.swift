/// The requests of one pool waiting for a connection, oldest first: an array read from `head`,
/// so taking the oldest is O(1) and finished requests (timed out while waiting) are skipped as
/// they come up. Before, every pump filtered the whole queue and `removeFirst()` moved every
/// request still waiting: O(n) per request for a business client that saturates its pool.
struct HTTPWaitingQueue {
    private var storage: [HTTPClientExchange?] = []
    private var head = 0

    /// Whether nothing waits (finished requests not yet skipped count as waiting).
    var isEmpty: Bool { head == storage.count }

    /// How many requests wait, finished ones not yet skipped included.
    var count: Int { storage.count - head }

    /// Puts `exchange` last in line.
    mutating func append(_ exchange: HTTPClientExchange) { storage.append(exchange) }

    /// Puts `exchange` first in line (a retry).
    mutating func prepend(_ exchange: HTTPClientExchange) {
        if head > 0 {
            head -= 1
            storage[head] = exchange
        } else {
            storage.insert(exchange, at: 0)
        }
    }

    /// Drops the finished requests at the front, so that `isEmpty` and `count` see the next one
    /// that still waits.
    mutating func dropFinishedAtFront() {
        while head < storage.count, storage[head]?.isFinished ?? true { take() }
        compactIfWorthIt()
    }

    /// How many requests that have not finished wait, counted up to `limit` (a bounded scan:
    /// requests that timed out behind the first one still waiting are skipped, not counted).
    func unfinishedCount(upTo limit: Int) -> Int {
        var count = 0
        var index = head
        while count < limit, index < storage.count {
            if let exchange = storage[index], !exchange.isFinished { count += 1 }
            index += 1
        }
        return count
    }

    /// The oldest request that has not finished, taken out of the queue; `nil` if none waits.
    mutating func popFirstUnfinished() -> HTTPClientExchange? {
        defer { compactIfWorthIt() }
        while head < storage.count {
            if let exchange = take(), !exchange.isFinished { return exchange }
        }
        return nil
    }

    /// Everything still in the queue, oldest first; the queue is left empty.
    mutating func removeAll() -> [HTTPClientExchange] {
        let waiting = storage[head...].compactMap { $0 }
        storage.removeAll()
        head = 0
        return waiting
    }

    @discardableResult
    private mutating func take() -> HTTPClientExchange? {
        let exchange = storage[head]
        storage[head] = nil  // not kept alive by the queue once taken
        head += 1
        return exchange
    }

    /// Moves the waiting requests to the front once at least half the array (and 32 slots) is
    /// taken: amortized O(1) per request.
    private mutating func compactIfWorthIt() {
        if head == storage.count {
            storage.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 32 && head * 2 >= storage.count {
            storage.removeFirst(head)
            head = 0
        }
    }
}

/// Identifies a scheduled timer so it can be cancelled.
public struct TimerID: Hashable, Sendable {
    let rawValue: UInt64
}

/// Timers ordered by deadline: a binary min-heap keyed by (deadline, scheduling order), so timers
/// with equal deadlines fire in the order they were scheduled.
///
/// A pure value: it holds payloads and deadlines and never reads a clock; the event loop asks it
/// what is due at the time it read. Cancellation is lazy: the payload is dropped at once and the
/// heap entry is skipped when it surfaces; the heap is rebuilt when dead entries dominate, so
/// memory stays proportional to the live timers.
struct TimerQueue<Payload> {
    private struct Entry {
        let deadline: MonotonicInstant
        let id: UInt64

        func precedes(_ other: Entry) -> Bool {
            deadline != other.deadline ? deadline < other.deadline : id < other.id
        }
    }

    private var heap: [Entry] = []
    private var payloads: [UInt64: Payload] = [:]
    private var nextID: UInt64 = 1

    /// The number of live (scheduled, not cancelled, not fired) timers.
    var count: Int { payloads.count }

    /// Whether no timer is live.
    var isEmpty: Bool { payloads.isEmpty }

    /// Heap entries including cancelled ones not yet skipped; for tests of the compaction bound.
    var storedEntryCount: Int { heap.count }

    /// Schedules `payload` to be due at `deadline`.
    mutating func schedule(at deadline: MonotonicInstant, _ payload: Payload) -> TimerID {
        let id = nextID
        nextID += 1
        payloads[id] = payload
        push(Entry(deadline: deadline, id: id))
        return TimerID(rawValue: id)
    }

    /// Cancels a timer; returns its payload, or nil if it already fired or was cancelled.
    @discardableResult
    mutating func cancel(_ timer: TimerID) -> Payload? {
        guard let payload = payloads.removeValue(forKey: timer.rawValue) else { return nil }
        if heap.count > 64 && heap.count > 2 * payloads.count {
            compact()
        }
        return payload
    }

    /// The earliest live deadline, if any.
    mutating func nextDeadline() -> MonotonicInstant? {
        dropDeadTop()
        return heap.first?.deadline
    }

    /// A marker for "timers scheduled so far": pass it to `popDue` so timers scheduled while
    /// firing a batch wait for the next batch instead of running in an endless loop.
    var schedulingMark: TimerID { TimerID(rawValue: nextID) }

    /// Removes and returns the earliest timer due at `now` (deadline ≤ now) that was scheduled
    /// before `mark`, or nil.
    mutating func popDue(at now: MonotonicInstant, scheduledBefore mark: TimerID) -> (TimerID, Payload)? {
        dropDeadTop()
        guard let top = heap.first, top.deadline <= now, top.id < mark.rawValue else { return nil }
        popTop()
        guard let payload = payloads.removeValue(forKey: top.id) else { return nil }
        return (TimerID(rawValue: top.id), payload)
    }

    /// Removes every timer.
    mutating func removeAll() {
        heap.removeAll()
        payloads.removeAll()
    }

    // MARK: - Heap

    private mutating func dropDeadTop() {
        while let top = heap.first, payloads[top.id] == nil {
            popTop()
        }
    }

    private mutating func push(_ entry: Entry) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func popTop() {
        let last = heap.removeLast()
        guard !heap.isEmpty else { return }
        heap[0] = last
        siftDown(from: 0)
    }

    private mutating func siftDown(from start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { return }
            let right = left + 1
            var smallest = left
            if right < heap.count && heap[right].precedes(heap[left]) { smallest = right }
            guard heap[smallest].precedes(heap[parent]) else { return }
            heap.swapAt(smallest, parent)
            parent = smallest
        }
    }

    private mutating func compact() {
        heap.removeAll { payloads[$0.id] == nil }
        // Heapify bottom-up.
        var index = heap.count / 2
        while index > 0 {
            index -= 1
            siftDown(from: index)
        }
    }
}

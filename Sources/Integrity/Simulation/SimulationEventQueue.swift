/// A binary min-heap of generated events, ordered by (time, generation order).
///
/// Generators push whole cascades at once (a message and its delivery, read, reply, block…), most
/// of them in the future; the simulator pops everything earlier than the end of the slice it has
/// just generated. Nothing generated later can be earlier than that, because every generator only
/// starts cascades inside the current slice and every consequence follows its cause.
struct SimulationEventQueue: Sendable {
    private var heap: [SimulatedEvent] = []
    private var nextSequence: UInt64 = 0
    /// Everything before this time has been written; pushing earlier is a generator bug.
    private(set) var watermark: Int64 = .min
    /// Events at or after this time are outside the capture and dropped.
    let end: Int64

    /// An empty queue for a capture ending at `end`.
    init(end: Int64) { self.end = end }

    /// How many events wait.
    var count: Int { heap.count }

    /// Adds an event (dropped if at or after ``end``).
    mutating func push(
        _ kind: SimulatedEvent.Kind, at time: Int64, business: UInt32, user: Int,
        detail: UInt8 = 0, sizeLog2: UInt8 = 0
    ) {
        precondition(time >= watermark, "a generator went back in time")
        guard time < end else { return }
        let event = SimulatedEvent(
            time: time, sequence: nextSequence, business: business, user: UInt32(truncatingIfNeeded: user),
            kind: kind, detail: detail, sizeLog2: sizeLog2)
        nextSequence &+= 1
        heap.append(event)
        siftUp(heap.count - 1)
    }

    /// Removes and returns the earliest event if it is before `limit`; advances the watermark.
    mutating func popEarliest(before limit: Int64) -> SimulatedEvent? {
        watermark = max(watermark, limit)
        guard let first = heap.first, first.time < limit else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            siftDown(0)
        }
        return first
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        let moving = heap[child]
        while child > 0 {
            let parent = (child - 1) / 2
            guard moving < heap[parent] else { break }
            heap[child] = heap[parent]
            child = parent
        }
        heap[child] = moving
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        let moving = heap[parent]
        let count = heap.count
        while true {
            let left = 2 * parent + 1
            guard left < count else { break }
            let right = left + 1
            let smaller = right < count && heap[right] < heap[left] ? right : left
            guard heap[smaller] < moving else { break }
            heap[parent] = heap[smaller]
            parent = smaller
        }
        heap[parent] = moving
    }
}

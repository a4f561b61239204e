/// A first-in first-out buffer of fixed capacity: appending to a full ring overwrites the oldest
/// element, so memory never grows past `capacity` elements.
struct RingBuffer<Element> {
    /// The most elements held.
    let capacity: Int
    private var storage: [Element] = []
    /// Where the oldest element is once the ring is full (0 until then).
    private var head = 0

    /// An empty ring holding at most `capacity` (≥ 1) elements.
    init(capacity: Int) {
        precondition(capacity >= 1, "a ring holds at least one element")
        self.capacity = capacity
    }

    /// Elements held (≤ ``capacity``).
    var count: Int { storage.count }

    /// Whether nothing was appended yet.
    var isEmpty: Bool { storage.isEmpty }

    /// The newest element.
    var last: Element? {
        guard !storage.isEmpty else { return nil }
        return storage.count < capacity ? storage[storage.count - 1] : storage[(head + capacity - 1) % capacity]
    }

    /// Appends `element`, dropping the oldest one when full.
    mutating func append(_ element: Element) {
        if storage.count < capacity {
            storage.append(element)
        } else {
            storage[head] = element
            head = (head + 1) % capacity
        }
    }

    /// The elements, oldest first.
    var elements: [Element] {
        guard head > 0 else { return storage }
        return Array(storage[head...]) + storage[..<head]
    }
}

extension RingBuffer: Sendable where Element: Sendable {}

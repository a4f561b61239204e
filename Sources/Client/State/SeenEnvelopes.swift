public import Transport

/// The ids of the most recent envelopes a phone has processed, so an envelope the relay delivers
/// again (it re-sends whatever was not acknowledged) is recognised and not shown twice.
///
/// Bounded: it keeps the newest `capacity` ids and forgets the oldest. The relay only re-sends
/// envelopes that were never acknowledged, and a phone acknowledges right after recording, so a
/// redelivery is never more than a few envelopes old.
public struct SeenEnvelopes: Sendable, Equatable {
    /// The most ids kept.
    public let capacity: Int
    /// The ids, oldest at `oldest`, as a ring once full.
    private var ring: [EnvelopeID] = []
    /// Where the oldest id is (0 until the ring is full).
    private var oldest = 0
    private var members: Set<EnvelopeID> = []

    /// An empty set that keeps up to `capacity` ids (at least 1).
    public init(capacity: Int) {
        precondition(capacity >= 1, "SeenEnvelopes needs a capacity of at least 1")
        self.capacity = capacity
    }

    /// The number of ids kept.
    public var count: Int { ring.count }

    /// Whether `id` is among the kept ids.
    public func contains(_ id: EnvelopeID) -> Bool { members.contains(id) }

    /// The kept ids, oldest first.
    public var ids: [EnvelopeID] { Array(ring[oldest...] + ring[..<oldest]) }

    /// Records `id`; returns `false` if it was already there. When full, the oldest id is dropped.
    @discardableResult
    public mutating func insert(_ id: EnvelopeID) -> Bool {
        guard members.insert(id).inserted else { return false }
        if ring.count < capacity {
            ring.append(id)
        } else {
            members.remove(ring[oldest])
            ring[oldest] = id
            oldest = (oldest + 1) % capacity
        }
        return true
    }

    /// Equal when they keep the same capacity and the same ids in the same order.
    public static func == (lhs: SeenEnvelopes, rhs: SeenEnvelopes) -> Bool {
        lhs.capacity == rhs.capacity && lhs.ids == rhs.ids
    }
}

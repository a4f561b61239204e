/// One sender's idempotency window: its most recent accepted sends (client message id → the
/// `accepted` it got), at most `limit` of them, oldest evicted first, and none older than the
/// relay's idempotency window once housekeeping has run.
///
/// A ring of entries in acceptance order. Clients number their sends with a counter, so the ids in
/// the ring normally increase: then a new id is recognized as new by one comparison with the
/// newest, and a repeat is found by binary search — no hash table at all. The first time a sender's
/// ids go backwards (a client that picks them otherwise), the window builds an ``IntegerTable``
/// from client message id to ring slot and uses it from then on. Ring and table grow by doubling
/// up to the limit, so the largest re-hash ever done is one sender's table of `2 × limit` slots —
/// never the whole relay's history, as one global map of every send of the last 24 hours would
/// be. An idle sender's window is freed entirely when it expires.
struct SendWindow {
    /// One remembered send.
    struct Entry {
        /// The sender's idempotency key.
        var clientMessageID: UInt64
        /// The envelope it was accepted as.
        var id: EnvelopeID
        /// When it was accepted (ms since the epoch).
        var time: Int64
    }

    private var ring: [Entry] = []
    /// Ring slot of the oldest entry.
    private var start = 0
    /// Entries held.
    private(set) var count = 0
    /// Client message id → ring slot of its newest entry; `nil` while the ids in the ring strictly
    /// increase from oldest to newest.
    private var slots: IntegerTable<UInt32>?
    private let seed: UInt64

    /// An empty window whose table, if it ever needs one, mixes keys with `seed`.
    init(seed: UInt64) {
        self.seed = seed
    }

    /// Whether the window uses a hash table (its sender's ids did not always increase).
    var isIndexed: Bool { slots != nil }

    /// The remembered send with `clientMessageID`, if it is still in the window.
    func entry(for clientMessageID: UInt64) -> Entry? {
        guard count > 0 else { return nil }
        if let slots {
            guard let slot = slots[clientMessageID] else { return nil }
            return ring[Int(slot)]
        }
        guard clientMessageID <= ring[slot(at: count - 1)].clientMessageID,
              clientMessageID >= ring[start].clientMessageID else { return nil }
        var low = 0
        var high = count
        while low < high {
            let middle = low + (high - low) / 2
            let found = ring[slot(at: middle)]
            if found.clientMessageID == clientMessageID { return found }
            if found.clientMessageID < clientMessageID { low = middle + 1 } else { high = middle }
        }
        return nil
    }

    /// Remembers an accepted send, evicting the oldest when `limit` are held. Entries must come
    /// in acceptance order (times never decrease).
    mutating func remember(_ entry: Entry, limit: Int) {
        precondition(limit > 0, "a send window holds at least one entry")
        if count == limit {
            evictOldest()
        } else if count == ring.count {
            grow(limit: limit)
        }
        if slots == nil, count > 0, entry.clientMessageID <= ring[slot(at: count - 1)].clientMessageID {
            buildIndex()
        }
        let slot = slot(at: count)
        ring[slot] = entry
        count += 1
        slots?.insert(UInt32(truncatingIfNeeded: slot), forKey: entry.clientMessageID)
    }

    /// Forgets entries accepted at or before `cutoff`; an emptied window frees its storage (and
    /// starts again without a table).
    mutating func expire(acceptedAtOrBefore cutoff: Int64) {
        while count > 0, ring[start].time <= cutoff { evictOldest() }
        if count == 0, !ring.isEmpty {
            ring = []
            start = 0
            slots = nil
        }
    }

    /// The ring slot of the entry `offset` places after the oldest.
    private func slot(at offset: Int) -> Int {
        let slot = start + offset
        return slot >= ring.count ? slot - ring.count : slot
    }

    /// Drops the oldest entry; its key leaves the table unless a newer entry reused it.
    private mutating func evictOldest() {
        if slots != nil {
            let oldest = ring[start].clientMessageID
            if slots?[oldest] == UInt32(truncatingIfNeeded: start) { slots?.removeValue(forKey: oldest) }
        }
        start += 1
        if start == ring.count { start = 0 }
        count -= 1
    }

    /// Doubles the ring (8 at first, at most `limit`), oldest first from slot 0, and re-indexes.
    private mutating func grow(limit: Int) {
        let capacity = min(limit, max(8, ring.count * 2))
        var grown: [Entry] = []
        grown.reserveCapacity(capacity)
        for offset in 0..<count { grown.append(ring[slot(at: offset)]) }
        let filler = Entry(clientMessageID: 0, id: EnvelopeID(high: 0, low: 0), time: 0)
        grown.append(contentsOf: repeatElement(filler, count: capacity - count))
        ring = grown
        start = 0
        if slots != nil { buildIndex() }
    }

    /// Indexes every entry by client message id (newer entries win).
    private mutating func buildIndex() {
        var table = IntegerTable<UInt32>(seed: seed, minimumCapacity: ring.count)
        for offset in 0..<count {
            let slot = slot(at: offset)
            table.insert(UInt32(truncatingIfNeeded: slot), forKey: ring[slot].clientMessageID)
        }
        slots = table
    }
}

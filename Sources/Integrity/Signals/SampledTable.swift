/// An entry of a ``SampledTable``: a user's fingerprint, the sampling rank and epoch parity of the
/// pseudonym it was stored under, and whatever the table's owner keeps per user.
protocol SampledTableEntry {
    /// The user's ``Pseudonym/fingerprint``; 0 marks an empty slot.
    var fingerprint: UInt32 { get }
    /// The pseudonym's ``Pseudonym/samplingRank`` (0…63).
    var rank: Int { get }
    /// The low bit of the epoch whose key made the pseudonym.
    var parity: UInt8 { get }
    /// An empty slot.
    static var empty: Self { get }
}

/// A per-business table of users with adaptive sampling: exact while it has room, a uniform
/// sample of users once it does not.
///
/// Open addressing with linear probing on the (already uniformly random) fingerprint, growing by
/// doubling from 16 slots up to `maximumSlots` at a load of ¾. When full, dead entries are
/// dropped first; if that is not enough the sampling *level* goes up by one: only users whose
/// pseudonym has ``Pseudonym/samplingRank`` ≥ level are kept (rate 2^−level), which drops about
/// half of the entries. Counts taken over the table are multiplied by 2^level to estimate the
/// whole (an unbiased estimate, since the pseudonym is a keyed PRF no one can steer). The level
/// goes back to 0 only when the table empties.
///
/// Growth, purges and level changes allocate; finding, inserting into a table with room and
/// updating an entry do not.
struct SampledTable<Entry: SampledTableEntry> {
    /// The slots (a power of two, or empty before the first insert).
    var slots: [Entry] = []
    /// Occupied slots.
    var count = 0
    /// The sampling level: the table keeps users with sampling rank ≥ level.
    var level = 0
    /// The most slots the table may have (a power of two ≥ 16).
    let maximumSlots: Int

    /// The first allocation's size.
    static var initialSlots: Int { 16 }

    /// An empty table (no allocation until the first insert).
    init(maximumSlots: Int) {
        precondition(maximumSlots >= Self.initialSlots && maximumSlots & (maximumSlots - 1) == 0,
                     "table size must be a power of two ≥ 16")
        self.maximumSlots = maximumSlots
    }

    /// Whether a user with this rank belongs to the sample.
    @inline(__always)
    func samples(rank: Int) -> Bool { rank >= level }

    /// 2^level: what one entry stands for in an estimate (built from its bits: the level is at
    /// most 64, far inside the exponent's range; `Double(sign:exponent:significand:)` is a call).
    @inline(__always)
    var scale: Double { Double(bitPattern: UInt64(1023 + level) << 52) }

    /// The slot holding `fingerprint` under `parity`, or nil.
    @inline(__always)
    func find(fingerprint: UInt32, parity: UInt8) -> Int? {
        guard !slots.isEmpty else { return nil }
        let mask = slots.count - 1
        var index = Int(fingerprint) & mask
        while true {
            let slot = slots[index]
            if slot.fingerprint == 0 { return nil }
            if slot.fingerprint == fingerprint && slot.parity == parity { return index }
            index = (index &+ 1) & mask
        }
    }

    /// Loads the home slot of `fingerprint` (the look-ahead: no effect but on the cache); returns
    /// a value derived from it.
    @inline(__always)
    func warm(fingerprint: UInt32) -> UInt64 {
        guard !slots.isEmpty else { return 0 }
        return UInt64(slots[Int(fingerprint) & (slots.count - 1)].fingerprint)
    }

    /// The entry at `index`.
    @inline(__always)
    subscript(index: Int) -> Entry {
        get { slots[index] }
        _modify { yield &slots[index] }
    }

    /// Stores a new entry (absent from the table, from a sampled user), making room first:
    /// growing, dropping entries for which `isLive` is false, raising the level. Returns its slot,
    /// or nil when the level rose past the entry's rank. `removed` sees every entry dropped.
    mutating func insert(_ entry: Entry, isLive: (Entry) -> Bool, removed: (Entry) -> Void) -> Int? {
        if !hasRoom {
            if slots.count < maximumSlots {
                resize(to: max(Self.initialSlots, slots.count * 2))
            } else {
                removeAll(where: { !isLive($0) }, removed: removed)
                while !hasRoom {
                    level += 1
                    let newLevel = level
                    removeAll(where: { $0.rank < newLevel }, removed: removed)
                }
                guard entry.rank >= level else { return nil }
            }
        }
        return insertWithRoom(entry)
    }

    /// Whether one more entry fits without growing, purging or raising the level (at a load of
    /// at most ¾); a table with no slots yet has no room.
    @inline(__always)
    var hasRoom: Bool { (count + 1) * 4 <= slots.count * 3 }

    /// Stores a new entry (absent from the table, from a sampled user) in a table that
    /// ``hasRoom``; returns its slot. The common case of ``insert(_:isLive:removed:)``, without
    /// its callbacks: nothing is dropped, nothing allocated.
    @inline(__always)
    mutating func insertWithRoom(_ entry: Entry) -> Int {
        assert(hasRoom, "insertWithRoom needs room: use insert(_:isLive:removed:)")
        let mask = slots.count - 1
        var index = Int(entry.fingerprint) & mask
        while slots[index].fingerprint != 0 { index = (index &+ 1) & mask }
        slots[index] = entry
        count += 1
        return index
    }

    /// Removes the entry at `index`, shifting later entries of its probe run back (no tombstones).
    mutating func remove(at index: Int) {
        let mask = slots.count - 1
        var hole = index
        var next = (index + 1) & mask
        while slots[next].fingerprint != 0 {
            let home = Int(slots[next].fingerprint) & mask
            // Move the entry into the hole unless its home lies cyclically in (hole, next].
            let distanceToHome = (next - home) & mask
            let distanceToHole = (next - hole) & mask
            if distanceToHome >= distanceToHole {
                slots[hole] = slots[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        slots[hole] = .empty
        count -= 1
        if count == 0 { level = 0 }
    }

    /// Drops every entry matching `predicate` (one rebuild); resets the level when none is left.
    /// `predicate` must be pure: it is asked twice about each entry.
    mutating func removeAll(where predicate: (Entry) -> Bool, removed: (Entry) -> Void) {
        guard count > 0 else { return }
        var dropped = 0
        for slot in slots where slot.fingerprint != 0 && predicate(slot) {
            removed(slot)
            dropped += 1
        }
        guard dropped > 0 else { return }
        rebuild(slotCount: slots.count) { !predicate($0) }
        if count == 0 { level = 0 }
    }

    /// Applies `body` to every occupied slot in place.
    mutating func updateAll(_ body: (inout Entry) -> Void) {
        for index in slots.indices where slots[index].fingerprint != 0 { body(&slots[index]) }
    }

    /// Calls `body` with every entry.
    func forEach(_ body: (Entry) -> Void) {
        for slot in slots where slot.fingerprint != 0 { body(slot) }
    }

    /// Drops everything and frees the slots.
    mutating func clear() {
        slots = []
        count = 0
        level = 0
    }

    /// Heap bytes held (slots only; the array header is counted by the caller's estimate).
    var heapBytes: Int { slots.capacity * MemoryLayout<Entry>.stride }

    private mutating func resize(to slotCount: Int) {
        rebuild(slotCount: slotCount) { _ in true }
    }

    /// Re-inserts the entries that `keep` accepts into `slotCount` fresh slots (one allocation).
    private mutating func rebuild(slotCount: Int, keeping keep: (Entry) -> Bool) {
        var fresh = [Entry](repeating: .empty, count: slotCount)
        let mask = slotCount - 1
        var kept = 0
        for entry in slots where entry.fingerprint != 0 && keep(entry) {
            var index = Int(entry.fingerprint) & mask
            while fresh[index].fingerprint != 0 { index = (index &+ 1) & mask }
            fresh[index] = entry
            kept += 1
        }
        slots = fresh
        count = kept
    }
}

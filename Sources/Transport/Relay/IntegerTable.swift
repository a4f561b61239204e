/// An open-addressing hash table from `UInt64` keys to values, for the relay core's per-request
/// look-ups (numbers → users, connections, a sender's recent client message ids).
///
/// Why not `Dictionary`: every `Dictionary` operation seeds and finalizes a SipHash-1-3 `Hasher`,
/// which was a fifth of the relay thread's time. Here a key is mixed with two multiplications,
/// probing is linear over one array, the load factor stays at or below ½, and deletion shifts
/// later entries back (no tombstones), so look-ups never degrade with churn.
///
/// The mix is keyed by a random `seed`, so keys a client chooses (client message ids) cannot be
/// aimed at one probe run without knowing it; a run that still grows long costs only the tables
/// that key space reaches (a sender's own window is bounded). Not a cryptographic guarantee.
struct IntegerTable<Value> {
    private var keys: [UInt64] = []
    /// `nil` marks an empty slot.
    private var values: [Value?] = []
    /// Capacity − 1 (capacity is a power of two), or −1 before the first insertion.
    private var mask = -1
    /// Entries stored.
    private(set) var count = 0
    private let seed: UInt64

    /// An empty table mixing keys with `seed`, with room for `minimumCapacity` entries.
    init(seed: UInt64, minimumCapacity: Int = 0) {
        self.seed = seed
        if minimumCapacity > 0 { resize(to: Self.capacity(for: minimumCapacity)) }
    }

    /// Whether the table holds nothing.
    var isEmpty: Bool { count == 0 }

    /// The value stored for `key`; assigning `nil` removes it.
    subscript(key: UInt64) -> Value? {
        get {
            guard let slot = slot(of: key) else { return nil }
            return values[slot]
        }
        set {
            if let newValue { insert(newValue, forKey: key) } else { removeValue(forKey: key) }
        }
    }

    /// Stores `value` for `key`, replacing any earlier value.
    mutating func insert(_ value: Value, forKey key: UInt64) {
        if (count + 1) * 2 > mask + 1 { resize(to: Self.capacity(for: count + 1)) }
        var slot = bucket(of: key)
        while values[slot] != nil {
            if keys[slot] == key {
                values[slot] = value
                return
            }
            slot = (slot + 1) & mask
        }
        keys[slot] = key
        values[slot] = value
        count += 1
    }

    /// Runs `body` on the value stored for `key`, in place; `nil` if there is none.
    mutating func modifyValue<Result>(forKey key: UInt64, _ body: (inout Value) -> Result) -> Result? {
        guard let slot = slot(of: key) else { return nil }
        return body(&values[slot]!)
    }

    /// Removes and returns the value for `key`. Later entries of the probe run move back into the
    /// hole, so no deleted marker is left behind.
    @discardableResult
    mutating func removeValue(forKey key: UInt64) -> Value? {
        guard var hole = slot(of: key) else { return nil }
        let removed = values[hole]
        values[hole] = nil
        count -= 1
        var slot = (hole + 1) & mask
        while values[slot] != nil {
            // An entry may move back to the hole unless its home bucket lies cyclically after the
            // hole and at or before its current slot (then it would be moved before its home).
            let home = bucket(of: keys[slot])
            let distanceToSlot = (slot - home) & mask
            let distanceToHole = (hole - home) & mask
            if distanceToHole < distanceToSlot {
                keys[hole] = keys[slot]
                values[hole] = values[slot]
                values[slot] = nil
                hole = slot
            }
            slot = (slot + 1) & mask
        }
        return removed
    }

    /// Removes every entry; keeps the storage when `keepingCapacity`.
    mutating func removeAll(keepingCapacity: Bool = false) {
        if keepingCapacity, mask >= 0 {
            for slot in 0...mask { values[slot] = nil }
        } else {
            keys = []
            values = []
            mask = -1
        }
        count = 0
    }

    /// Calls `body` with every key and value, in no particular order.
    func forEach(_ body: (UInt64, Value) -> Void) {
        guard mask >= 0 else { return }
        for slot in 0...mask {
            if let value = values[slot] { body(keys[slot], value) }
        }
    }

    /// The keys, in no particular order.
    var allKeys: [UInt64] {
        var result: [UInt64] = []
        result.reserveCapacity(count)
        forEach { key, _ in result.append(key) }
        return result
    }

    // MARK: Internals

    /// The slot holding `key`, if any.
    private func slot(of key: UInt64) -> Int? {
        guard count > 0 else { return nil }
        var slot = bucket(of: key)
        while values[slot] != nil {
            if keys[slot] == key { return slot }
            slot = (slot + 1) & mask
        }
        return nil
    }

    /// The home bucket of `key`: the seeded key through a 64-bit multiply-xorshift mix
    /// (the multipliers are odd, so each step is a bijection; `&*` wraps on purpose).
    private func bucket(of key: UInt64) -> Int {
        var mixed = (key ^ seed) &* 0x9E37_79B9_7F4A_7C15
        mixed ^= mixed >> 32
        mixed = mixed &* 0xD6E8_FEB8_6659_FD93
        mixed ^= mixed >> 29
        return Int(truncatingIfNeeded: mixed) & mask
    }

    /// The power-of-two capacity that keeps `count` entries at a load of at most ½ (at least 8).
    private static func capacity(for count: Int) -> Int {
        var capacity = 8
        while capacity < count * 2 { capacity <<= 1 }
        return capacity
    }

    private mutating func resize(to capacity: Int) {
        let oldKeys = keys
        let oldValues = values
        keys = Array(repeating: 0, count: capacity)
        values = Array(repeating: nil, count: capacity)
        mask = capacity - 1
        count = 0
        for (slot, value) in oldValues.enumerated() {
            guard let value else { continue }
            var target = bucket(of: oldKeys[slot])
            while values[target] != nil { target = (target + 1) & mask }
            keys[target] = oldKeys[slot]
            values[target] = value
            count += 1
        }
    }
}

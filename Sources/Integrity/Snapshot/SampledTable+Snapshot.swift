/// A table entry that snapshots itself: 12 bytes, written field by field.
protocol SnapshotEntry: SampledTableEntry {
    func write(to writer: inout SnapshotWriter)
    static func read(from reader: inout SnapshotReader) throws(SnapshotError) -> Self
}

extension ContactProof: SnapshotEntry {
    func write(to writer: inout SnapshotWriter) {
        writer.uint32(fingerprint)
        writer.uint16(delivered)
        writer.uint16(blocked)
        writer.uint16(reported)
        writer.uint16(meta)
    }

    static func read(from reader: inout SnapshotReader) throws(SnapshotError) -> ContactProof {
        var entry = ContactProof(fingerprint: try reader.uint32(), rank: 0, parity: 0)
        entry.delivered = try reader.uint16()
        entry.blocked = try reader.uint16()
        entry.reported = try reader.uint16()
        entry.meta = try reader.uint16()
        return entry
    }
}

extension RecentContact: SnapshotEntry {
    func write(to writer: inout SnapshotWriter) {
        writer.uint32(fingerprint)
        writer.uint16(outbound)
        writer.uint16(initiated)
        writer.uint16(inbound)
        writer.uint16(meta)
    }

    static func read(from reader: inout SnapshotReader) throws(SnapshotError) -> RecentContact {
        var entry = RecentContact(fingerprint: try reader.uint32(), rank: 0, parity: 0)
        entry.outbound = try reader.uint16()
        entry.initiated = try reader.uint16()
        entry.inbound = try reader.uint16()
        entry.meta = try reader.uint16()
        return entry
    }
}

extension SampledTable where Entry: SnapshotEntry {
    /// Level, slot count, then each occupied slot as (index, entry): the slot layout is kept, so
    /// probing finds every entry where it was.
    func write(to writer: inout SnapshotWriter) {
        writer.uint8(UInt8(level))
        writer.count(slots.count)
        writer.count(count)
        for index in slots.indices where slots[index].fingerprint != 0 {
            writer.count(index)
            slots[index].write(to: &writer)
        }
    }

    /// A table of `maximumSlots` as written; the layout is checked (power-of-two size within the
    /// maximum, load ≤ ¾ so probing ends, distinct in-range slots, non-zero fingerprints).
    static func read(from reader: inout SnapshotReader, maximumSlots: Int) throws(SnapshotError) -> SampledTable {
        var table = SampledTable(maximumSlots: maximumSlots)
        let level = Int(try reader.uint8())
        try reader.check(level <= 64, "sampling level \(level)")
        let slotCount = try reader.count(atMost: maximumSlots, "table slots")
        try reader.check(slotCount == 0 || (slotCount >= initialSlots && slotCount & (slotCount - 1) == 0),
                         "table size \(slotCount) is not a power of two ≥ \(initialSlots)")
        let count = try reader.count(atMost: slotCount * 3 / 4, "table entries")
        guard slotCount > 0 else {
            try reader.check(count == 0 && level == 0, "entries in an empty table")
            return table
        }
        var slots = [Entry](repeating: .empty, count: slotCount)
        for _ in 0..<count {
            let index = try reader.count(atMost: slotCount - 1, "slot index")
            let entry = try Entry.read(from: &reader)
            try reader.check(entry.fingerprint != 0 && slots[index].fingerprint == 0, "slot \(index) empty or written twice")
            slots[index] = entry
        }
        table.slots = slots
        table.count = count
        table.level = level
        return table
    }
}

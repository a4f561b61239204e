extension SlidingCounts {
    /// Newest slot, running total, then every count.
    func write(to writer: inout SnapshotWriter) {
        writer.int64(newest)
        writer.int64(Int64(total))
        for index in counts.indices { writer.uint64(UInt64(counts[index])) }
    }

    /// The ring as written; counts must fit `Count` and add up to the total.
    static func read(from reader: inout SnapshotReader) throws(SnapshotError) -> SlidingCounts {
        var ring = SlidingCounts()
        ring.newest = try reader.int64()
        let total = try reader.int64()
        var sum: Int64 = 0
        for index in ring.counts.indices {
            let value = try reader.uint64()
            guard let count = Count(exactly: value) else { throw .invalid("ring count \(value) too large", offset: reader.offset - 8) }
            ring.counts[index] = count
            sum += Int64(count)
        }
        try reader.check(sum == total, "ring total \(total) but counts add up to \(sum)")
        ring.total = Int(total)
        return ring
    }
}

extension WriterFilter {
    /// Epoch, then the current and the previous bit arrays (each empty or whole).
    func write(to writer: inout SnapshotWriter) {
        writer.int64(epoch)
        for bits in [current, previous] {
            writer.count(bits.count)
            for word in bits { writer.uint64(word) }
        }
    }

    /// A filter of `bitCount` bits as written.
    static func read(from reader: inout SnapshotReader, bitCount: Int) throws(SnapshotError) -> WriterFilter {
        var filter = WriterFilter(bitCount: bitCount)
        filter.epoch = try reader.int64()
        var arrays: [[UInt64]] = []
        for _ in 0..<2 {
            let words = try reader.count(atMost: bitCount / 64, "filter words")
            try reader.check(words == 0 || words == bitCount / 64, "a filter of \(words) words (expected \(bitCount / 64))")
            var bits = [UInt64](repeating: 0, count: words)
            for index in 0..<words { bits[index] = try reader.uint64() }
            arrays.append(bits)
        }
        filter.current = arrays[0]
        filter.previous = arrays[1]
        return filter
    }
}

extension PairGates {
    /// The slots in order (order decides which pair is forgotten first).
    func write(to writer: inout SnapshotWriter) {
        writer.count(slots.count)
        for slot in slots {
            writer.uint32(slot.fingerprint)
            writer.int64(slot.gate.theoreticalArrival)
        }
    }

    /// Gates of `capacity` as written.
    static func read(from reader: inout SnapshotReader, capacity: Int) throws(SnapshotError) -> PairGates {
        var gates = PairGates(capacity: capacity)
        let count = try reader.count(atMost: capacity, "pair gates")
        // Like `take(for:at:interval:)`: the first slot reserves the whole capacity.
        if count > 0 { gates.slots.reserveCapacity(capacity) }
        for _ in 0..<count {
            let fingerprint = try reader.uint32()
            gates.slots.append(Slot(fingerprint: fingerprint, gate: RateGate(theoreticalArrival: try reader.int64())))
        }
        return gates
    }
}

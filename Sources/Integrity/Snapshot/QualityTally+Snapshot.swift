extension QualityTally {
    /// Valid flag; if valid the frame, sums, counts and coverage, a mask of the non-empty expiry buckets
    /// and those buckets (most tallies have none).
    func write(to writer: inout SnapshotWriter) {
        writer.bool(isValid)
        guard isValid else { return }
        writer.int64(frame)
        writer.double(delivered)
        writer.double(negative)
        writer.uint32(UInt32(deliveredCount))
        writer.uint32(UInt32(negativeCount))
        writer.uint32(UInt32(coverage))
        writer.uint8(bucketMask)
        for index in 0..<Self.horizon where bucketMask & 1 << UInt8(index) != 0 {
            writer.double(expiring[index].delivered)
            writer.double(expiring[index].negative)
            writer.uint32(UInt32(expiring[index].deliveredCount))
            writer.uint32(UInt32(expiring[index].negativeCount))
        }
    }

    /// A tally as ``write(to:)`` wrote it; counts are bounded by `maximumFields` (three per slot
    /// of the 7-day table) and sums must be finite.
    static func read(from reader: inout SnapshotReader, maximumFields: Int) throws(SnapshotError) -> QualityTally {
        guard try reader.bool() else { return QualityTally() }
        func count(_ what: String) throws(SnapshotError) -> Int32 {
            Int32(try reader.count(atMost: maximumFields, what))
        }
        func sum(_ what: String) throws(SnapshotError) -> Double {
            let value = try reader.double()
            try reader.check(value.isFinite, "a quality tally \(what) of \(value)")
            return value
        }
        let frame = try reader.int64()
        try reader.check(frame >= 0, "a quality tally frame of \(frame)")
        let delivered = try sum("delivered sum"), negative = try sum("negative sum")
        let deliveredCount = try count("delivered count"), negativeCount = try count("negative count")
        let coverage = try reader.uint32()
        try reader.check((UInt32(horizon)..<UInt32(TimeTicks.week)).contains(coverage), "a quality tally coverage of \(coverage) ticks")
        var expiring = InlineArray<8, Bucket>(repeating: Bucket())
        let mask = try reader.uint8()
        for index in 0..<horizon where mask & 1 << UInt8(index) != 0 {
            expiring[index] = Bucket(delivered: try sum("bucket sum"), negative: try sum("bucket sum"),
                                     deliveredCount: try count("bucket count"), negativeCount: try count("bucket count"))
        }
        return QualityTally(frame: frame, delivered: delivered, negative: negative, deliveredCount: deliveredCount,
                            negativeCount: negativeCount, coverage: Int32(coverage), expiring: expiring)
    }
}

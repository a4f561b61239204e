import Stats
import Transport

extension IntegrityCore {
    /// The table sizes a snapshot must have been taken under (a snapshot's tables cannot be
    /// resized on load).
    var snapshotShape: [(name: String, value: Int)] {
        let signals = parameters.rules.signals
        return [("recent_contact_slots", signals.recentContactSlots), ("contact_proof_slots", signals.contactProofSlots),
                ("writer_filter_bits", signals.writerFilterBits), ("pair_slots", signals.pairSlots)]
    }

    /// The core's state: shape, clock, the active-user window (its hourly HLL sketches as
    /// DataSketches images), active businesses in their order, dormant ones by number. Undrained
    /// policy changes are not state: they were already reported or are dropped.
    func write(to writer: inout SnapshotWriter) {
        for field in snapshotShape { writer.count(field.value) }
        writer.int64(now)
        writer.int64(nextSweep)
        writer.int64(Int64(evictions))
        writer.optionalInt64(activeUsers.newestBucketID)
        writer.int64(Int64(activeUsers.droppedLateItems))
        let buckets = activeUsers.buckets
        writer.count(buckets.count)
        for bucket in buckets {
            writer.int64(bucket.id)
            writer.blob(bucket.sketch.serialized(compact: false))
        }
        writer.count(businesses.count)
        for state in businesses { state.write(to: &writer) }
        writer.count(dormant.count)
        for (business, sleeping) in dormant.sorted(by: { $0.key.digits < $1.key.digits }) {
            writer.uint64(business.digits)
            sleeping.policy.write(to: &writer)
            sleeping.totals.write(to: &writer)
            writer.int64(sleeping.firstSeen)
            writer.int64(sleeping.lastSeen)
        }
    }

    /// A core under `rules` resumed from what ``write(to:)`` wrote.
    static func read(from reader: inout SnapshotReader, rules: Rules) throws(SnapshotError) -> IntegrityCore {
        var core = IntegrityCore(rules: rules)
        for field in core.snapshotShape {
            let found = Int(try reader.uint32())
            guard found == field.value else { throw .rulesMismatch(field: field.name, expected: field.value, found: found) }
        }
        core.now = try reader.int64()
        core.nextSweep = try reader.int64()
        core.evictions = Int(try reader.int64())
        let newest = try reader.optionalInt64()
        let dropped = try reader.int64()
        let template = core.activeUsers
        let bucketCount = try reader.count(atMost: template.bucketCount, "active-user buckets")
        var buckets: [SlidingDistinctCounter.Bucket] = []
        for _ in 0..<bucketCount {
            let id = try reader.int64()
            let start = reader.offset
            let image = try reader.blob()
            do throws(SketchDecodingError) {
                buckets.append(SlidingDistinctCounter.Bucket(id: id, sketch: try HLLSketch(serialized: image)))
            } catch {
                throw .invalid("active-user sketch of bucket \(id): \(error)", offset: start)
            }
        }
        do {
            core.activeUsers = try SlidingDistinctCounter(
                bucketCount: template.bucketCount, bucketMilliseconds: template.bucketMilliseconds, lgK: template.lgK,
                buckets: buckets, newestBucketID: newest, droppedLateItems: Int(clamping: dropped))
        } catch {
            throw .invalid("active-user window: \(error)", offset: reader.offset)
        }
        let active = try reader.count(atMost: reader.remaining / 64, "active businesses")
        core.businesses.reserveCapacity(active)
        for _ in 0..<active {
            let state = try BusinessState.read(from: &reader, parameters: core.parameters)
            try reader.check(core.index[state.business] == nil, "business \(state.business) appears twice")
            core.businesses.append(state)
            core.index.set(state.business, to: core.businesses.count - 1)
        }
        let sleeping = try reader.count(atMost: reader.remaining / 32, "dormant businesses")
        for _ in 0..<sleeping {
            let digits = try reader.uint64()
            guard let business = PhoneNumber(digits: digits), core.index[business] == nil, core.dormant[business] == nil else {
                throw .invalid("dormant business \(digits) invalid or repeated", offset: reader.offset - 8)
            }
            let policy = try NumberPolicy.read(from: &reader)
            let totals = try BusinessTotals.read(from: &reader)
            core.dormant[business] = DormantBusiness(policy: policy, totals: totals, firstSeen: try reader.int64(), lastSeen: try reader.int64())
        }
        return core
    }
}

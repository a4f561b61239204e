/// How the store applies one batch of writes: the same final state as applying them one by one,
/// in order, with fewer and cheaper statements for the queue.
///
/// The batch is cut into *segments* after every `.expire` (whose time cuts look at which rows
/// still hold ciphertext, so acknowledgements are never moved across one). In a segment:
///
/// - every acknowledged sequence number is deleted from `ciphertexts` **first**, sorted and merged
///   into runs of consecutive numbers, one `DELETE … WHERE seq BETWEEN a AND b` per run. Pages the
///   deletions free are then reused by the segment's inserts in the same transaction, and the
///   B-tree is walked once in key order instead of once per acknowledged id;
/// - an envelope inserted and then acknowledged in the same segment gets its metadata row (its
///   tombstone) but no ciphertext row: inserting and deleting it in one transaction leaves nothing
///   either, and `secure_delete` has nothing to wipe.
///
/// Why the final state is the same: a deletion by sequence number touches only that number's row,
/// so deletions commute with every other write of the segment except an insert of the same
/// number. If that insert comes before the acknowledgement, the original order ends without the
/// ciphertext row — so does the plan, which skips the insert (and its hoisted delete finds nothing).
/// If the insert comes after the acknowledgement, the original order ends with the row — so does
/// the plan, whose delete runs first and the insert after. Deleting a number twice, or one that has
/// no row, does nothing in either order. (The only difference: a batch that inserts a sequence
/// number whose ciphertext row already exists and acknowledges it fails on the duplicate key in
/// order and succeeds under the plan; the relay never hands out a sequence number twice.)
///
/// A pure value: built from the writes and a sequence-number look-up, applied by
/// ``RelayStore/commit(_:)``.
struct RelayCommitPlan: Equatable {
    /// One segment: a range of the batch's writes, with its acknowledgements gathered.
    struct Segment: Equatable {
        /// The writes it covers (the last one may be an `.expire`).
        var writes: Range<Int>
        /// Acknowledged sequence numbers, as disjoint runs in ascending order: deleted from
        /// `ciphertexts` before the segment's other writes are applied.
        var deletions: [ClosedRange<Int64>]
        /// Sequence numbers inserted and then acknowledged within the segment: their ciphertext
        /// is not inserted.
        var insertedThenAcknowledged: Set<Int64>
    }

    /// The segments, in order; together they cover every write once.
    var segments: [Segment]

    /// Plans `writes`. `sequence` maps an acknowledged id to its row's sequence number; it is
    /// called once per acknowledged id, in order.
    init(_ writes: [RelayWrite], sequence: (EnvelopeID) -> Int64) {
        segments = []
        var start = writes.startIndex
        while start < writes.endIndex {
            let end = writes[start...].firstIndex { if case .expire = $0 { true } else { false } }.map { $0 + 1 } ?? writes.endIndex
            segments.append(Self.segment(writes, start..<end, sequence: sequence))
            start = end
        }
    }

    /// Gathers the acknowledgements of `writes[range]`.
    private static func segment(_ writes: [RelayWrite], _ range: Range<Int>, sequence: (EnvelopeID) -> Int64) -> Segment {
        var acknowledged: [Int64] = []
        // Acknowledgements can only refer to envelopes inserted in this segment if some number is at
        // least the smallest inserted here, which is checked once before any per-envelope look-up.
        // With deliveries that skip the commit, an online recipient's ack usually lands in the
        // segment that inserts its envelope (a tombstone then, no ciphertext row); acks of
        // envelopes committed earlier need no look-up.
        var smallestInserted = Int64.max
        for index in range {
            switch writes[index] {
            case let .enqueue(envelope) where envelope.ciphertext != nil:
                smallestInserted = min(smallestInserted, Int64(bitPattern: envelope.sequence))
            case let .acknowledge(ids):
                for id in ids { acknowledged.append(sequence(id)) }
            default:
                continue
            }
        }
        var skipped = Set<Int64>()
        if let largest = acknowledged.max(), largest >= smallestInserted {
            skipped = insertedThenAcknowledged(writes, range, acknowledged: acknowledged)
        }
        acknowledged.sort()
        return Segment(writes: range, deletions: runs(ofSorted: acknowledged), insertedThenAcknowledged: skipped)
    }

    /// The sequence numbers of `writes[range]` whose insert comes before an acknowledgement of
    /// them (`acknowledged` are the range's acknowledged numbers in write order).
    private static func insertedThenAcknowledged(_ writes: [RelayWrite], _ range: Range<Int>, acknowledged: [Int64]) -> Set<Int64> {
        var inserted = Set<Int64>()
        var skipped = Set<Int64>()
        var next = acknowledged.startIndex
        for index in range {
            switch writes[index] {
            case let .enqueue(envelope) where envelope.ciphertext != nil:
                inserted.insert(Int64(bitPattern: envelope.sequence))
            case let .acknowledge(ids):
                for number in acknowledged[next..<(next + ids.count)] where inserted.contains(number) {
                    skipped.insert(number)
                }
                next += ids.count
            default:
                continue
            }
        }
        return skipped
    }

    /// `sorted` (ascending, repeats allowed) as maximal runs of consecutive numbers.
    static func runs(ofSorted sorted: [Int64]) -> [ClosedRange<Int64>] {
        var runs: [ClosedRange<Int64>] = []
        guard var low = sorted.first else { return runs }
        var high = low
        for number in sorted.dropFirst() where number != high {
            if high < .max, number == high + 1 {
                high = number
            } else {
                runs.append(low...high)
                low = number
                high = number
            }
        }
        runs.append(low...high)
        return runs
    }
}

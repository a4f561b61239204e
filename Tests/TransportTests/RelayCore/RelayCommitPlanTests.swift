import Foundation
import Storage
import Testing
@testable import Transport

/// ``RelayCommitPlan``: a batch's acknowledgements are deleted first, as runs of consecutive
/// sequence numbers, envelopes inserted and acknowledged in one batch never get a ciphertext row,
/// and nothing moves across an `.expire`. The store tests check that applying the plan leaves
/// exactly the rows that applying the writes one by one, in order, would.
@Suite("Relay commit plan")
struct RelayCommitPlanTests {
    static let alice = phone("+14155550100"), bob = phone("+447700900123")

    /// An envelope as the relay assigns it: id (random, sequence), time growing with the sequence.
    static func envelope(_ sequence: UInt64, ciphertext: [UInt8]? = [1, 2, 3]) -> StoredEnvelope {
        StoredEnvelope(id: EnvelopeID(high: sequence &* 0x9E37_79B9, low: sequence), sender: alice,
                       clientMessageID: sequence, recipient: bob, time: 1_000 + Int64(sequence), kind: .user,
                       ciphertext: ciphertext)
    }

    static func ids(_ sequences: [UInt64]) -> [EnvelopeID] { sequences.map { envelope($0).id } }

    static func plan(_ writes: [RelayWrite]) -> RelayCommitPlan {
        RelayCommitPlan(writes) { Int64(bitPattern: $0.low) }
    }

    @Test("runs: sorted numbers with repeats become maximal runs of consecutive numbers")
    func runs() {
        #expect(RelayCommitPlan.runs(ofSorted: []) == [])
        #expect(RelayCommitPlan.runs(ofSorted: [4]) == [4...4])
        #expect(RelayCommitPlan.runs(ofSorted: [1, 2, 2, 3, 5, 7, 8, 8, 9, 20]) == [1...3, 5...5, 7...9, 20...20])
        #expect(RelayCommitPlan.runs(ofSorted: [.max - 1, .max, .max]) == [(.max - 1)...(.max)])
        #expect(RelayCommitPlan.runs(ofSorted: [.min, .min + 1, 0]) == [.min...(.min + 1), 0...0])
    }

    @Test("the acknowledgements of a batch without expiry are one segment of sorted runs")
    func oneSegment() {
        let writes: [RelayWrite] = [
            .acknowledge(Self.ids([12, 10])), .enqueue(Self.envelope(30)), .acknowledge(Self.ids([11, 14])),
            .enqueue(Self.envelope(31)), .acknowledge(Self.ids([15, 20])),
        ]
        #expect(Self.plan(writes).segments == [
            RelayCommitPlan.Segment(writes: 0..<5, deletions: [10...12, 14...15, 20...20], insertedThenAcknowledged: []),
        ])
    }

    @Test("an envelope inserted and then acknowledged in the batch is skipped; acknowledged before its insert, it is not")
    func insertedThenAcknowledged() {
        let writes: [RelayWrite] = [
            .acknowledge(Self.ids([42])), .enqueue(Self.envelope(40)), .enqueue(Self.envelope(41)),
            .enqueue(Self.envelope(42)), .acknowledge(Self.ids([5, 40])), .enqueue(Self.envelope(43, ciphertext: nil)),
            .acknowledge(Self.ids([43])),
        ]
        #expect(Self.plan(writes).segments == [
            RelayCommitPlan.Segment(writes: 0..<7, deletions: [5...5, 40...40, 42...43], insertedThenAcknowledged: [40]),
        ])
    }

    @Test("an expiry closes a segment: no acknowledgement moves across it")
    func expirySplits() {
        let writes: [RelayWrite] = [
            .acknowledge(Self.ids([3])), .expire(envelopesBefore: 10, tombstonesBefore: 20),
            .acknowledge(Self.ids([1])), .enqueue(Self.envelope(9)), .expire(envelopesBefore: 11, tombstonesBefore: 21),
        ]
        #expect(Self.plan(writes).segments == [
            RelayCommitPlan.Segment(writes: 0..<2, deletions: [3...3], insertedThenAcknowledged: []),
            RelayCommitPlan.Segment(writes: 2..<5, deletions: [1...1], insertedThenAcknowledged: []),
        ])
        #expect(Self.plan([]).segments == [])
    }

    @Test("the look-up is asked once per acknowledged id, in order")
    func lookUpOrder() {
        var asked: [EnvelopeID] = []
        let writes: [RelayWrite] = [.acknowledge(Self.ids([7, 3])), .enqueue(Self.envelope(8)), .acknowledge(Self.ids([5]))]
        let plan = RelayCommitPlan(writes) { id in
            asked.append(id)
            return Int64(bitPattern: id.low) + 100
        }
        #expect(asked == Self.ids([7, 3, 5]))
        #expect(plan.segments.map(\.deletions) == [[103...103, 105...105, 107...107]])
    }

    // MARK: - The store

    /// A fresh store in a temporary directory, removed by `body`'s end.
    static func withStore(_ body: (RelayStore) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-plan-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try RelayStore(directory: directory, tokenHasher: .testing)
        defer { store.close() }
        try body(store)
    }

    /// The sequence numbers of the rows of `table`, ascending.
    static func sequences(_ table: String, _ store: RelayStore) throws -> [Int64] {
        try store.database.query("SELECT seq FROM \(table) ORDER BY seq").map { $0[0].int64Value ?? -1 }
    }

    @Test("random batches leave the rows that in-order application would (seeds 1–40)", arguments: 1...40)
    func matchesInOrderApplication(seed: UInt64) throws {
        var random = WireRandom(seed: seed)
        try Self.withStore { store in
            // The in-order model: which envelopes have a metadata row, which a ciphertext row.
            var metadata = Set<Int64>(), ciphertext = Set<Int64>()
            var next: UInt64 = 1
            for _ in 0..<8 {
                var writes: [RelayWrite] = []
                for _ in 0..<random.int(1...60) {
                    if random.chance(0.5) {
                        let stored = Self.envelope(next, ciphertext: random.chance(0.9) ? random.bytes(1...64) : nil)
                        next += 1
                        writes.append(.enqueue(stored))
                        metadata.insert(Int64(stored.sequence))
                        if stored.ciphertext != nil { ciphertext.insert(Int64(stored.sequence)) }
                    } else {
                        // Any number handed out so far, a few not yet (a no-op in order), repeats allowed.
                        let acknowledged = (0..<random.int(1...6)).map { _ in UInt64(random.int(1...Int(next) + 2)) }
                        writes.append(.acknowledge(Self.ids(acknowledged)))
                        for sequence in acknowledged { ciphertext.remove(Int64(sequence)) }
                    }
                }
                for write in writes { store.enqueue(write) }
                try store.commit()
                #expect(try Self.sequences("envelopes", store) == metadata.sorted(), "seed \(seed)")
                #expect(try Self.sequences("ciphertexts", store) == ciphertext.sorted(), "seed \(seed)")
            }
            #expect(store.commitStatistics.failedTransactions == 0)
        }
    }

    @Test("an acknowledgement after an expiry in the batch still leaves its tombstone, as in order")
    func acknowledgementAfterExpiry() throws {
        try Self.withStore { store in
            let old = Self.envelope(1), kept = Self.envelope(2)
            try store.commit([.enqueue(old), .enqueue(kept)])
            // In order: the expiry deletes tombstones older than 2 000 ms — `old` still has its
            // ciphertext, so it stays — and only then is `old` acknowledged, leaving its tombstone.
            // Hoisted before the expiry, the acknowledgement would have made the expiry delete it.
            try store.commit([
                .expire(envelopesBefore: 0, tombstonesBefore: 2_000), .acknowledge([old.id]),
            ])
            #expect(try Self.sequences("envelopes", store) == [1, 2])
            #expect(try Self.sequences("ciphertexts", store) == [2])
            // And in the next batch's segment before its expiry, it is a tombstone like any other.
            try store.commit([.acknowledge([kept.id]), .expire(envelopesBefore: 0, tombstonesBefore: 2_000)])
            #expect(try Self.sequences("envelopes", store) == [])
        }
    }

    @Test("an envelope inserted and acknowledged in one batch resumes as a tombstone: its id still answers a repeat")
    func sameBatchTombstone() throws {
        try Self.withStore { store in
            let first = Self.envelope(1, ciphertext: Array(repeating: 0xA5, count: 700)), second = Self.envelope(2)
            try store.commit([.enqueue(first), .enqueue(second), .acknowledge([first.id])])
            let snapshot = try store.load(envelopeCutoff: 0, idempotencyCutoff: 0)
            #expect(snapshot.envelopes.map(\.id) == [first.id, second.id])
            #expect(snapshot.envelopes.map(\.ciphertext) == [nil, second.ciphertext])
            #expect(snapshot.envelopes.map(\.clientMessageID) == [1, 2])
        }
    }
}

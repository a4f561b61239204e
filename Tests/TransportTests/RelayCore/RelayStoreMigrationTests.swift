import Foundation
import Storage
import Testing
@testable import Transport

/// Schema 2 (envelopes keyed by sequence number, ciphertext in its own table, 16 KiB pages) from a
/// schema-1 file: the envelopes keep their random ids, their order and their bytes, and both the
/// store and the core still find them by those ids. Schema 3 (token digests) from schema 1 and 2:
/// RelayTokenStorageTests.
@Suite("Relay store schema 2")
struct RelayStoreMigrationTests {
    let alice = phone("+14155550100"), bob = phone("+447700900123")

    @Test("a schema-1 file is migrated: ids, order and bytes kept; acknowledgements by old ids work")
    func migratesSchemaOne() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-store-v1-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let token = RelayToken(bytes: Array(0..<32))!
        let ids = [EnvelopeID(high: 0xDEAD_BEEF, low: 0x1234_5678_9ABC_DEF0), EnvelopeID(high: 42, low: .max), EnvelopeID(high: 7, low: 3)]
        do {
            // Schema 1 as the relay wrote it: random 16-byte ids, rowid order.
            let database = try Database.open(path: directory + "/" + RelayStore.fileName)
            _ = try database.migrate([RelayStore.migrations(tokenHasher: .testing)[0]])
            try database.execute("INSERT INTO registrations(phone, device, token) VALUES (?, 1, ?)",
                                 bindings: [.integer(Int64(bob.digits)), .blob(token.bytes)])
            for (index, id) in ids.enumerated() {
                try database.execute("""
                    INSERT INTO envelopes(id, sender, client_id, recipient, time, kind, category, ciphertext) VALUES (?, ?, ?, ?, ?, 1, 0, ?)
                    """, bindings: [.blob(id.bytes), .integer(Int64(alice.digits)), .integer(Int64(index + 1)),
                                    .integer(Int64(bob.digits)), .integer(1_000 + Int64(index)),
                                    index == 1 ? .null : .blob([UInt8(index + 1)])])
            }
            try database.close()
        }
        let store = try RelayStore(directory: directory, tokenHasher: .testing)
        defer { store.close() }
        #expect(try store.database.userVersion() == 3)
        #expect(try store.database.query("PRAGMA page_size").first?[0].int64Value == Int64(RelayStore.pageSize))
        #expect(try store.database.query("PRAGMA journal_mode").first?[0].stringValue == "wal")
        let snapshot = try store.load(envelopeCutoff: 0, idempotencyCutoff: 0)
        #expect(snapshot.envelopes.map(\.id) == ids)
        #expect(snapshot.envelopes.map(\.sequence) == [1, 2, 3])
        #expect(snapshot.envelopes.map(\.ciphertext) == [[1], nil, [3]])
        #expect(snapshot.nextSequence == 4)

        // The core resumes: a new envelope gets sequence 4, and an ack by an old id finds its envelope.
        var harness = CoreHarness(snapshot: snapshot)
        let b = harness.open()
        let delivered = deliveries(harness.frame(b, .hello(phone: bob, device: DeviceID(rawValue: 1)!, token: token)), to: b)
        #expect(delivered.map(\.id) == [ids[0], ids[2]])
        _ = harness.frame(b, .ack(envelopeIDs: [ids[0]]))
        #expect(harness.core.queuedCount == 1)
        #expect(harness.writes.last == .acknowledge([ids[0]]))
        // The store deletes the ciphertext of that old id (its sequence number is not its low half).
        store.enqueue(.acknowledge([ids[0]]))
        try store.commit()
        let after = try store.load(envelopeCutoff: 0, idempotencyCutoff: 0)
        #expect(after.envelopes.map(\.ciphertext) == [nil, nil, [3]])
    }

    @Test("sequence numbers are never reused, even after the newest rows expire")
    func sequenceNumbersSurviveExpiry() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-store-seq-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try RelayStore(directory: directory, tokenHasher: .testing)
        defer { store.close() }
        for sequence in 1...5 as ClosedRange<UInt64> {
            store.enqueue(.enqueue(StoredEnvelope(id: EnvelopeID(high: 1, low: sequence), sender: alice, clientMessageID: sequence,
                                                  recipient: bob, time: 100, kind: .user, ciphertext: [1])))
        }
        try store.commit()
        #expect(try store.load(envelopeCutoff: 0, idempotencyCutoff: 0).nextSequence == 6)
        store.enqueue(.expire(envelopesBefore: 1_000, tombstonesBefore: 1_000))
        try store.commit()
        let snapshot = try store.load(envelopeCutoff: 0, idempotencyCutoff: 0)
        #expect(snapshot.envelopes.isEmpty)
        #expect(snapshot.nextSequence == 6)
    }
}

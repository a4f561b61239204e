import Foundation
import Testing
@testable import Transport

@Suite("Relay tap schema and store")
struct TapAndStoreTests {
    let user = phone("+447700900123"), shop = phone("+14155550100"), friend = phone("+4930123456")
    let id = EnvelopeID(high: 7, low: 9)

    @Test("metadata events map to the integrity schema's JSON lines")
    func tapLines() throws {
        var directory = BusinessDirectory()
        func line(_ kind: MetadataEvent.Kind) -> String? { TapEvent.line(for: MetadataEvent(time: 1000, kind: kind), directory: &directory) }
        // Consumer-to-consumer traffic has no line before or after any business is known.
        #expect(line(.envelope(sender: user, recipient: friend, kind: .user, size: SizeBucket(byteCount: 10), id: id)) == nil)
        #expect(line(.envelope(sender: shop, recipient: user, kind: .business(.marketing), size: SizeBucket(byteCount: 300), id: id))
            == #"{"t":1000,"kind":"message","business":"+14155550100","user":"+447700900123","dir":"b2u","bytes":512,"category":"marketing"}"#)
        #expect(directory.contains(shop))
        #expect(line(.envelope(sender: user, recipient: shop, kind: .user, size: SizeBucket(byteCount: 64), id: id))
            == #"{"t":1000,"kind":"message","business":"+14155550100","user":"+447700900123","dir":"u2b","bytes":64}"#)
        #expect(line(.envelope(sender: user, recipient: shop, kind: .control, size: SizeBucket(byteCount: 64), id: id)) == nil)
        #expect(line(.receipt(.read, from: user, to: shop, count: 2))
            == #"{"t":1000,"kind":"read","business":"+14155550100","user":"+447700900123"}"# + "\n" + #"{"t":1000,"kind":"read","business":"+14155550100","user":"+447700900123"}"#)
        #expect(line(.receipt(.delivered, from: shop, to: user, count: 1)) == nil)
        #expect(line(.block(blocker: user, blocked: shop, reason: .didntSignUp))
            == #"{"t":1000,"kind":"block","business":"+14155550100","user":"+447700900123","reason":"didnt_sign_up"}"#)
        #expect(line(.report(reporter: user, business: shop, reason: .scam, envelope: id))
            == #"{"t":1000,"kind":"report","business":"+14155550100","user":"+447700900123","reason":"scam"}"#)
        // Every line is valid JSON with the schema's keys.
        let object = try JSONSerialization.jsonObject(with: Data(line(.block(blocker: user, blocked: shop, reason: .spam))!.utf8)) as? [String: Any]
        #expect(object?["kind"] as? String == "block" && object?["t"] as? Int == 1000)
    }

    @Test("the JSONL sink appends lines at flush, mode 0600")
    func sinkWritesFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-tap-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("tap.jsonl").path
        let sink = try JSONLTapSink(path: path, businesses: [shop])
        sink.record(MetadataEvent(time: 5, kind: .envelope(sender: user, recipient: shop, kind: .user, size: SizeBucket(byteCount: 1), id: id)))
        sink.record(MetadataEvent(time: 6, kind: .envelope(sender: user, recipient: friend, kind: .user, size: SizeBucket(byteCount: 1), id: id)))
        #expect(try String(contentsOfFile: path, encoding: .utf8).isEmpty)
        sink.flush()
        #expect(try String(contentsOfFile: path, encoding: .utf8)
            == #"{"t":5,"kind":"message","business":"+14155550100","user":"+447700900123","dir":"u2b","bytes":64}"# + "\n")
        #expect(sink.linesWritten == 1 && sink.eventsWithoutLine == 1)
        sink.close()
        let permissions = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(permissions == 0o600)
    }

    @Test("every write round-trips through the store into the snapshot the core resumes from")
    func storeRoundTrip() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-store-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let digest = TokenDigest(bytes: Array(0..<32))!
        // Ids are (random, sequence number) as the relay assigns them, and times grow with the
        // sequence number, which the store's expiry relies on: the oldest envelope comes first.
        let old = StoredEnvelope(id: EnvelopeID(high: 3, low: 1), sender: user, clientMessageID: 3, recipient: shop,
                                 time: 100, kind: .control, ciphertext: [5])
        let queued = StoredEnvelope(id: EnvelopeID(high: 1, low: 2), sender: user, clientMessageID: .max, recipient: shop,
                                    time: 10_000, kind: .business(.utility), ciphertext: [1, 2, 3])
        let acked = StoredEnvelope(id: EnvelopeID(high: 2, low: 3), sender: user, clientMessageID: 2, recipient: shop,
                                   time: 10_001, kind: .user, ciphertext: [4])
        do {
            let store = try RelayStore(directory: directory, tokenHasher: .testing)
            for write: RelayWrite in [
                .register(user, device: DeviceID(rawValue: 3)!, tokenDigest: digest),
                .replacePreKeys(user, bundles: [[9], [8], [7]], firstSequence: 1),
                .removePreKey(user, sequence: 1),
                .enqueue(old), .enqueue(queued), .enqueue(acked), .acknowledge([acked.id]),
                .block(blocker: shop, blocked: friend, reason: .spam, time: 5),
                .report(reporter: user, SpamReport(business: shop, reason: .spam, envelopeID: queued.id), time: 6),
            ] { store.enqueue(write) }
            try store.commit()
            store.close()
        }
        let store = try RelayStore(directory: directory, tokenHasher: .testing)
        defer { store.close() }
        let snapshot = try store.load(envelopeCutoff: 1_000, idempotencyCutoff: 0)
        #expect(snapshot.registrations == [user: .init(device: DeviceID(rawValue: 3)!, tokenDigest: digest)])
        #expect(snapshot.preKeys[user]?.map(\.bundle) == [[8], [7]])
        #expect(snapshot.preKeys[user]?.map(\.sequence) == [2, 3])
        var tombstone = acked
        tombstone.ciphertext = nil
        #expect(snapshot.envelopes == [queued, tombstone])
        #expect(snapshot.blocks == [shop: [friend]])
        let reports = try store.database.query("SELECT reporter, business, reason, envelope FROM reports")
        #expect(reports.count == 1 && reports[0][3].blobValue == queued.id.bytes)
        // Expiry deletes by age.
        store.enqueue(.expire(envelopesBefore: 10_001, tombstonesBefore: 10_002))
        try store.commit()
        #expect(try store.load(envelopeCutoff: 0, idempotencyCutoff: 0).envelopes.isEmpty)
        let mode = try FileManager.default.attributesOfItem(atPath: directory)[.posixPermissions] as? Int
        #expect(mode == 0o700)
    }
}

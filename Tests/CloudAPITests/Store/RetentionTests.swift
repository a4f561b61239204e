@testable import CloudAPI
import Crypto
import Foundation
import Storage
import Testing

/// The retention proof, on an injected clock: day-0 records are readable and retransmittable on
/// day 29; after `expire` on day 31 no record, key or consumer number of day 0 is recoverable from
/// any file — while the same scan finds the ciphertext before expiry (so it can see), and never the
/// plaintext (so the files hold none).
@Suite struct RetentionTests {
    typealias F = StoreFixture

    /// What a scan must not find after day 0 is destroyed, captured while it existed.
    struct DayZeroTraces {
        var canaries: [[UInt8]]
        var consumerASCII: [UInt8]
        var partyIndex: [UInt8]
        var sealed: [[UInt8]]
        var wrappedKey: [UInt8]
        var keyMaterial: [UInt8]
        var sealingKey: [UInt8]
        var indexKey: [UInt8]

        /// Every trace with a name, for messages.
        var all: [(String, [UInt8])] {
            canaries.enumerated().map { ("canary \($0.offset)", $0.element) }
                + [("consumer number", consumerASCII), ("party index", partyIndex)]
                + sealed.enumerated().map { ("sealed record \($0.offset)", $0.element) }
                + [("wrapped day key", wrappedKey), ("day key", keyMaterial), ("sealing key", sealingKey), ("index key", indexKey)]
        }
    }

    @Test func dayZeroIsReadableOnDay29AndUnrecoverableOnDay31() throws {
        let root = try F.TemporaryDirectory()
        var clock = F.Clock(day: F.day0, hour: 10, minute: 17)

        // A distinctive consumer number, used on day 0 only, and random canaries in the content.
        let consumer = "+4479" + String(UInt64.random(in: 100_000_000...999_999_999))
        let canaryIn = "CANARY-IN-" + (0..<16).map { _ in String(UInt8.random(in: 0...255), radix: 16) }.joined()
        let canaryOut = "CANARY-OUT-" + (0..<16).map { _ in String(UInt8.random(in: 0...255), radix: 16) }.joined()

        var store = try F.openStore(in: root)
        let question = F.inbound(id: F.wamid(), consumer: consumer, time: clock.now, body: canaryIn)
        clock.advance(milliseconds: 90_000)
        let reply = F.outbound(id: F.wamid(), consumer: consumer, time: clock.now, body: canaryOut)
        try store.append(question)
        try store.append(reply)
        // A later day's traffic with someone else, which must survive day 0's destruction.
        let day1Record = F.inbound(
            id: F.wamid(), consumer: "+33612345678", time: F.Clock(day: F.day0.advanced(by: 1), hour: 6).now, body: "day one")
        try store.append(day1Record)
        try store.commit()

        // Capture day 0's traces while they exist.
        let dayKey = try #require(try store.keyring.key(for: F.day0))
        let dayDatabase = try store.dayFiles.database(for: F.day0)
        let sealed = try [question.id, reply.id].map { id in
            try #require(try dayDatabase.query("SELECT sealed FROM records WHERE id = ?", bindings: [.text(id)]).first?[0].blobValue)
        }
        let wrapped = try #require(try store.keyring.database.query(
            "SELECT wrapped FROM day_keys WHERE day = ?", bindings: [.text(F.day0.description)]).first?[0].blobValue)
        let traces = DayZeroTraces(
            canaries: [Array(canaryIn.utf8), Array(canaryOut.utf8)],
            consumerASCII: Array(consumer.utf8),
            partyIndex: try dayKey.partyIndex(business: F.business, consumer: consumer),
            sealed: sealed, wrappedKey: wrapped, keyMaterial: dayKey.material.testBytes,
            sealingKey: dayKey.sealingKey.testBytes, indexKey: dayKey.indexKey.testBytes)
        #expect(try dayDatabase.query("SELECT party FROM records WHERE id = ?", bindings: [.text(question.id)]).first?[0].blobValue
            == traces.partyIndex, "the index column is the HMAC the test computes")

        // Positive control: the scan finds the ciphertext, the index value and the wrapped key on
        // disk — it can see — but no plaintext and no key in the clear.
        try expectOnDisk(root, traces.sealed[0], "sealed record 0")
        try expectOnDisk(root, traces.sealed[1], "sealed record 1")
        try expectOnDisk(root, traces.partyIndex, "party index")
        try expectOnDisk(root, traces.wrappedKey, "wrapped day key")
        for (name, bytes) in [("canary 0", traces.canaries[0]), ("canary 1", traces.canaries[1]),
                              ("consumer number", traces.consumerASCII), ("business number", Array(F.business.utf8)),
                              ("day key", traces.keyMaterial), ("sealing key", traces.sealingKey),
                              ("index key", traces.indexKey)] {
            #expect(try FileScan.files(under: root.path, containing: bytes).isEmpty, "\(name) is on disk in the clear")
        }

        // Day 29 (after a restart): nothing of day 0 has expired; retransmission reads the store.
        clock = F.Clock(day: F.day0.advanced(by: 29), hour: 4)
        store.close()
        store = try F.openStore(in: root)
        #expect(try store.expire(now: clock.now).isEmpty)
        #expect(try store.record(id: question.id) == question)
        #expect(try store.record(id: reply.id) == reply)
        let pending = try store.pendingWebhooks(now: clock.now, limit: 10)
        #expect(pending == [question, reply, day1Record])
        // The webhook for the question goes out on day 29: an update to day 0's file.
        try store.updateDelivery(id: question.id, status: .delivered, attempts: 1, nextAttemptAt: clock.now, delivered: true)
        try store.commit()
        #expect(try store.pendingWebhooks(now: clock.now, limit: 10).map(\.id) == [reply.id, day1Record.id])
        #expect(try store.record(id: question.id)?.delivery.status == .delivered)

        // Day 30, last minute: still kept.
        clock = F.Clock(day: F.day0.advanced(by: 30), hour: 23, minute: 59)
        #expect(try store.expire(now: clock.now).isEmpty)
        #expect(try store.record(id: reply.id) == reply)

        // Day 31: day 0 is destroyed — key first, then files.
        clock = F.Clock(day: F.day0.advanced(by: 31), hour: 0, minute: 1)
        #expect(try store.expire(now: clock.now) == [F.day0])
        #expect(try store.record(id: question.id) == nil)
        #expect(try store.record(id: reply.id) == nil)
        #expect(try store.pendingWebhooks(now: clock.now, limit: 10) == [day1Record], "day 1 is untouched")
        #expect(try store.keyring.key(for: F.day0) == nil)
        #expect(store.days == [F.day0.advanced(by: 1)])
        let dayFile = root.file("data/regions/na/days/2024-03-01.sqlite")
        for suffix in ["", "-wal", "-shm", "-journal"] {
            #expect(!FileManager.default.fileExists(atPath: dayFile + suffix), "\(dayFile + suffix) survived")
        }
        let keyLog = root.file("data/regions/na/keys.sqlite-wal")
        #expect(((try? FileManager.default.attributesOfItem(atPath: keyLog)[.size] as? NSNumber)?.intValue ?? 0) == 0,
                "the key file's log was truncated")

        // Nothing of day 0 in any file under the root, while the store runs and after it closes.
        try expectNoTraces(traces, under: root)
        // Nothing can be written to day 0 again, and what the store reports names no number.
        let refused = try #require(F.storeError { try store.append(F.inbound(id: F.wamid(), consumer: consumer, time: question.time, body: "late")) })
        #expect(refused == .dayShredded(F.day0))
        let missing = try #require(F.storeError { try store.updateDelivery(id: reply.id, status: .read, attempts: 2, nextAttemptAt: 0, delivered: true) })
        #expect(missing == .recordNotFound(id: reply.id))
        for text in [refused.description, missing.description] {
            #expect(!text.contains(consumer) && !text.contains(canaryIn) && !text.contains(canaryOut))
        }
        store.close()
        try expectNoTraces(traces, under: root)

        // A restarted process finds nothing either, and still refuses day 0.
        let reopened = try F.openStore(in: root)
        #expect(try reopened.record(id: question.id) == nil)
        #expect(try reopened.record(id: day1Record.id) == day1Record)
        #expect(F.storeError { try reopened.append(question) } == .dayShredded(F.day0))
        reopened.close()
        try expectNoTraces(traces, under: root)
    }

    @Test func anInterruptedDestructionIsFinishedAtStartUp() throws {
        let root = try F.TemporaryDirectory()
        let store = try F.openStore(in: root)
        let canary = "CANARY-" + UUID().uuidString
        try store.append(F.inbound(id: "wamid.old", consumer: "+447700900555", time: F.Clock(day: F.day0, hour: 1).now, body: canary))
        try store.commit()
        // A crash between destroying the key and deleting the file: do only the first half.
        try store.keyring.destroy(before: F.day0.advanced(by: 1))
        store.close()
        #expect(FileManager.default.fileExists(atPath: root.file("data/regions/na/days/2024-03-01.sqlite")))

        let reopened = try F.openStore(in: root)
        defer { reopened.close() }
        #expect(reopened.days.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: root.file("data/regions/na/days/2024-03-01.sqlite")))
        #expect(try FileScan.files(under: root.path, containing: Array("wamid.old".utf8)).isEmpty)
    }

    @Test func aBlockedCheckpointIsReportedAndRetried() throws {
        let root = try F.TemporaryDirectory()
        let store = try F.openStore(in: root)
        defer { store.close() }
        try store.append(F.inbound(id: "wamid.a", consumer: "+447700900555", time: F.Clock(day: F.day0, hour: 1).now, body: "a"))
        try store.commit()
        let wrapped = try #require(try store.keyring.database.query("SELECT wrapped FROM day_keys").first?[0].blobValue)
        try store.keyring.checkpoint() // the key is in the database file now, not only in the log

        // Another process holds a read snapshot of the key file: the truncating checkpoint cannot finish.
        let reader = try Database.open(path: root.file("data/regions/na/keys.sqlite"))
        try reader.execute("BEGIN")
        _ = try reader.query("SELECT count(*) FROM day_keys")
        let now = F.Clock(day: F.day0.advanced(by: 31)).now
        #expect(F.storeError { _ = try store.expire(now: now) }
            == .checkpointIncomplete(path: root.file("data/regions/na/keys.sqlite")))
        #expect(try !FileScan.files(under: root.path, containing: wrapped).isEmpty, "the old page is still in the file")

        // Once the reader is gone, the next expire finishes the job although it deletes nothing new.
        try reader.execute("COMMIT")
        try reader.close()
        #expect(try store.expire(now: now) == [F.day0])
        #expect(try FileScan.files(under: root.path, containing: wrapped).isEmpty)
    }

    // MARK: Scanning

    private func expectOnDisk(_ root: F.TemporaryDirectory, _ bytes: [UInt8], _ name: String,
                              sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(try !FileScan.files(under: root.path, containing: bytes).isEmpty,
                "positive control: \(name) should be found on disk", sourceLocation: sourceLocation)
    }

    private func expectNoTraces(_ traces: DayZeroTraces, under root: F.TemporaryDirectory,
                                sourceLocation: SourceLocation = #_sourceLocation) throws {
        let files = try FileScan.files(under: root.path)
        #expect(files.contains { $0.path.hasSuffix("keys.sqlite") }, "the scan covers the key file", sourceLocation: sourceLocation)
        for (name, needle) in traces.all {
            let found = files.filter { FileScan.contains($0.bytes, needle) }.map(\.path)
            #expect(found.isEmpty, "\(name) of day 0 recoverable from \(found)", sourceLocation: sourceLocation)
        }
    }
}

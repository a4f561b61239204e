@testable import CloudAPI
import Crypto
import Foundation
import Storage
import Testing

/// Round trips, delivery state, the webhook queue and the customer-service window, on real files.
@Suite struct MessageStoreTests {
    typealias F = StoreFixture

    @Test func recordsOfBothDirectionsRoundTripAndSurviveReopening() throws {
        let root = try F.TemporaryDirectory()
        var clock = F.Clock(day: F.day0, hour: 9)
        let store = try F.openStore(in: root)
        let question = F.inbound(id: F.wamid(), consumer: "+447700900123", time: clock.now, body: "Is my order shipped?")
        clock.advance(milliseconds: 45_000)
        var answer = F.outbound(id: F.wamid(), consumer: "+447700900123", time: clock.now, body: "Yes, it left today ✓")
        answer.kind = "template"
        try store.append(question)
        try store.append(answer)
        #expect(store.pendingWriteCount == 2)
        #expect(try store.record(id: question.id) == nil, "reads see committed data only")
        try store.commit()
        #expect(store.pendingWriteCount == 0)

        #expect(try store.record(id: question.id) == question)
        #expect(try store.record(id: answer.id) == answer)
        #expect(try store.record(id: "wamid.unknown") == nil)
        #expect(store.days == [F.day0])

        // On disk: the directory layout and modes the design asks for.
        let directory = root.file("data/regions/na")
        #expect(try permissions(directory) == 0o700)
        #expect(try permissions(directory + "/days") == 0o700)
        #expect(try permissions(directory + "/keys.sqlite") == 0o600)
        #expect(try permissions(directory + "/days/2024-03-01.sqlite") == 0o600)
        #expect(try permissions(root.file("master.key")) == 0o600)

        store.close()
        let reopened = try F.openStore(in: root)
        #expect(try reopened.record(id: question.id) == question)
        #expect(try reopened.record(id: answer.id) == answer)
        reopened.close()
    }

    @Test func appendingAnIDTwiceKeepsTheFirst() throws {
        let root = try F.TemporaryDirectory()
        let store = try F.openStore(in: root)
        defer { store.close() }
        let clock = F.Clock(day: F.day0, hour: 12)
        let first = F.inbound(id: "wamid.dup", consumer: "+447700900123", time: clock.now, body: "first")
        try store.append(first)
        try store.append(F.inbound(id: "wamid.dup", consumer: "+447700900123", time: clock.now, body: "second"))
        try store.commit()
        try store.append(F.inbound(id: "wamid.dup", consumer: "+447700900123", time: clock.now, body: "third"))
        try store.commit()
        #expect(try store.record(id: "wamid.dup") == first)
        let rows = try store.dayFiles.database(for: F.day0).query("SELECT count(*) FROM records")
        #expect(rows.first?[0] == 1)
    }

    @Test func deliveryStatusUpdatesAreStoredAndReadBack() throws {
        let root = try F.TemporaryDirectory()
        let store = try F.openStore(in: root)
        defer { store.close() }
        var clock = F.Clock(day: F.day0, hour: 10)
        let message = F.outbound(id: F.wamid(), consumer: "+33612345678", time: clock.now, body: "Your code is 4411")
        try store.append(message)
        // An update queued in the same turn as the append finds the record.
        try store.updateDelivery(id: message.id, status: .sent, attempts: 0, nextAttemptAt: clock.now, delivered: false)
        try store.commit()
        #expect(try store.record(id: message.id)?.delivery == DeliveryState(status: .sent, nextAttemptAt: clock.now))

        clock.advance(milliseconds: 1_500)
        try store.updateDelivery(id: message.id, status: .delivered, attempts: 1, nextAttemptAt: clock.now + 10_000, delivered: false)
        try store.commit()
        #expect(try store.record(id: message.id)?.delivery
            == DeliveryState(status: .delivered, webhookAttempts: 1, nextAttemptAt: clock.now + 10_000))

        clock.advance(milliseconds: 60_000)
        try store.updateDelivery(id: message.id, status: .read, attempts: 2, nextAttemptAt: clock.now, delivered: true)
        try store.commit()
        let read = try #require(try store.record(id: message.id))
        #expect(read.delivery == DeliveryState(status: .read, webhookAttempts: 2, nextAttemptAt: clock.now, webhookDelivered: true))
        // Only the delivery state changed.
        var expected = message
        expected.delivery = read.delivery
        #expect(read == expected)

        #expect(F.storeError { try store.updateDelivery(id: "wamid.nope", status: .read, attempts: 0, nextAttemptAt: 0, delivered: true) }
            == .recordNotFound(id: "wamid.nope"))
        #expect(F.storeError { try store.updateDelivery(id: message.id, status: .read, attempts: -1, nextAttemptAt: 0, delivered: true) }
            == .invalidRecord(id: message.id, reason: "the webhook attempt count is negative"))
        #expect(store.pendingWriteCount == 0)
    }

    @Test func containsRecordLooksUpCommittedIDsOnTheirDayOnly() throws {
        let root = try F.TemporaryDirectory()
        let store = try F.openStore(in: root)
        defer { store.close() }
        let time = F.Clock(day: F.day0, hour: 12).now
        try store.append(F.inbound(id: "wamid.stored", consumer: "+447700900123", time: time, body: "x"))
        #expect(try !store.containsRecord(anyOf: ["wamid.stored"], storedAt: time), "not before the commit")
        try store.commit()
        try store.append(F.inbound(id: "wamid.pending", consumer: "+447700900123", time: time, body: "y"))
        #expect(try store.containsRecord(anyOf: ["wamid.stored"], storedAt: time))
        #expect(try store.containsRecord(anyOf: ["wamid.other", "wamid.stored"], storedAt: time + 3_600_000))
        #expect(try !store.containsRecord(anyOf: ["wamid.other", "wamid.pending"], storedAt: time))
        #expect(try !store.containsRecord(anyOf: [], storedAt: time))
        #expect(try !store.containsRecord(anyOf: ["wamid.stored"], storedAt: time + 86_400_000), "another day's file")
        #expect(try !store.containsRecord(anyOf: ["wamid.stored"], storedAt: time - 86_400_000), "a day without a file")
        try store.commit()
        try store.expire(now: time + 31 * 86_400_000)
        #expect(try !store.containsRecord(anyOf: ["wamid.stored"], storedAt: time), "a destroyed day")
    }

    @Test func pendingWebhooksAreDueFirstAndRespectBackoff() throws {
        let root = try F.TemporaryDirectory()
        let store = try F.openStore(in: root)
        defer { store.close() }
        var clock = F.Clock(day: F.day0, hour: 23, minute: 50)
        // Yesterday's record (day 0), due later than today's first one.
        let late = F.inbound(id: "wamid.late", consumer: "+447700900001", time: clock.now, body: "a")
        var lateRecord = late
        lateRecord.delivery.nextAttemptAt = clock.now + 20 * 60_000 // day 1, 00:10
        try store.append(lateRecord)
        clock.advance(hours: 0, milliseconds: 15 * 60_000) // day 1, 00:05
        let early = F.inbound(id: "wamid.early", consumer: "+447700900002", time: clock.now, body: "b")
        try store.append(early) // due at its time, 00:05
        clock.advance(milliseconds: 60_000) // 00:06
        let third = F.outbound(id: "wamid.third", consumer: "+447700900003", time: clock.now, body: "c")
        try store.append(third) // due 00:06
        var done = F.inbound(id: "wamid.done", consumer: "+447700900004", time: clock.now, body: "d")
        done.delivery.webhookDelivered = true
        try store.append(done)
        try store.commit()
        #expect(store.days == [F.day0, F.day0.advanced(by: 1)])

        var now = F.Clock(day: F.day0.advanced(by: 1), minute: 30).now
        #expect(try store.pendingWebhooks(now: now, limit: 10).map(\.id) == ["wamid.early", "wamid.third", "wamid.late"])
        #expect(try store.pendingWebhooks(now: now, limit: 2).map(\.id) == ["wamid.early", "wamid.third"])
        #expect(try store.pendingWebhooks(now: now, limit: 0).isEmpty)
        // Webhooks in flight are left out, and the limit counts only the others.
        #expect(try store.pendingWebhooks(now: now, limit: 2, skipping: ["wamid.early"]).map(\.id) == ["wamid.third", "wamid.late"])
        #expect(try store.pendingWebhooks(now: now, limit: 1, skipping: ["wamid.early", "wamid.third"]).map(\.id) == ["wamid.late"])
        #expect(try store.pendingWebhooks(now: now, limit: 5, skipping: ["wamid.early", "wamid.third", "wamid.late"]).isEmpty)
        // Before the late one is due.
        #expect(try store.pendingWebhooks(now: F.Clock(day: F.day0.advanced(by: 1), minute: 7).now, limit: 10).map(\.id)
            == ["wamid.early", "wamid.third"])
        #expect(try store.pendingWebhooks(now: F.Clock(day: F.day0.advanced(by: 1), minute: 4).now, limit: 10).isEmpty)

        // A failed attempt backs "early" off by 5 minutes; "third" is delivered.
        let attemptTime = F.Clock(day: F.day0.advanced(by: 1), minute: 8).now
        try store.updateDelivery(id: "wamid.early", status: .accepted, attempts: 1, nextAttemptAt: attemptTime + 300_000, delivered: false)
        try store.updateDelivery(id: "wamid.third", status: .sent, attempts: 1, nextAttemptAt: attemptTime, delivered: true)
        try store.commit()
        #expect(try store.pendingWebhooks(now: attemptTime, limit: 10).isEmpty)
        now = attemptTime + 299_999
        #expect(try store.pendingWebhooks(now: now, limit: 10).map(\.id) == ["wamid.late"])
        now = attemptTime + 300_000
        let due = try store.pendingWebhooks(now: now, limit: 10)
        #expect(due.map(\.id) == ["wamid.late", "wamid.early"])
        #expect(due.last?.delivery.webhookAttempts == 1)
        #expect(due.first == lateRecord, "pending records come back decrypted")
    }

    @Test func lastInboundAnswersTheCustomerServiceWindow() throws {
        let root = try F.TemporaryDirectory()
        let store = try F.openStore(in: root)
        defer { store.close() }
        let consumer = "+5511987654321"
        let other = "+5511912345678"
        // Day 0, 22:00: the consumer writes; 22:30 the business answers (outbound: not a window opener).
        let written = F.Clock(day: F.day0, hour: 22).now
        try store.append(F.inbound(id: F.wamid(), consumer: consumer, time: written, body: "hello"))
        try store.append(F.outbound(id: F.wamid(), consumer: consumer, time: written + 1_800_000, body: "hi"))
        try store.append(F.outbound(id: F.wamid(), consumer: other, time: written + 60_000, body: "promo"))
        try store.commit()

        #expect(try store.lastInbound(business: F.business, consumer: consumer, now: written) == written)
        #expect(try store.lastInbound(business: F.business, consumer: consumer, now: written - 1) == nil, "not before it happened")
        // Across midnight: found under yesterday's key.
        #expect(try store.lastInbound(business: F.business, consumer: consumer, now: written + 3 * 3_600_000) == written)
        #expect(try store.lastInbound(business: F.business, consumer: consumer, now: written + 86_399_999) == written)
        #expect(try store.lastInbound(business: F.business, consumer: consumer, now: written + 86_400_000) == nil, "window closed")
        #expect(try store.lastInbound(business: F.business, consumer: other, now: written + 3_600_000) == nil, "outbound only")
        #expect(try store.lastInbound(business: "+14155550199", consumer: consumer, now: written + 3_600_000) == nil, "other business")

        // A newer message on day 1 moves the window.
        let again = F.Clock(day: F.day0.advanced(by: 1), hour: 8).now
        try store.append(F.inbound(id: F.wamid(), consumer: consumer, time: again, body: "still there?"))
        try store.commit()
        #expect(try store.lastInbound(business: F.business, consumer: consumer, now: again + 1) == again)
        #expect(try store.lastInbound(business: F.business, consumer: consumer, now: again - 1) == written)
        #expect(try store.lastInbound(business: F.business, consumer: consumer, now: again + 86_399_999) == again)
    }

    /// The party index holds inbound records only (outbound messages and statuses, most rows, do
    /// not write to it), `lastInbound`'s query is answered from it, and a day file of schema 1
    /// (the index over every record) is migrated and still answers.
    @Test func thePartyIndexHoldsInboundRecordsOnlyAndOldDayFilesMigrate() throws {
        let root = try F.TemporaryDirectory()
        let consumer = "+5511987654321"
        let written = F.Clock(day: F.day0, hour: 10).now
        var store = try F.openStore(in: root)
        try store.append(F.inbound(id: F.wamid(), consumer: consumer, time: written, body: "hello"))
        try store.append(F.outbound(id: F.wamid(), consumer: consumer, time: written + 1_000, body: "hi"))
        try store.append(F.outbound(id: F.wamid(), consumer: consumer, time: written + 2_000, body: "more"))
        try store.commit()
        store.close()

        let path = root.file("data/regions/na/days/2024-03-01.sqlite")
        var database = try Database.open(path: path)
        let plan = try database.query("EXPLAIN QUERY PLAN " + MessageStore.lastInboundQuery, bindings: [.blob([0]), .integer(0), .integer(1)])
        #expect(plan.contains { (row: Row) in row[3].stringValue?.contains("USING COVERING INDEX records_inbound_party") == true },
                "answered from the partial index: \(plan.map { $0[3].stringValue ?? "" })")
        let entries = try database.query("SELECT count(*) FROM records INDEXED BY records_inbound_party WHERE direction = 0")
        #expect(entries.first?[0].int64Value == 1)
        #expect(try database.query("SELECT count(*) FROM records").first?[0].int64Value == 3)
        // Only the inbound record has a party value; outbound ones store none.
        #expect(try database.query("SELECT length(party) FROM records ORDER BY time").map { $0[0].int64Value } == [32, 0, 0])
        // Back to schema 1, as a file written before the change.
        try database.execute("DROP INDEX records_inbound_party")
        try database.execute("CREATE INDEX records_party ON records(party, direction, time)")
        try database.execute("PRAGMA user_version=1")
        try database.close()

        store = try F.openStore(in: root)
        defer { store.close() }
        #expect(try store.lastInbound(business: F.business, consumer: consumer, now: written + 5_000) == written, "read after migrating")
        database = try Database.open(path: path)
        defer { try? database.close() }
        let indexes = try database.query("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'records' ORDER BY name")
        #expect(indexes.compactMap { $0[0].stringValue } == ["records_inbound_party", "records_pending", "sqlite_autoindex_records_1"])
        #expect(try database.query("PRAGMA user_version").first?[0].int64Value == 2)
    }

    @Test func invalidRecordsAreRefusedWithoutQuotingThem() throws {
        let root = try F.TemporaryDirectory()
        let store = try F.openStore(in: root)
        defer { store.close() }
        let time = F.Clock(day: F.day0).now
        var record = F.inbound(id: "wamid.x", consumer: "+4477009001", time: time, body: "x")
        record.consumer = "4477009001234" // no plus
        let error = try #require(F.storeError { try store.append(record) })
        #expect(error == .invalidRecord(id: "wamid.x", reason: "the consumer number is not an E.164 number"))
        #expect(!error.description.contains("4477009001234"))

        record = F.inbound(id: "", consumer: "+4477009001", time: time, body: "x")
        #expect(F.storeError { try store.append(record) } == .invalidRecord(id: "", reason: "the id must have 1...512 bytes"))
        record = F.inbound(id: "wamid.y", consumer: "+4477009001", time: -1, body: "x")
        #expect(F.storeError { try store.append(record) } == .invalidRecord(id: "wamid.y", reason: "the time is before 1970"))
        record = F.inbound(id: "wamid.z", consumer: "+4477009001", time: MessageRecord.latestTime + 1, body: "x")
        #expect(F.storeError { try store.append(record) } == .invalidRecord(id: "wamid.z", reason: "the time is after 9999-12-31"))
        #expect(UTCDay(milliseconds: MessageRecord.latestTime).description == "9999-12-31")
        #expect(store.pendingWriteCount == 0)
        #expect(store.days.isEmpty, "nothing was created for refused records")
    }

    @Test func thirtyOneDaysInOneTurnNeedNoAttachLimit() throws {
        let root = try F.TemporaryDirectory()
        let store = try F.openStore(in: root)
        defer { store.close() }
        var ids: [String] = []
        for offset in 0..<31 {
            let time = F.Clock(day: F.day0.advanced(by: offset), hour: 12).now
            let record = F.inbound(id: "wamid.day\(offset)", consumer: "+447700900\(100 + offset)", time: time, body: "m\(offset)")
            try store.append(record)
            ids.append(record.id)
        }
        try store.commit()
        #expect(store.days.count == 31)
        for (offset, id) in ids.enumerated() {
            let record = try #require(try store.record(id: id))
            #expect(record.consumer == "+447700900\(100 + offset)")
        }
        let now = F.Clock(day: F.day0.advanced(by: 30), hour: 23).now
        #expect(try store.pendingWebhooks(now: now, limit: 100).map(\.id) == ids)
        // The same update touching every day in one turn: one transaction per day file.
        for id in ids { try store.updateDelivery(id: id, status: .sent, attempts: 1, nextAttemptAt: now, delivered: true) }
        try store.commit()
        #expect(try store.pendingWebhooks(now: now, limit: 100).isEmpty)
    }

    @Test func aFailedDayBatchNamesItsIDsAndOtherDaysStillCommit() throws {
        let root = try F.TemporaryDirectory()
        let store = try F.openStore(in: root)
        defer { store.close() }
        let day1 = F.Clock(day: F.day0.advanced(by: 1), hour: 1).now
        try store.append(F.inbound(id: "wamid.seed", consumer: "+447700900123", time: day1, body: "seed"))
        try store.commit()

        // Someone breaks day 1's file behind the store's back.
        let saboteur = try Database.open(path: store.dayFiles.path(for: F.day0.advanced(by: 1)))
        try saboteur.execute("CREATE TRIGGER no_inserts BEFORE INSERT ON records BEGIN SELECT RAISE(ABORT, 'refused'); END")
        try saboteur.close()

        let day0 = F.Clock(day: F.day0, hour: 23).now
        try store.append(F.inbound(id: "wamid.kept", consumer: "+447700900123", time: day0, body: "kept"))
        try store.append(F.inbound(id: "wamid.lost", consumer: "+447700900123", time: day1 + 5, body: "lost"))
        let error = try #require(F.storeError { try store.commit() })
        guard case let .commitFailed(ids, underlying) = error else {
            Issue.record("expected commitFailed, got \(error)")
            return
        }
        #expect(ids == ["wamid.lost"])
        #expect(underlying.code == .constraint)
        #expect(store.pendingWriteCount == 0)
        #expect(try store.record(id: "wamid.kept") != nil)
        #expect(try store.record(id: "wamid.lost") == nil)
    }

    @Test func locationsKeepBusinessesApart() throws {
        let root = try F.TemporaryDirectory()
        let data = root.file("data")
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let key = try MasterKey.loadOrCreate(path: root.file("master.key"))

        #expect(StoreLocation.forBusiness(region: .eu, localStorageDirectory: nil, dataDirectory: data)
            == .region(.eu, dataDirectory: data))
        #expect(StoreLocation.region(.eu, dataDirectory: data + "/").directory == data + "/regions/eu")
        let local = root.file("acme-local")
        let localLocation = StoreLocation.forBusiness(region: .eu, localStorageDirectory: local, dataDirectory: data)
        #expect(localLocation == .localStorage(directory: local))
        #expect(localLocation.placement == .localStorage)

        // A missing local-storage directory (an unmounted volume) is refused, never created.
        #expect(F.storeError { _ = try MessageStore(location: localLocation, masterKey: key) }
            == .locationUnavailable(directory: local, reason: "the local-storage directory does not exist"))
        #expect(!FileManager.default.fileExists(atPath: local))
        let missingData = StoreLocation.region(.na, dataDirectory: root.file("nowhere"))
        #expect(F.storeError { _ = try MessageStore(location: missingData, masterKey: key) } != nil)

        try FileManager.default.createDirectory(atPath: local, withIntermediateDirectories: false)
        let eu = try MessageStore(location: .region(.eu, dataDirectory: data), masterKey: key)
        let na = try MessageStore(location: .region(.na, dataDirectory: data), masterKey: key)
        let acme = try MessageStore(location: localLocation, masterKey: key)
        defer { [eu, na, acme].forEach { $0.close() } }
        let time = F.Clock(day: F.day0, hour: 3).now
        try eu.append(F.inbound(id: "wamid.eu", consumer: "+4915112345678", time: time, body: "eu"))
        try acme.append(F.inbound(id: "wamid.acme", consumer: "+4915112345679", time: time, body: "acme"))
        try eu.commit()
        try acme.commit()
        #expect(try eu.record(id: "wamid.eu") != nil)
        #expect(try na.record(id: "wamid.eu") == nil)
        #expect(try eu.record(id: "wamid.acme") == nil)
        #expect(try acme.record(id: "wamid.acme") != nil)
        #expect(FileManager.default.fileExists(atPath: local + "/days/2024-03-01.sqlite"))
        #expect(FileManager.default.fileExists(atPath: local + "/keys.sqlite"))
        #expect(!FileManager.default.fileExists(atPath: data + "/regions/na/days/2024-03-01.sqlite"))
    }

    @Test func recordsPrintWithoutNumbersOrContent() throws {
        let canary = "canary-\(UUID().uuidString)"
        let record = F.inbound(id: "wamid.print", consumer: "+393471234567", time: 1_709_280_000_000, body: canary)
        var dumped = ""
        dump(record, to: &dumped)
        for text in [record.description, String(reflecting: record), "\(record)", dumped] {
            #expect(!text.contains("393471234567"), "\(text)")
            #expect(!text.contains(F.business.dropFirst()), "\(text)")
            #expect(!text.contains(canary), "\(text)")
            #expect(text.contains("wamid.print"))
        }
    }

    private func permissions(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return ((attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1) & 0o777
    }
}

@testable import CloudAPI
import Crypto
import Storage
import Testing

/// The webhook pump's queue: records committed with their webhook pending are handed out from
/// memory once each; the store is read on the first call, when asked (retries), and while the
/// memory is behind; nothing is handed out twice or after its day is destroyed.
@Suite struct TakeDueWebhooksTests {
    typealias F = StoreFixture

    /// Deletes every record row of `day`: what is handed out afterwards can only come from memory.
    private func deleteRows(_ store: MessageStore, day: UTCDay = F.day0) throws {
        try store.dayFiles.database(for: day).execute("DELETE FROM records")
    }

    private func take(_ store: MessageStore, _ now: Int64, limit: Int = 10, skipping: Set<String> = [], readingStore: Bool = false) throws -> [String] {
        try store.takeDueWebhooks(now: now, limit: limit, skipping: skipping, readingStore: readingStore).map(\.id)
    }

    @Test func committedRecordsAreHandedOutOnceFromMemory() throws {
        let root = try F.TemporaryDirectory()
        let store = try F.openStore(in: root)
        defer { store.close() }
        var clock = F.Clock(day: F.day0, hour: 10)
        let early = F.inbound(id: "wamid.early", consumer: "+447700900001", time: clock.now, body: "a")
        try store.append(early)
        try store.commit()
        // The first call reads the store (a run before may have left webhooks pending).
        #expect(store.fresh.isBehind)
        #expect(try take(store, clock.now) == ["wamid.early"])
        #expect(!store.fresh.isBehind, "the read saw every due record")

        clock.advance(milliseconds: 1_000)
        let records = (1...3).map { F.inbound(id: "wamid.m\($0)", consumer: "+44770090000\($0)", time: clock.now, body: "b\($0)") }
        for record in records { try store.append(record) }
        var done = F.outbound(id: "wamid.done", consumer: "+447700900009", time: clock.now, body: "c")
        done.delivery.webhookDelivered = true
        try store.append(done)
        #expect(try take(store, clock.now).isEmpty, "nothing before the commit")
        try store.commit()
        try deleteRows(store)
        #expect(try store.pendingWebhooks(now: clock.now, limit: 10).isEmpty)
        // From memory, in commit order, decrypted-equal to what was appended; in-flight ids are
        // left out, and each record goes once.
        #expect(try store.takeDueWebhooks(now: clock.now, limit: 1, skipping: [], readingStore: false) == [records[0]])
        #expect(try take(store, clock.now, skipping: ["wamid.m2"]) == ["wamid.m3"])
        #expect(try take(store, clock.now).isEmpty)
        #expect(store.fresh.count == 0)
    }

    @Test func anIDAlreadyStoredIsNotHandedOutAgain() throws {
        let root = try F.TemporaryDirectory()
        let store = try F.openStore(in: root)
        defer { store.close() }
        let clock = F.Clock(day: F.day0, hour: 10)
        #expect(try take(store, clock.now).isEmpty)  // caught up with the empty store
        try store.append(F.inbound(id: "wamid.dup", consumer: "+447700900001", time: clock.now, body: "first"))
        try store.commit()
        #expect(try take(store, clock.now) == ["wamid.dup"])
        // Appended again (a re-delivered envelope, a repeated receipt): the insert changes nothing.
        try store.append(F.inbound(id: "wamid.dup", consumer: "+447700900001", time: clock.now, body: "second"))
        try store.append(F.inbound(id: "wamid.new", consumer: "+447700900002", time: clock.now, body: "third"))
        try store.commit()
        #expect(try take(store, clock.now) == ["wamid.new"])
    }

    @Test func aRolledBackDayIsNotHandedOut() throws {
        let root = try F.TemporaryDirectory()
        let store = try F.openStore(in: root)
        defer { store.close() }
        var clock = F.Clock(day: F.day0, hour: 23, minute: 59)
        #expect(try take(store, clock.now).isEmpty)
        try store.append(F.inbound(id: "wamid.first", consumer: "+447700900001", time: clock.now, body: "a"))
        clock.advance(milliseconds: 120_000)
        try store.append(F.inbound(id: "wamid.good", consumer: "+447700900001", time: clock.now, body: "a"))
        try store.commit()
        #expect(try take(store, clock.now) == ["wamid.first", "wamid.good"])
        // Day 0's batch commits first; day 1's fails on its second insert and is rolled back.
        try store.dayFiles.database(for: F.day0.advanced(by: 1)).execute("""
            CREATE TEMP TRIGGER poison BEFORE INSERT ON records WHEN NEW.id = 'wamid.poison'
            BEGIN SELECT RAISE(ABORT, 'poisoned'); END
            """)
        try store.append(F.inbound(id: "wamid.dayzero", consumer: "+447700900004", time: clock.now - 120_000, body: "d"))
        try store.append(F.inbound(id: "wamid.lost", consumer: "+447700900002", time: clock.now, body: "b"))
        try store.append(F.inbound(id: "wamid.poison", consumer: "+447700900003", time: clock.now, body: "c"))
        let error = F.storeError { try store.commit() }
        guard case let .commitFailed(ids, _) = error else {
            Issue.record("expected commitFailed, got \(String(describing: error))")
            return
        }
        #expect(Set(ids) == ["wamid.lost", "wamid.poison"])
        #expect(try take(store, clock.now) == ["wamid.dayzero"], "what day 0 committed, not what day 1 rolled back")
        #expect(try store.record(id: "wamid.lost") == nil)
    }

    @Test func readingTheStoreFindsRetriesAndNeverRepeatsMemory() throws {
        let root = try F.TemporaryDirectory()
        let store = try F.openStore(in: root)
        defer { store.close() }
        var clock = F.Clock(day: F.day0, hour: 10)
        #expect(try take(store, clock.now).isEmpty)
        let failed = F.inbound(id: "wamid.failed", consumer: "+447700900001", time: clock.now, body: "a")
        try store.append(failed)
        try store.commit()
        #expect(try take(store, clock.now) == ["wamid.failed"])
        // Its webhook failed: retried in 1 s. Meanwhile two more are committed.
        try store.updateDelivery(of: failed, status: .delivered, attempts: 1, nextAttemptAt: clock.now + 1_000, delivered: false)
        clock.advance(milliseconds: 500)
        try store.append(F.inbound(id: "wamid.b", consumer: "+447700900002", time: clock.now, body: "b"))
        try store.append(F.inbound(id: "wamid.c", consumer: "+447700900003", time: clock.now, body: "c"))
        try store.commit()
        clock.advance(milliseconds: 600)
        // Memory knows nothing of the due retry: taking from memory gives the two new records.
        #expect(try take(store, clock.now, limit: 2) == ["wamid.b", "wamid.c"])
        try store.append(F.inbound(id: "wamid.d", consumer: "+447700900004", time: clock.now, body: "d"))
        try store.append(F.inbound(id: "wamid.e", consumer: "+447700900005", time: clock.now, body: "e"))
        try store.commit()
        // A read of the store finds the retry and leaves out what memory holds (d, e) and what is
        // in flight (b, c); memory fills the slot left — each record once.
        #expect(try take(store, clock.now, limit: 2, skipping: ["wamid.b", "wamid.c"], readingStore: true) == ["wamid.failed", "wamid.d"])
        #expect(try take(store, clock.now, skipping: ["wamid.b", "wamid.c", "wamid.failed", "wamid.d"]) == ["wamid.e"])
        #expect(try take(store, clock.now, skipping: ["wamid.b", "wamid.c", "wamid.failed", "wamid.d", "wamid.e"], readingStore: true).isEmpty)
        // A record not yet due leaves memory and comes from a read once due.
        var later = F.inbound(id: "wamid.later", consumer: "+447700900005", time: clock.now, body: "e")
        later.delivery.nextAttemptAt = clock.now + 5_000
        try store.append(later)
        try store.commit()
        #expect(try take(store, clock.now).isEmpty)
        clock.advance(milliseconds: 5_000)
        #expect(try take(store, clock.now).isEmpty)
        #expect(try take(store, clock.now, skipping: ["wamid.b", "wamid.c", "wamid.failed", "wamid.d", "wamid.e"], readingStore: true)
            == ["wamid.later"])
    }

    @Test func aRecordUpdatedBeforeItIsTakenLeavesMemory() throws {
        let root = try F.TemporaryDirectory()
        let store = try F.openStore(in: root)
        defer { store.close() }
        let clock = F.Clock(day: F.day0, hour: 10)
        #expect(try take(store, clock.now).isEmpty)
        let parked = F.inbound(id: "wamid.parked", consumer: "+447700900001", time: clock.now, body: "a")
        let done = F.inbound(id: "wamid.done", consumer: "+447700900002", time: clock.now, body: "b")
        let kept = F.inbound(id: "wamid.kept", consumer: "+447700900003", time: clock.now, body: "c")
        for record in [parked, done, kept] { try store.append(record) }
        try store.commit()
        // Parked for a minute, and delivered by some other path, after their commit…
        try store.updateDelivery(of: parked, status: .delivered, attempts: 0, nextAttemptAt: clock.now + 60_000, delivered: false)
        try store.updateDelivery(id: "wamid.done", status: .delivered, attempts: 1, nextAttemptAt: clock.now, delivered: true)
        // …and one updated in the same batch as its insert.
        let fresh = F.inbound(id: "wamid.same", consumer: "+447700900004", time: clock.now, body: "d")
        try store.append(fresh)
        try store.updateDelivery(of: fresh, status: .delivered, attempts: 0, nextAttemptAt: clock.now, delivered: true)
        try store.commit()
        #expect(try take(store, clock.now) == ["wamid.kept"])
        #expect(try take(store, clock.now + 59_999, skipping: ["wamid.kept"], readingStore: true).isEmpty)
        #expect(try take(store, clock.now + 60_000, skipping: ["wamid.kept"], readingStore: true) == ["wamid.parked"])
    }

    @Test func overflowFallsBehindUntilAReadCatchesUp() throws {
        let root = try F.TemporaryDirectory()
        let store = try F.openStore(in: root)
        defer { store.close() }
        var clock = F.Clock(day: F.day0, hour: 10)
        #expect(try take(store, clock.now).isEmpty)
        let total = FreshWebhooks.capacity + 3
        var ids: [String] = []
        for index in 0..<total {
            let id = "wamid.\(String(index + 100_000))"
            ids.append(id)
            try store.append(F.inbound(id: id, consumer: "+447700900001", time: clock.now + Int64(index), body: "x"))
        }
        try store.commit()
        #expect(store.fresh.isBehind && store.fresh.count == 0, "past the capacity everything is dropped")
        clock.advance(milliseconds: 60_000)
        // Read from the store, oldest first, until it has no more than it returns.
        var handed: [String] = []
        while true {
            let batch = try store.takeDueWebhooks(now: clock.now, limit: 500, skipping: [], readingStore: false)
            handed += batch.map(\.id)
            for record in batch {
                try store.updateDelivery(of: record, status: .delivered, attempts: 1, nextAttemptAt: clock.now, delivered: true)
            }
            try store.commit()
            if batch.count < 500 { break }
            #expect(store.fresh.isBehind)
        }
        #expect(handed == ids)
        #expect(!store.fresh.isBehind)
        try store.append(F.inbound(id: "wamid.after", consumer: "+447700900002", time: clock.now, body: "y"))
        try store.commit()
        try deleteRows(store)
        #expect(try take(store, clock.now) == ["wamid.after"], "collected in memory again")
    }

    @Test func expiryDropsWhatMemoryHeldOfADestroyedDay() throws {
        let root = try F.TemporaryDirectory()
        let store = try F.openStore(in: root)
        defer { store.close() }
        var clock = F.Clock(day: F.day0, hour: 10)
        #expect(try take(store, clock.now).isEmpty)
        try store.append(F.inbound(id: "wamid.old", consumer: "+447700900001", time: clock.now, body: "a"))
        try store.commit()
        #expect(store.fresh.count == 1)
        clock.advance(days: 31)
        #expect(try store.expire(now: clock.now) == [F.day0])
        #expect(store.fresh.count == 0)
        #expect(try take(store, clock.now).isEmpty)
    }
}

import Crypto
import Storage

extension MessageStore {
    /// The columns every record read selects, in the order ``decode(_:day:)`` expects.
    static let recordColumns = "id, direction, time, status, attempts, next_attempt_at, delivered, sealed"

    /// The committed record with this id, decrypted, or `nil` if no live day holds it. Days are
    /// searched newest first.
    ///
    /// - Throws: `.recordCorrupt` if the stored bytes do not authenticate, `.dayKeyMissing` /
    ///   `.dayKeyCorrupt` if its day's key cannot be had, or a storage failure — never garbage.
    public func record(id: String) throws(MessageStoreError) -> MessageRecord? {
        for day in liveDays.reversed() {
            if let record = try record(id: id, on: day) { return record }
        }
        return nil
    }

    /// The committed record with this id among those stored at `time`'s day (a record's day is
    /// its time's), decrypted, or `nil`: one look-up, where ``record(id:)`` may search every live
    /// day for an id it does not find.
    ///
    /// - Throws: As ``record(id:)``.
    public func record(id: String, storedAt time: Int64) throws(MessageStoreError) -> MessageRecord? {
        let day = UTCDay(milliseconds: time)
        return liveDays.contains(day) ? try record(id: id, on: day) : nil
    }

    /// Whether a committed record with one of `ids` is stored among those of `time`'s day: one
    /// indexed look-up; no row is read, nothing decrypted.
    ///
    /// - Throws: A storage failure.
    public func containsRecord(anyOf ids: [String], storedAt time: Int64) throws(MessageStoreError) -> Bool {
        let day = UTCDay(milliseconds: time)
        guard !ids.isEmpty, liveDays.contains(day), let database = try dayFiles.existingDatabase(for: day) else { return false }
        let sql = ids.count == 2 ? Self.containsEitherQuery : Self.containsQuery(count: ids.count)
        return try !database.storeQuery(sql, ids.map { .text($0) }).isEmpty
    }

    /// ``containsRecord(anyOf:storedAt:)``'s query: one probe of the id index per id. Not
    /// `id IN (…)`, for which SQLite builds a temporary b-tree of the list on every run.
    static func containsQuery(count: Int) -> String {
        Array(repeating: "SELECT 1 FROM records WHERE id = ?", count: count).joined(separator: " UNION ALL ") + " LIMIT 1"
    }

    /// The query for two ids (an envelope's message id and its legacy form), built once.
    static let containsEitherQuery = containsQuery(count: 2)

    /// The committed record with this id in `day`'s file, decrypted, or `nil` (no such record or
    /// no such file).
    private func record(id: String, on day: UTCDay) throws(MessageStoreError) -> MessageRecord? {
        guard let database = try dayFiles.existingDatabase(for: day),
              let row = try database.storeQuery("SELECT \(Self.recordColumns) FROM records WHERE id = ?", [.text(id)]).first
        else { return nil }
        return try decode(row, day: day)
    }

    /// The time of the newest inbound message from `consumer` to `business` in the 24 hours before
    /// `now` (`now − 24 h < time ≤ now`), or `nil` — whether the customer-service window is open.
    ///
    /// Answered from the party index under today's and yesterday's keys (a 24-hour window touches
    /// no other day), without decrypting anything and without any number stored in the clear.
    public func lastInbound(business: String, consumer: String, now: Int64) throws(MessageStoreError) -> Int64? {
        let today = UTCDay(milliseconds: now)
        var newest: Int64?
        for day in [today.advanced(by: -1), today] where liveDays.contains(day) {
            guard let key = try keyring.key(for: day) else { throw .dayKeyMissing(day) }
            guard let database = try dayFiles.existingDatabase(for: day) else { continue }
            let party: [UInt8]
            do throws(CryptoError) { party = try key.partyIndex(business: business, consumer: consumer) } catch {
                throw .crypto(error)
            }
            let row = try database.storeQuery(Self.lastInboundQuery, [.blob(party), .integer(now - UTCDay.milliseconds), .integer(now)]).first
            if let time = row?[0].int64Value { newest = max(newest ?? time, time) }
        }
        return newest
    }

    /// ``lastInbound(business:consumer:now:)``'s query, answered from the partial index
    /// `records_inbound_party` (`WHERE direction = 0`). The direction is a literal: SQLite proves a
    /// bound `direction = ?` within the index only by re-preparing the statement for the bound
    /// value, on every call.
    static let lastInboundQuery =
        "SELECT max(time) FROM records WHERE party = ? AND direction = \(MessageDirection.inbound.rawValue) AND time > ? AND time <= ?"

    /// Up to `limit` records whose webhook is not done and whose next attempt is due
    /// (`nextAttemptAt ≤ now`), most overdue first (then by time, then id), decrypted — leaving out
    /// the ids in `skipping` (webhooks already in flight) before anything is decrypted. This is
    /// how webhook retransmission survives restarts: the queue *is* the store.
    public func pendingWebhooks(now: Int64, limit: Int, skipping: Set<String> = []) throws(MessageStoreError) -> [MessageRecord] {
        try readDueWebhooks(now: now, limit: limit, skipping: skipping).records
    }

    /// What the webhook pump delivers next: up to `limit` records whose webhook is due, leaving out
    /// `skipping` (those in flight). Unlike ``pendingWebhooks(now:limit:skipping:)`` this *takes*
    /// them: records committed since the last call are handed out from memory, oldest first,
    /// once each, without reading or decrypting anything. The store is read first — most overdue
    /// first, leaving out what memory holds — when `readingStore` (for retries and parked records
    /// coming due: the endpoint asks at least every housekeeping tick), on the first call, and
    /// after memory overflowed, until a read finds no due record beyond those it returns; then
    /// memory fills what slots are left.
    ///
    /// A record taken and not then delivered or marked (``updateWebhook(of:attempts:nextAttemptAt:delivered:)``)
    /// is found again only by a read of the store. A record whose webhook state is updated before
    /// it is taken (``updateWebhook(of:attempts:nextAttemptAt:delivered:)``,
    /// ``updateDelivery(id:status:attempts:nextAttemptAt:delivered:)``) leaves memory: the store
    /// has its state. A status update (``updateStatus(of:status:)``) leaves it where it is.
    public func takeDueWebhooks(
        now: Int64, limit: Int, skipping: Set<String>, readingStore: Bool
    ) throws(MessageStoreError) -> [MessageRecord] {
        guard limit > 0 else { return [] }
        guard readingStore || fresh.isBehind else {
            return fresh.take(limit: limit, now: now, skipping: skipping)
        }
        var records: [MessageRecord]
        let complete: Bool
        (records, complete) = try readDueWebhooks(
            now: now, limit: limit, skipping: fresh.held.isEmpty ? skipping : skipping.union(fresh.held))
        guard complete else { return records }
        fresh.caughtUp()
        if records.count < limit {
            records += fresh.take(limit: limit - records.count, now: now, skipping: skipping)
        }
        return records
    }

    /// ``pendingWebhooks(now:limit:skipping:)``, and whether the read saw every due record (in
    /// `skipping` or returned).
    private func readDueWebhooks(
        now: Int64, limit: Int, skipping: Set<String>
    ) throws(MessageStoreError) -> (records: [MessageRecord], complete: Bool) {
        guard limit > 0 else { return ([], false) }
        var candidates: [(row: Row, day: UTCDay, due: Int64, time: Int64, id: String)] = []
        var complete = true
        // Skipped records are due too and sort among the rest: read enough rows to pass them.
        let rowsWanted = limit + skipping.count
        for day in liveDays {
            guard let database = try dayFiles.existingDatabase(for: day) else { continue }
            let rows = try database.storeQuery("""
                SELECT \(Self.recordColumns) FROM records WHERE delivered = 0 AND next_attempt_at <= ?
                ORDER BY next_attempt_at, time, id LIMIT ?
                """, [.integer(now), .integer(Int64(rowsWanted))])
            if rows.count == rowsWanted { complete = false }
            for row in rows {
                let id = row[0].stringValue ?? ""
                guard !skipping.contains(id) else { continue }
                candidates.append((row, day, row[5].int64Value ?? 0, row[2].int64Value ?? 0, id))
            }
        }
        candidates.sort { ($0.due, $0.time, $0.id) < ($1.due, $1.time, $1.id) }
        if candidates.count > limit { complete = false }
        var records: [MessageRecord] = []
        records.reserveCapacity(min(limit, candidates.count))
        for candidate in candidates.prefix(limit) {
            records.append(try decode(candidate.row, day: candidate.day))
        }
        return (records, complete)
    }

    /// A record from a row of ``recordColumns`` on `day`: opens `sealed` under the day key with
    /// id ‖ day as associated data, decodes it, and checks the clear columns against it.
    func decode(_ row: Row, day: UTCDay) throws(MessageStoreError) -> MessageRecord {
        guard row.count == 8, let id = row[0].stringValue else {
            throw .recordCorrupt(id: "?", day: day, reason: "the row has the wrong shape")
        }
        guard let direction = row[1].int64Value.flatMap(MessageDirection.init(rawValue:)),
              let time = row[2].int64Value,
              let status = row[3].stringValue.flatMap(DeliveryStatus.init(rawValue:)),
              let attempts = row[4].int64Value, let nextAttemptAt = row[5].int64Value,
              let delivered = row[6].int64Value, let sealed = row[7].blobValue
        else { throw .recordCorrupt(id: id, day: day, reason: "a column has an impossible value") }
        guard let key = try keyring.key(for: day) else { throw .dayKeyMissing(day) }
        var plaintext: [UInt8]
        do throws(CryptoError) {
            plaintext = try key.open(sealed, associatedData: RecordCodec.associatedData(id: id, day: day.description))
        } catch {
            throw .recordCorrupt(id: id, day: day, reason: "the sealed record does not authenticate")
        }
        defer { for index in plaintext.indices { plaintext[index] = 0 } }
        let fields: RecordCodec.Sealed
        do throws(RecordCodec.DecodingFailure) { fields = try RecordCodec.decode(plaintext) } catch {
            throw .recordCorrupt(id: id, day: day, reason: error.reason)
        }
        guard fields.direction == direction, fields.time == time else {
            throw .recordCorrupt(id: id, day: day, reason: "the clear columns disagree with the sealed record")
        }
        return MessageRecord(
            id: id, businessPhoneNumberID: fields.businessPhoneNumberID, business: fields.business,
            consumer: fields.consumer, direction: direction, time: time, kind: fields.kind, payload: fields.payload,
            delivery: DeliveryState(
                status: status, webhookAttempts: Int(clamping: attempts), nextAttemptAt: nextAttemptAt,
                webhookDelivered: delivered != 0))
    }
}

import Crypto
public import Storage

extension MessageStore {
    /// Queues `record` for the next ``commit()``: seals it under its day's key (made and stored
    /// first if the day is new) and, for an inbound record, computes its party index (an outbound
    /// one stores none: only ``lastInbound(business:consumer:now:)`` reads the index). Appending
    /// an id that is already stored on the same day does nothing, so a retried append is harmless.
    ///
    /// - Throws: `.invalidRecord` (see ``MessageRecord/validationFailure``), `.dayShredded` for a
    ///   day already destroyed, or a storage / crypto failure. Nothing is queued on error.
    public func append(_ record: MessageRecord) throws(MessageStoreError) {
        if let reason = record.validationFailure { throw .invalidRecord(id: record.id, reason: reason) }
        let day = UTCDay(milliseconds: record.time)
        let key = try keyring.makeKey(for: day)
        _ = try dayFiles.database(for: day) // created and migrated now, outside any transaction
        let sealed: [UInt8]
        let party: [UInt8]
        do throws(CryptoError) {
            var plaintext = RecordCodec.encode(record)
            defer { for index in plaintext.indices { plaintext[index] = 0 } }
            sealed = try key.seal(
                plaintext, associatedData: RecordCodec.associatedData(id: record.id, day: day.description), random: random)
            // Outbound records and statuses — most rows — are never found by their pair: an HMAC
            // each was ~2.5 % of the endpoint's loop thread, for an index entry no query reads.
            party = record.direction == .inbound ? try key.partyIndex(business: record.business, consumer: record.consumer) : []
        } catch {
            throw .crypto(error)
        }
        let delivery = record.delivery
        let bindings: [DatabaseValue] = [
            .text(record.id), .blob(party), .integer(record.direction.rawValue), .integer(record.time),
            .text(delivery.status.rawValue), .integer(Int64(delivery.webhookAttempts)),
            .integer(delivery.nextAttemptAt), .integer(delivery.webhookDelivered ? 1 : 0), .blob(sealed),
        ]
        if delivery.webhookDelivered {
            batches[day, default: GroupCommit()].enqueue(record.id, sql: Self.insertRecord, bindings: bindings)
        } else {
            // Its webhook is pending: once committed, the pump takes it from memory. Only if the
            // insert changed a row — a stored id is not delivered again.
            batches[day, default: GroupCommit()].enqueue(record.id) { [unowned self] (database: Database) throws(StorageError) in
                if try database.execute(Self.insertRecord, bindings: bindings) > 0 { self.fresh.stage(record) }
            }
        }
        pendingDays[record.id] = day
    }

    /// Inserts a record row; a retried append of a stored id changes nothing.
    static let insertRecord = """
        INSERT INTO records(id, party, direction, time, status, attempts, next_attempt_at, delivered, sealed)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING
        """

    /// Queues a change of a stored (or appended this turn) record's delivery state for the next
    /// ``commit()``.
    ///
    /// - Parameters:
    ///   - id: The record's id.
    ///   - status: Its new status.
    ///   - attempts: Webhook attempts made so far.
    ///   - nextAttemptAt: When the next webhook attempt is due (ms since the epoch).
    ///   - delivered: Whether the webhook is done with; then the record leaves
    ///     ``pendingWebhooks(now:limit:skipping:)`` and ``takeDueWebhooks(now:limit:skipping:readingStore:)``.
    /// - Throws: `.recordNotFound` if no live day holds the id, `.invalidRecord` for a negative
    ///   attempt count.
    public func updateDelivery(
        id: String, status: DeliveryStatus, attempts: Int, nextAttemptAt: Int64, delivered: Bool
    ) throws(MessageStoreError) {
        guard attempts >= 0 else { throw .invalidRecord(id: id, reason: "the webhook attempt count is negative") }
        let found: UTCDay? = if let day = pendingDays[id] { day } else { try storedDay(of: id) }
        guard let day = found else { throw .recordNotFound(id: id) }
        enqueueDeliveryUpdate(id: id, day: day, status: status, attempts: attempts, nextAttemptAt: nextAttemptAt, delivered: delivered)
    }

    /// As ``updateDelivery(id:status:attempts:nextAttemptAt:delivered:)`` for a record read from
    /// this store (or appended to it): its day comes from its time, so nothing is looked up — the
    /// webhook pump updates every record it delivers.
    ///
    /// - Throws: `.invalidRecord` for a negative attempt count.
    public func updateDelivery(
        of record: MessageRecord, status: DeliveryStatus, attempts: Int, nextAttemptAt: Int64, delivered: Bool
    ) throws(MessageStoreError) {
        guard attempts >= 0 else { throw .invalidRecord(id: record.id, reason: "the webhook attempt count is negative") }
        enqueueDeliveryUpdate(
            id: record.id, day: UTCDay(milliseconds: record.time), status: status, attempts: attempts,
            nextAttemptAt: nextAttemptAt, delivered: delivered)
    }

    /// Queues a change of a stored record's status alone (a receipt's `delivered` / `read`),
    /// leaving its webhook's state as it is — that may be changing at the same time (a `sent`
    /// status in flight), and the two updates must not undo each other.
    public func updateStatus(of record: MessageRecord, status: DeliveryStatus) {
        batches[UTCDay(milliseconds: record.time), default: GroupCommit()].enqueue(record.id, sql: """
            UPDATE records SET status = ? WHERE id = ?
            """, bindings: [.text(status.rawValue), .text(record.id)])
    }

    /// Queues a change of a stored (or appended this turn) record's webhook state alone — attempts,
    /// next attempt, done — leaving its status as it is (a receipt may have moved it on since the
    /// record was read).
    ///
    /// - Throws: `.invalidRecord` for a negative attempt count.
    public func updateWebhook(of record: MessageRecord, attempts: Int, nextAttemptAt: Int64, delivered: Bool) throws(MessageStoreError) {
        guard attempts >= 0 else { throw .invalidRecord(id: record.id, reason: "the webhook attempt count is negative") }
        fresh.forget(record.id)
        batches[UTCDay(milliseconds: record.time), default: GroupCommit()].enqueue(record.id, sql: """
            UPDATE records SET attempts = ?, next_attempt_at = ?, delivered = ? WHERE id = ?
            """, bindings: [.integer(Int64(attempts)), .integer(nextAttemptAt), .integer(delivered ? 1 : 0), .text(record.id)])
    }

    private func enqueueDeliveryUpdate(
        id: String, day: UTCDay, status: DeliveryStatus, attempts: Int, nextAttemptAt: Int64, delivered: Bool
    ) {
        // A record held for the pump is handed out as it was inserted: from now on only the
        // store knows its state.
        fresh.forget(id)
        batches[day, default: GroupCommit()].enqueue(id, sql: """
            UPDATE records SET status = ?, attempts = ?, next_attempt_at = ?, delivered = ? WHERE id = ?
            """, bindings: [
                .text(status.rawValue), .integer(Int64(attempts)), .integer(nextAttemptAt),
                .integer(delivered ? 1 : 0), .text(id),
            ])
    }

    /// How many writes are waiting for ``commit()``.
    public var pendingWriteCount: Int {
        batches.values.reduce(0) { $0 + $1.pendingCount }
    }

    /// With deferred durability, the logs of the day files open on this store's connections
    /// (whoever syncs them may also empty idle ones: ``WALSyncer/truncate(_:)``); empty otherwise.
    public var openLogs: [WALFile] { dayFiles.logs }

    /// Makes the queued writes durable: one transaction per day file touched (`BEGIN IMMEDIATE`,
    /// the writes in order, `COMMIT` with `synchronous=FULL`). When it returns, every queued write
    /// is on disk — with deferred durability, once the returned logs are synced; acknowledge only
    /// then.
    ///
    /// Day files commit independently. If a day's batch fails it is rolled back, the other days
    /// still commit, and the error lists the ids whose writes were lost
    /// (``MessageStoreError/commitFailed(ids:underlying:)``). Either way the queue is empty after.
    ///
    /// - Returns: With deferred durability, the logs of the day files committed to, which the
    ///   caller syncs (``WALFile/sync()``) before acknowledging; empty otherwise.
    @discardableResult
    public func commit() throws(MessageStoreError) -> [WALFile] {
        let pending = batches
        batches.removeAll()
        pendingDays.removeAll()
        var lost: [String] = []
        var firstError: StorageError?
        var logs: [WALFile] = []
        for day in pending.keys.sorted() {
            guard var batch = pending[day] else { continue }
            let database: Database
            do throws(MessageStoreError) { database = try dayFiles.database(for: day) } catch {
                lost += batch.pendingTokens
                if firstError == nil, case let .storage(underlying) = error { firstError = underlying }
                continue
            }
            let staged = fresh.stagedCount
            if case let .rolledBack(ids, error) = batch.commit(on: database) {
                fresh.unstage(to: staged)
                lost += ids
                if firstError == nil { firstError = error }
            } else if let log = database.walFile {
                logs.append(log)
            }
        }
        fresh.publish()
        guard lost.isEmpty else {
            throw .commitFailed(
                ids: lost, underlying: firstError ?? .aborted("the day file of the batch could not be opened"))
        }
        return logs
    }

    /// The live day whose file holds a committed record `id`, newest first (recent records are the
    /// ones updated).
    func storedDay(of id: String) throws(MessageStoreError) -> UTCDay? {
        for day in liveDays.reversed() {
            guard let database = try dayFiles.existingDatabase(for: day) else { continue }
            if try !database.storeQuery("SELECT 1 FROM records WHERE id = ?", [.text(id)]).isEmpty { return day }
        }
        return nil
    }
}

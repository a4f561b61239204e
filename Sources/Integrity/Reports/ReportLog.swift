public import Storage
import Transport

/// The durable, append-only log of accepted reports (SQLite through Storage: WAL,
/// `synchronous=FULL`, group commit) — the reports' only copy on disk, replayed after the
/// newest analyzer snapshot when the process restarts.
///
/// A row holds the report as the analyzer applied it: time, business, reason, the optional
/// envelope id, and the reporter's **pseudonyms** (current, previous, epoch) — never the
/// consumer's number, so replay re-applies the event without the door, and the rows become
/// unlinkable once the epoch's key is destroyed.
///
/// Writes are queued with ``append(_:token:)`` during a loop turn and made durable together by
/// ``commit()`` at its end; only the tokens it returns as committed may be acknowledged.
/// Not `Sendable`: it belongs to its loop, like its ``Database``.
public final class ReportLog {
    /// The schema: the log and the snapshot table (``AnalyzerSnapshotStore``).
    public static let migrations: [Migration] = [
        Migration(version: 1, sql: """
            CREATE TABLE report_log (
                sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                time INTEGER NOT NULL,
                business INTEGER NOT NULL,
                reason INTEGER NOT NULL,
                epoch INTEGER NOT NULL,
                current BLOB NOT NULL CHECK (length(current) = 16),
                previous BLOB CHECK (previous IS NULL OR length(previous) = 16),
                envelope_id TEXT
            ) STRICT;
            \(AnalyzerSnapshotStore.table.createTableSQL);
            """),
    ]

    /// The open database (also holding the snapshots).
    public let database: Database
    private var batch = GroupCommit<Int>()

    /// Opens (creating) the log at `path` and brings its schema up to date.
    public convenience init(path: String) throws(ReportLogError) {
        let database: Database
        do {
            database = try Database.open(path: path)
        } catch {
            throw ReportLogError(operation: "open \(path)", storage: error)
        }
        try self.init(database: database)
    }

    /// Uses an open database (its schema is migrated).
    public init(database: Database) throws(ReportLogError) {
        self.database = database
        do {
            try database.migrate(Self.migrations)
        } catch {
            throw ReportLogError(operation: "migrate \(database.path)", storage: error)
        }
    }

    /// Queues `report` for the next ``commit()``, under `token`.
    public func append(_ report: AcceptedReport, token: Int) {
        let event = report.event
        guard case let .report(reason) = event.kind else { preconditionFailure("only reports are logged") }
        batch.enqueue(token, sql: """
            INSERT INTO report_log(time, business, reason, epoch, current, previous, envelope_id) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, bindings: [
                .integer(event.time), .integer(Int64(event.business.digits)), .integer(Int64(reason.rawValue)),
                .integer(event.user.epoch), .blob(Self.bytes(event.user.current)),
                event.user.previous.map { .blob(Self.bytes($0)) } ?? .null,
                report.envelopeID.map { .text($0) } ?? .null,
            ])
    }

    /// Writes queued and not yet committed.
    public var pendingCount: Int { batch.pendingCount }

    /// Commits every queued write in one transaction (durable when it returns: `synchronous=FULL`).
    public func commit() -> GroupCommit<Int>.Outcome { batch.commit(on: database) }

    /// Group-commit totals (transactions, writes per fsync).
    public var commitStatistics: GroupCommit<Int>.Statistics { batch.statistics }

    /// The newest committed sequence number (0 for an empty log).
    public func lastSequence() throws(ReportLogError) -> Int64 {
        do {
            return try database.query("SELECT coalesce(max(sequence), 0) FROM report_log").first?[0].int64Value ?? 0
        } catch {
            throw ReportLogError(operation: "read the last sequence", storage: error)
        }
    }

    /// Committed rows.
    public func count() throws(ReportLogError) -> Int {
        do {
            return Int(try database.query("SELECT count(*) FROM report_log").first?[0].int64Value ?? 0)
        } catch {
            throw ReportLogError(operation: "count reports", storage: error)
        }
    }

    /// Calls `body` with every committed report after `sequence`, in order, reading `pageSize`
    /// rows at a time.
    public func forEach(after sequence: Int64, pageSize: Int = 4_096, _ body: (LoggedReport) -> Void) throws(ReportLogError) {
        var cursor = sequence
        while true {
            let rows: [Row]
            do {
                rows = try database.query("""
                    SELECT sequence, time, business, reason, epoch, current, previous, envelope_id
                    FROM report_log WHERE sequence > ? ORDER BY sequence LIMIT ?
                    """, bindings: [.integer(cursor), .integer(Int64(pageSize))])
            } catch {
                throw ReportLogError(operation: "read reports after \(cursor)", storage: error)
            }
            for row in rows {
                let report = try Self.report(row)
                body(report)
                cursor = report.sequence
            }
            if rows.count < pageSize { return }
        }
    }

    /// Closes the database.
    public func close() {
        try? database.close()
    }

    static func bytes(_ pseudonym: Pseudonym) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(16)
        for word in [pseudonym.first, pseudonym.second] {
            for shift in stride(from: 0, to: 64, by: 8) { out.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
        }
        return out
    }

    static func pseudonym(_ bytes: [UInt8]) -> Pseudonym? {
        guard bytes.count == 16 else { return nil }
        func word(_ start: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(bytes[start + $1]) << UInt64(8 * $1) } }
        return Pseudonym(first: word(0), second: word(8))
    }

    private static func report(_ row: Row) throws(ReportLogError) -> LoggedReport {
        let sequence = row[0].int64Value ?? 0
        func damaged(_ what: String) -> ReportLogError { ReportLogError(operation: "read report \(sequence)", message: what) }
        guard let time = row[1].int64Value, let digits = row[2].int64Value, let business = PhoneNumber(digits: UInt64(clamping: digits)) else {
            throw damaged("bad time or business")
        }
        guard let raw = row[3].int64Value, let reason = ReportReason(rawValue: UInt8(clamping: raw)) else { throw damaged("bad reason") }
        guard let epoch = row[4].int64Value, let current = row[5].blobValue.flatMap(pseudonym) else { throw damaged("bad pseudonym") }
        let previous = row[6].blobValue.flatMap(pseudonym)
        let pair = PseudonymPair(current: current, previous: previous, epoch: epoch)
        return LoggedReport(sequence: sequence, event: PseudonymizedEvent(time: time, business: business, user: pair, kind: .report(reason)),
                            envelopeID: row[7].stringValue)
    }
}

/// One committed row of the ``ReportLog``.
public struct LoggedReport: Sendable, Hashable {
    /// Its sequence number (increasing, never reused).
    public let sequence: Int64
    /// The report as the analyzer applied it.
    public let event: PseudonymizedEvent
    /// The envelope the client named, if any.
    public let envelopeID: String?
}

/// A report-log failure: the operation and the storage error (or what was wrong with a row).
public struct ReportLogError: Error, Sendable, CustomStringConvertible {
    /// What was being done.
    public let operation: String
    /// The storage error, if one caused it.
    public let storage: StorageError?
    /// What was wrong otherwise.
    public let message: String

    init(operation: String, storage: StorageError) {
        self.operation = operation
        self.storage = storage
        message = storage.description
    }

    init(operation: String, message: String) {
        self.operation = operation
        storage = nil
        self.message = message
    }

    /// "report log: operation: message".
    public var description: String { "report log: \(operation): \(message)" }
}

import Glibc
public import Storage

/// The relay's durable state in one SQLite file (`relay.sqlite` in the data directory): numbers and
/// tokens, prekey bundles, the offline queue with its tombstones, blocks and reports. The writes of
/// a batch of event-loop turns go into one transaction (`synchronous=FULL`); the host sends those
/// turns' replies only after it commits.
///
/// The queue is shaped for sequential I/O: `envelopes` holds each envelope's metadata keyed by the
/// relay's sequence number (its rowid, so every insert appends to the B-tree), and `ciphertexts`
/// holds the bytes under the same key, deleted on acknowledgement — an acknowledgement removes
/// one row of a table whose pages fill at one end and empty at the other. No index on random ids.
/// A batch's acknowledgements are deleted first, as runs of consecutive sequence numbers, so the
/// pages they free are refilled by the same transaction's inserts (``RelayCommitPlan``).
/// Pages are 16 KiB (fewer, larger WAL frames per envelope). Opened for the relay's storage
/// thread, the WAL is checkpointed by a ``RelayCheckpointer`` on another connection, not inside
/// the commits.
///
/// The registrations table holds the digests of relay tokens, never the tokens (schema 3; older
/// files are converted when opened): a copy of the file does not let anyone log in as a number.
/// It is still declared a key table, so the connection runs with `secure_delete`: deleted rows —
/// digests, the tokens schema 1 and 2 kept, acknowledged ciphertext — are overwritten, not left
/// in free pages.
///
/// Not `Sendable`: it belongs to one thread (the relay's storage thread, or a test's).
public final class RelayStore {
    /// The database file's name inside the data directory.
    public static let fileName = "relay.sqlite"
    /// The page size of the file (set when it is created, or converted once by `VACUUM`): 16 KiB,
    /// 4 × fewer WAL frames per envelope than SQLite's default 4 KiB, while a small commit still
    /// rewrites only a few of them (measured against 32 and 64 KiB: equal throughput within the
    /// noise, the lowest commit latency).
    static let pageSize = 16_384
    /// The page cache, in KiB (SQLite's negative `cache_size`).
    static let cacheKibibytes = 32 * 1024

    /// The open database.
    public let database: Database
    /// The file's path.
    let path: String
    /// Whether SQLite checkpoints inside commits (otherwise a ``RelayCheckpointer`` does).
    let checkpointsInline: Bool
    /// Writes queued by ``enqueue(_:)`` for the next ``commit()``.
    private var pending: [RelayWrite] = []
    /// Schema-1 envelope ids (random, so not their own sequence number) → sequence number, as
    /// loaded; how an acknowledgement of such an envelope finds its row.
    var legacySequences: [EnvelopeID: Int64] = [:]
    /// Prepared statements of the hot writes, compiled on first use.
    var statements: HotStatements?
    /// Totals over every commit.
    public private(set) var commitStatistics = CommitStatistics()

    /// Running totals of ``commit(_:)``.
    public struct CommitStatistics: Sendable, Hashable {
        /// Transactions committed.
        public var committedTransactions = 0
        /// Writes those transactions carried.
        public var committedWrites = 0
        /// Transactions rolled back.
        public var failedTransactions = 0
    }

    /// Opens (creating if needed, mode 0700 / 0600) the store in `directory`.
    ///
    /// - Parameters:
    ///   - tokenHasher: the relay's token hasher; migrating a file from schema 1 or 2 replaces
    ///     each stored token by its digest.
    ///   - checkpointsInline: whether SQLite checkpoints the WAL inside commits (every ~16 MiB);
    ///     the relay's server turns this off and runs a ``RelayCheckpointer`` instead.
    public init(directory: String, tokenHasher: TokenHasher, checkpointsInline: Bool = true) throws(RelayError) {
        try Self.createDirectory(directory)
        path = directory.hasSuffix("/") ? directory + Self.fileName : directory + "/" + Self.fileName
        self.checkpointsInline = checkpointsInline
        do throws(StorageError) {
            database = try Database.open(path: path)
            try Self.usePageSize(Self.pageSize, on: database)
            _ = try database.migrate(Self.migrations(tokenHasher: tokenHasher))
            try database.execute("PRAGMA cache_size=-\(Self.cacheKibibytes)")
            // SQLite's threshold counts pages: keep it at ~16 MiB whatever the page size.
            try database.execute("PRAGMA wal_autocheckpoint=\(checkpointsInline ? (16 << 20) / Self.pageSize : 0)")
        } catch {
            throw .storage(error)
        }
    }

    /// Creates `directory` and any missing parents (mode 0700), like `mkdir -p`.
    static func createDirectory(_ directory: String) throws(RelayError) {
        do throws(StorageError) {
            try FileSystem.createDirectories(directory)
        } catch {
            throw .dataDirectory(directory, error)
        }
    }

    /// Gives the file `size`-byte pages: a page size cannot change in WAL mode, so the journal
    /// leaves WAL, `VACUUM` rebuilds the file with the new size (instant for a new, empty file),
    /// and WAL comes back.
    static func usePageSize(_ size: Int, on database: Database) throws(StorageError) {
        guard try database.query("PRAGMA page_size").first?[0].int64Value != Int64(size) else { return }
        try database.execute("PRAGMA journal_mode=DELETE")
        try database.execute("PRAGMA page_size=\(size)")
        try database.execute("VACUUM")
        let mode = try database.query("PRAGMA journal_mode=WAL").first?[0].stringValue
        guard mode == "wal" else {
            throw .aborted("could not switch \(database.path) back to WAL journal mode (mode is \(mode ?? "unknown"))")
        }
    }

    /// Writes waiting for ``commit()``.
    public var pendingWriteCount: Int { pending.count }

    /// Queues `write` for the next ``commit()``.
    public func enqueue(_ write: RelayWrite) {
        pending.append(write)
    }

    /// Commits the queued writes in one transaction. Throws (after rolling back) if any failed;
    /// the queue is empty afterwards either way.
    public func commit() throws(StorageError) {
        let writes = pending
        pending.removeAll(keepingCapacity: true)
        try commit(writes)
    }

    /// Applies `writes` in order in one transaction (`BEGIN IMMEDIATE` … `COMMIT`, durable on
    /// return). Throws after rolling back if any write or the commit fails.
    public func commit(_ writes: [RelayWrite]) throws(StorageError) {
        guard !writes.isEmpty else { return }
        var batch = GroupCommit<Int>()
        batch.enqueue(writes.count) { [self] database throws(StorageError) in
            try apply(writes, on: database)
        }
        switch batch.commit(on: database) {
        case .committed:
            commitStatistics.committedTransactions += 1
            commitStatistics.committedWrites += writes.count
        case let .rolledBack(_, error):
            commitStatistics.failedTransactions += 1
            throw error
        }
    }

    /// The file for a ``RelayCheckpointer``, when SQLite does not checkpoint inside commits.
    public var checkpointPath: String? { checkpointsInline ? nil : path }

    /// A passive checkpoint on this connection; errors are ignored (the next one retries).
    public func checkpoint() {
        _ = try? database.query("PRAGMA wal_checkpoint(PASSIVE)")
    }

    /// Closes the database; the last connection to close checkpoints the WAL into the file and
    /// removes it.
    public func close() {
        statements = nil
        try? database.close()
    }
}

/// Why the relay could not start or keep going.
public enum RelayError: Error, Sendable, CustomStringConvertible {
    /// The data directory could not be created or used.
    case dataDirectory(String, StorageError)
    /// The store failed.
    case storage(StorageError)
    /// A stored row does not decode (the file was changed outside the relay).
    case corruptRow(table: String, String)
    /// The listening socket or event loop failed.
    case system(SystemError)

    /// One line for humans.
    public var description: String {
        switch self {
        case let .dataDirectory(path, error): "data directory \(path): \(error)"
        case let .storage(error): "relay store: \(error)"
        case let .corruptRow(table, row): "relay store: undecodable row in \(table) (\(row))"
        case let .system(error): "relay: \(error)"
        }
    }
}

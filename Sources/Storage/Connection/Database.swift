import CSQLite

/// One connection to an SQLite database file, configured the way every Vigil store is: WAL
/// journal, `synchronous=FULL` (or a log its owner syncs: ``Options/durability``),
/// `foreign_keys=ON`, a busy timeout, and a `quick_check` at open so a damaged file is refused
/// instead of served.
///
/// A `Database` belongs to one thread — in Vigil, one event loop — and is deliberately not
/// `Sendable`: the connection is opened in SQLite's multi-thread mode (`SQLITE_OPEN_NOMUTEX`),
/// which is safe only while a single thread uses the connection and its statements at a time.
/// Give each event loop its own `Database`.
///
/// ```swift
/// let db = try Database.open(path: "/var/lib/vigil/queue.sqlite")
/// try db.migrate(QueueSchema.migrations)
/// try db.execute("INSERT INTO queue(recipient, envelope) VALUES (?, ?)", bindings: [.text(r), .blob(e)])
/// ```
public final class Database {
    /// The path given to ``open(path:options:)`` (`:memory:` for an in-memory database).
    public let path: String
    /// The options the connection was opened with.
    public let options: Options

    let connection: Connection
    var statementCache: StatementCache
    /// Depth of nested ``transaction(_:)`` calls, used to name savepoints.
    var savepointDepth = 0
    /// The write-ahead log to sync after commits, with ``Durability/deferred``; `nil` otherwise.
    public internal(set) var walFile: WALFile?

    init(connection: Connection, path: String, options: Options) {
        self.connection = connection
        self.path = path
        self.options = options
        self.statementCache = StatementCache(capacity: options.statementCacheCapacity)
    }

    deinit {
        statementCache.removeAll()
        _ = connection.close()
    }

    /// Whether the connection is open (``close()`` has not been called).
    public var isOpen: Bool { connection.handle != nil }

    /// Whether a transaction is open on this connection (SQLite is not in autocommit mode).
    ///
    /// The corresponding C function is `sqlite3_get_autocommit`.
    public var isInTransaction: Bool {
        guard let handle = connection.handle else { return false }
        return sqlite3_get_autocommit(handle) == 0
    }

    /// The rowid of the most recent successful INSERT on this connection (0 if none).
    ///
    /// The corresponding C function is `sqlite3_last_insert_rowid`.
    public var lastInsertRowID: Int64 {
        guard let handle = connection.handle else { return 0 }
        return sqlite3_last_insert_rowid(handle)
    }

    /// Rows changed by the most recent INSERT, UPDATE or DELETE on this connection.
    ///
    /// The corresponding C function is `sqlite3_changes64`.
    public var changes: Int {
        guard let handle = connection.handle else { return 0 }
        return Int(sqlite3_changes64(handle))
    }

    /// Rows changed by all INSERT, UPDATE and DELETE statements since the connection opened.
    ///
    /// The corresponding C function is `sqlite3_total_changes64`.
    public var totalChanges: Int {
        guard let handle = connection.handle else { return 0 }
        return Int(sqlite3_total_changes64(handle))
    }

    /// Write transactions committed on this connection since it opened, counted by a commit hook.
    /// With `synchronous=FULL` in WAL mode each commit is one fsync of the WAL, so this is the
    /// number to watch when checking that group commit batches writes.
    public var commitCount: Int { connection.commitCount }

    /// Closes the connection: finalizes the cached statements, then `sqlite3_close_v2`. In WAL
    /// mode the last connection to close checkpoints the WAL into the database and removes it.
    /// Statements still held elsewhere fail with ``StorageError/Code/closed`` afterwards.
    /// Calling `close()` again does nothing.
    ///
    /// The corresponding C function is `sqlite3_close_v2`.
    public func close() throws(StorageError) {
        guard connection.handle != nil else { return }
        statementCache.removeAll()
        let result = connection.close()
        guard result == SQLITE_OK else {
            throw .sqlite(result, handle: nil, context: .open, operation: "close \(path)")
        }
    }
}

@available(*, unavailable, message: "a Database belongs to one thread or event loop")
extension Database: Sendable {}

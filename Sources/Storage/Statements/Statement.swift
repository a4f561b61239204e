import CSQLite

/// One compiled SQL statement: bind values, step through rows, read typed columns.
///
/// Get one from ``Database/prepare(_:)`` (cached by SQL text) or ``Database/makeStatement(_:)``
/// (not cached). Like its ``Database``, a statement belongs to one thread. Using it after the
/// database is closed throws ``StorageError/Code/closed``.
///
/// ```swift
/// let statement = try db.prepare("SELECT id, envelope FROM queue WHERE recipient = ?")
/// defer { statement.reset() }
/// try statement.bind([.text(recipient)])
/// while try statement.step() {
///     deliver(id: statement.int64(at: 0), envelope: statement.blob(at: 1))
/// }
/// ```
public final class Statement {
    /// The statement's SQL text.
    public let sql: String

    let connection: Connection
    /// The `sqlite3_stmt *`; finalized in `deinit`.
    let handle: OpaquePointer

    /// Compiles `sql`, which must hold exactly one statement.
    init(connection: Connection, sql: String, persistent: Bool) throws(StorageError) {
        let database = try connection.requireHandle(sql)
        let flags = persistent ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0
        var compiled: OpaquePointer?
        // Non-throwing closure returning plain values: the result code and where the tail begins.
        let (result, tailOffset, length) = sql.withCString { text -> (Int32, Int, Int) in
            var tail: UnsafePointer<CChar>?
            let result = sqlite3_prepare_v3(database, text, -1, flags, &compiled, &tail)
            let length = strlenOf(text)
            return (result, tail.map { $0 - text } ?? length, length)
        }
        guard result == SQLITE_OK else {
            throw .sqlite(result, handle: database, context: .prepare, operation: sql)
        }
        guard let compiled else {
            throw .usage(.prepare, "the SQL text holds no statement", operation: sql)
        }
        if tailOffset < length {
            let rest = sql.utf8.dropFirst(tailOffset)
            if rest.contains(where: { !Self.isSpace($0) }) {
                sqlite3_finalize(compiled)
                throw .usage(.prepare, "prepare takes exactly one statement; use execute(_:) for scripts", operation: sql)
            }
        }
        self.sql = sql
        self.connection = connection
        self.handle = compiled
    }

    deinit {
        sqlite3_finalize(handle)
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0a || byte == 0x0d || byte == 0x0c || byte == 0x0b
    }

    /// The handle, once the connection is known to be open.
    func requireOpen() throws(StorageError) -> OpaquePointer {
        _ = try connection.requireHandle(sql)
        return handle
    }

    /// Runs the statement to its next row. Returns `true` when a row is available for the column
    /// accessors, `false` when the statement has finished (it can then be stepped again from the
    /// start, or reset). On error the statement is reset and the error thrown.
    ///
    /// The corresponding C function is `sqlite3_step`.
    public func step() throws(StorageError) -> Bool {
        let handle = try requireOpen()
        let result = sqlite3_step(handle)
        switch result {
        case SQLITE_ROW:
            return true
        case SQLITE_DONE:
            return false
        default:
            let error = StorageError.sqlite(result, handle: connection.handle, context: .step, operation: sql)
            sqlite3_reset(handle)
            throw error
        }
    }

    /// Steps to completion, ignoring any rows; returns the number of rows changed.
    @discardableResult
    public func run() throws(StorageError) -> Int {
        while try step() {}
        guard let database = connection.handle else { return 0 }
        return Int(sqlite3_changes64(database))
    }

    /// Rewinds the statement so it can run again, keeping its bindings, and releases any read
    /// snapshot it held. Errors from an earlier step are not reported again.
    ///
    /// The corresponding C function is `sqlite3_reset`.
    public func reset() {
        guard connection.handle != nil else { return }
        sqlite3_reset(handle)
    }

    /// Whether the statement has been stepped and has neither finished nor been reset.
    ///
    /// The corresponding C function is `sqlite3_stmt_busy`.
    public var isBusy: Bool {
        guard connection.handle != nil else { return false }
        return sqlite3_stmt_busy(handle) != 0
    }
}

@available(*, unavailable, message: "a Statement belongs to its Database's thread")
extension Statement: Sendable {}

/// The length of a NUL-terminated C string.
private func strlenOf(_ text: UnsafePointer<CChar>) -> Int {
    var count = 0
    while text[count] != 0 { count += 1 }
    return count
}

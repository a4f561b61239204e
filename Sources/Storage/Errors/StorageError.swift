/// A failure of Vigil's storage layer: which kind, SQLite's result codes and message, and the SQL
/// or operation that failed.
///
/// A struct with an open set of ``Code``s (the set will grow), so callers match on `code`:
///
/// ```swift
/// do { try Database.open(path: path) }
/// catch let error where error.code == .corrupt { … }
/// ```
///
/// Errors from SQLite carry its primary and extended result codes and the text of
/// `sqlite3_errmsg` captured right after the failing call; errors from the file system carry
/// `errno`. Errors never carry bound values, only SQL text.
public struct StorageError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is.
    public let code: Code
    /// SQLite's primary result code (`SQLITE_CONSTRAINT` is 19, …), or 0 when SQLite was not the
    /// source of the error.
    public let resultCode: Int32
    /// SQLite's extended result code (`SQLITE_CONSTRAINT_UNIQUE` is 2067, …), or 0.
    public let extendedResultCode: Int32
    /// SQLite's message (`sqlite3_errmsg`), `quick_check`'s findings, or Vigil's own explanation.
    public let message: String
    /// The SQL text or the name of the operation that failed, e.g. `open /var/vigil/queue.sqlite`.
    public let operation: String
    /// The schema version a ``Code/migration`` or ``Code/schemaTooNew`` error is about.
    public let migrationVersion: Int?
    /// The `errno` of a failed file-system call (``Code/fileSystem``), otherwise `nil`.
    public let systemErrno: Int32?

    /// Creates an error value; Vigil makes these itself, and callers use ``aborted(_:)``.
    init(
        code: Code, resultCode: Int32 = 0, extendedResultCode: Int32 = 0, message: String,
        operation: String, migrationVersion: Int? = nil, systemErrno: Int32? = nil
    ) {
        self.code = code
        self.resultCode = resultCode
        self.extendedResultCode = extendedResultCode
        self.message = message
        self.operation = operation
        self.migrationVersion = migrationVersion
        self.systemErrno = systemErrno
    }

    /// An error a write operation throws on purpose to abandon its transaction (for example a
    /// group-commit write that finds its precondition no longer holds). Code ``Code/aborted``.
    public static func aborted(_ reason: String) -> StorageError {
        StorageError(code: .aborted, message: reason, operation: "aborted by caller")
    }

    /// One line: the kind, the message, SQLite's codes when present, and the operation (SQL is
    /// shortened to 160 characters).
    public var description: String {
        var text = "\(code): \(message)"
        if let migrationVersion { text += " [schema version \(migrationVersion)]" }
        if resultCode != 0 { text += " [SQLite \(resultCode)/\(extendedResultCode)]" }
        if let systemErrno { text += " [errno \(systemErrno)]" }
        let shown = operation.count > 160 ? String(operation.prefix(160)) + "…" : operation
        return text + " — \(shown)"
    }
}

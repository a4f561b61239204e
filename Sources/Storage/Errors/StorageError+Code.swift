extension StorageError {
    /// The kind of a ``StorageError``: where it happened (`open`, `prepare`, `step`, …) or, when
    /// SQLite's result code says more, what happened (`constraint`, `busy`, `corrupt`, …).
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case open, prepare, bind, step, execute, constraint, busy, corrupt, notADatabase
            case ioError, full, readOnly, misuse, closed, migration, schemaTooNew, fileSystem, aborted
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// Opening or configuring a connection failed (`sqlite3_open_v2`, a start-up PRAGMA).
        public static let open = Code(.open)
        /// SQL could not be compiled (`sqlite3_prepare_v3`): a syntax error, an unknown table, or
        /// more than one statement given to `prepare`.
        public static let prepare = Code(.prepare)
        /// A value could not be bound (unknown parameter name, wrong number of values).
        public static let bind = Code(.bind)
        /// Running a prepared statement failed (`sqlite3_step`) for a reason not listed below.
        public static let step = Code(.step)
        /// A script given to `execute(_:)` failed for a reason not listed below.
        public static let execute = Code(.execute)
        /// A constraint (UNIQUE, NOT NULL, CHECK, FOREIGN KEY, …) was violated (`SQLITE_CONSTRAINT`).
        public static let constraint = Code(.constraint)
        /// The database was locked by another connection past the busy timeout (`SQLITE_BUSY`,
        /// `SQLITE_LOCKED`).
        public static let busy = Code(.busy)
        /// The file is damaged: `PRAGMA quick_check` found problems, or SQLite met a malformed page
        /// (`SQLITE_CORRUPT`). Such a file is refused, never served.
        public static let corrupt = Code(.corrupt)
        /// The file is not an SQLite database at all (`SQLITE_NOTADB`).
        public static let notADatabase = Code(.notADatabase)
        /// The operating system reported an I/O error (`SQLITE_IOERR`, e.g. a failed fsync).
        public static let ioError = Code(.ioError)
        /// The disk or the database is full (`SQLITE_FULL`).
        public static let full = Code(.full)
        /// The database cannot be written (`SQLITE_READONLY`).
        public static let readOnly = Code(.readOnly)
        /// The API was used in a way SQLite or Vigil does not allow (`SQLITE_MISUSE`, a transaction
        /// control statement inside a group commit, an ATTACH inside a transaction, …).
        public static let misuse = Code(.misuse)
        /// The connection was already closed.
        public static let closed = Code(.closed)
        /// A schema migration failed and was rolled back; `migrationVersion` names it.
        public static let migration = Code(.migration)
        /// The database's schema version (`PRAGMA user_version`, in `migrationVersion`) is newer
        /// than any migration this code knows; the file is refused rather than misread.
        public static let schemaTooNew = Code(.schemaTooNew)
        /// A file-system call Vigil makes itself failed (creating, listing or deleting files);
        /// `systemErrno` holds `errno`.
        public static let fileSystem = Code(.fileSystem)
        /// A write operation abandoned its transaction on purpose (``StorageError/aborted(_:)``).
        public static let aborted = Code(.aborted)

        /// The code's name, e.g. `notADatabase`.
        public var description: String { base.rawValue }
    }
}

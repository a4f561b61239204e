extension Database {
    /// When a commit is on stable storage.
    public enum Durability: Sendable, Hashable {
        /// `synchronous=FULL`: `COMMIT` returns once its WAL frames are synced. The default.
        case immediate
        /// `synchronous=NORMAL` plus ``Database/walFile``: `COMMIT` returns once its frames are
        /// written (a killed process loses nothing; a power cut could), and the owner syncs the
        /// log with ``WALFile/sync()`` — on another thread, for many commits at once — before it
        /// acknowledges anything those commits hold. Same guarantee as `.immediate` for whatever
        /// is acknowledged only after the sync; the loop no longer waits for the disk. Such a
        /// connection does not checkpoint by itself (`wal_autocheckpoint=0`): ``WALSyncer``
        /// checkpoints the logs it syncs once the frames committed since their restart pass a
        /// size (``WALFile/committedBytes``).
        case deferred
    }

    /// How ``Database/open(path:options:)`` configures a connection. The WAL journal and
    /// `foreign_keys=ON` are not options: every Vigil store has them; durability is `FULL` at
    /// `COMMIT` unless the owner syncs the log itself (``Durability/deferred``).
    public struct Options: Sendable, Hashable {
        /// How long a statement waits for another connection's lock before failing with
        /// ``StorageError/Code/busy`` (`sqlite3_busy_timeout`). Default 2 seconds.
        public var busyTimeout: Duration
        /// Whether ``Database/open(path:options:)`` runs `PRAGMA quick_check` and refuses a damaged
        /// file with ``StorageError/Code/corrupt``. Default `true`; its cost grows with the file.
        public var quickCheckAtOpen: Bool
        /// Whether `PRAGMA secure_delete=ON` is set at open, so deleted content is overwritten
        /// with zeros instead of lingering in free pages. Default `false`:
        /// ``Database/migrate(_:)`` turns it on for every connection whose schema declares
        /// ``Migration/keyTables`` (tables that hold keys), which is how Vigil scopes the cost.
        /// Set it to force the setting regardless of schema.
        public var secureDelete: Bool
        /// How many prepared statements the connection keeps, keyed by SQL text; the least
        /// recently used is dropped beyond it. 0 disables caching. Default 64.
        public var statementCacheCapacity: Int
        /// When commits are durable. Default ``Durability/immediate``; ignored in memory.
        public var durability: Durability
        /// Whether ``Database/open(path:options:)`` creates a missing file. Default `true`; with
        /// `false` a missing file fails the open (``StorageError/Code/open``, `SQLITE_CANTOPEN`)
        /// and nothing is created — for a connection that must never bring a deleted database
        /// back (a checkpoint racing the deletion of a day file).
        public var createsMissingFile: Bool

        /// Options with the defaults described on each property.
        public init(
            busyTimeout: Duration = .seconds(2),
            quickCheckAtOpen: Bool = true,
            secureDelete: Bool = false,
            statementCacheCapacity: Int = 64,
            durability: Durability = .immediate,
            createsMissingFile: Bool = true
        ) {
            self.busyTimeout = busyTimeout
            self.quickCheckAtOpen = quickCheckAtOpen
            self.secureDelete = secureDelete
            self.statementCacheCapacity = statementCacheCapacity
            self.durability = durability
            self.createsMissingFile = createsMissingFile
        }
    }
}

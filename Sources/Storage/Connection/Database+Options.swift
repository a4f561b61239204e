extension Database {
    /// How ``Database/open(path:options:)`` configures a connection. The WAL journal,
    /// `synchronous=FULL` and `foreign_keys=ON` are not options: every Vigil store has them.
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

        /// Options with the defaults described on each property.
        public init(
            busyTimeout: Duration = .seconds(2),
            quickCheckAtOpen: Bool = true,
            secureDelete: Bool = false,
            statementCacheCapacity: Int = 64
        ) {
            self.busyTimeout = busyTimeout
            self.quickCheckAtOpen = quickCheckAtOpen
            self.secureDelete = secureDelete
            self.statementCacheCapacity = statementCacheCapacity
        }
    }
}

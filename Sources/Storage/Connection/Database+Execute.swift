import CSQLite

extension Database {
    /// Runs one or more SQL statements separated by semicolons, with no parameters and no
    /// results — schema scripts, PRAGMAs, transaction control. Not cached.
    ///
    /// The corresponding C function is `sqlite3_exec`.
    public func execute(_ sql: String) throws(StorageError) {
        let handle = try connection.requireHandle(sql)
        let result = sqlite3_exec(handle, sql, nil, nil, nil)
        guard result == SQLITE_OK else {
            throw .sqlite(result, handle: handle, context: .execute, operation: sql)
        }
    }

    /// Runs one statement with `bindings` for its parameters (in order) through the statement
    /// cache, steps it to completion and returns ``changes`` — the rows it changed.
    @discardableResult
    public func execute(_ sql: String, bindings: [DatabaseValue]) throws(StorageError) -> Int {
        let statement = try prepare(sql)
        defer { statement.reset() }
        try statement.bind(bindings)
        while try statement.step() {}
        return changes
    }

    /// Runs one statement with `bindings` through the statement cache and returns all its rows.
    public func query(_ sql: String, bindings: [DatabaseValue] = []) throws(StorageError) -> [Row] {
        let statement = try prepare(sql)
        defer { statement.reset() }
        try statement.bind(bindings)
        var rows: [Row] = []
        while try statement.step() { rows.append(statement.row()) }
        return rows
    }

    /// A statement for `sql` (exactly one SQL statement) from the connection's cache, reset and
    /// with its bindings cleared; compiled and cached on first use.
    ///
    /// The cached statement is handed out again on the next `prepare` of the same SQL, so
    /// ``Statement/reset()`` it (or step it to completion) when done. If it is still mid-iteration
    /// when the same SQL is prepared again, a separate, uncached statement is returned instead, so
    /// the first user's iteration is never disturbed.
    ///
    /// The corresponding C function is `sqlite3_prepare_v3` (with `SQLITE_PREPARE_PERSISTENT`).
    public func prepare(_ sql: String) throws(StorageError) -> Statement {
        if let cached = statementCache.statement(for: sql) {
            if !cached.isBusy {
                cached.reset()
                cached.clearBindings()
                return cached
            }
            return try makeStatement(sql)
        }
        let statement = try Statement(connection: connection, sql: sql, persistent: true)
        statementCache.insert(statement)
        return statement
    }

    /// A new statement for `sql` that is not cached; it is finalized when the last reference to it
    /// goes away. For SQL that runs once.
    public func makeStatement(_ sql: String) throws(StorageError) -> Statement {
        try Statement(connection: connection, sql: sql, persistent: false)
    }

    /// The number of statements in the cache.
    public var cachedStatementCount: Int { statementCache.count }

    /// Drops cached statements whose SQL matches `predicate` (they are finalized once no one
    /// else holds them).
    func evictCachedStatements(where predicate: (String) -> Bool) {
        statementCache.removeAll(where: predicate)
    }

    /// `PRAGMA user_version` of the main database: the schema version ``migrate(_:)`` maintains.
    public func userVersion() throws(StorageError) -> Int {
        let rows = try query("PRAGMA user_version")
        return Int(rows.first?[0].int64Value ?? 0)
    }

    /// Sets whether closing this connection checkpoints the WAL into the database
    /// (`SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE`); tests turn it off to keep committed frames in the WAL.
    func setCheckpointOnClose(_ enabled: Bool) throws(StorageError) {
        let handle = try connection.requireHandle("SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE")
        var current: Int32 = 0
        let result = vigil_sqlite_db_config_int(handle, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, enabled ? 0 : 1, &current)
        guard result == SQLITE_OK else {
            throw .sqlite(result, handle: handle, context: .execute, operation: "SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE")
        }
    }
}

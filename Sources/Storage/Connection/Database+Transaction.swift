extension Database {
    /// Runs `body` in a transaction: `BEGIN IMMEDIATE` (taking the write lock up front, so the
    /// transaction cannot fail later for want of it), then `COMMIT` if `body` returns, or
    /// `ROLLBACK` if it throws, after which its error is rethrown unchanged.
    ///
    /// Called inside another transaction, it nests with a savepoint: `SAVEPOINT` … `RELEASE`, or
    /// `ROLLBACK TO` on throw, which undoes only the inner work.
    ///
    /// When `COMMIT` returns, the transaction is durable (`synchronous=FULL`; with
    /// ``Options/durability`` `.deferred`, once ``walFile`` is synced after it). When the commit
    /// itself fails, the transaction is rolled back and a ``StorageError`` is thrown; after an I/O
    /// error the outcome on disk is unknown, so writes should be idempotent to be safely retried.
    ///
    /// - Throws: `body`'s error, or a ``StorageError`` from the transaction statements.
    @discardableResult
    public func transaction<Result>(_ body: (Database) throws -> Result) throws -> Result {
        if isInTransaction {
            savepointDepth += 1
            defer { savepointDepth -= 1 }
            let name = "vigil_savepoint_\(savepointDepth)"
            try execute("SAVEPOINT \(name)", bindings: [])
            let result: Result
            do {
                result = try body(self)
            } catch {
                _ = try? execute("ROLLBACK TO \(name)", bindings: [])
                _ = try? execute("RELEASE \(name)", bindings: [])
                throw error
            }
            try execute("RELEASE \(name)", bindings: [])
            return result
        }
        try beginImmediate()
        let result: Result
        do {
            result = try body(self)
        } catch {
            rollbackIfInTransaction()
            throw error
        }
        try commitTransaction()
        return result
    }

    /// `BEGIN IMMEDIATE`.
    func beginImmediate() throws(StorageError) {
        try execute("BEGIN IMMEDIATE", bindings: [])
    }

    /// `COMMIT`; if it fails and the transaction is still open (e.g. `SQLITE_BUSY`), rolls back
    /// so the connection is never left inside a half-finished transaction.
    func commitTransaction() throws(StorageError) {
        do {
            try execute("COMMIT", bindings: [])
        } catch {
            rollbackIfInTransaction()
            throw error
        }
    }

    /// `ROLLBACK` when a transaction is open; errors are ignored because SQLite has then already
    /// rolled back or the connection is unusable, and the caller is reporting an earlier error.
    func rollbackIfInTransaction() {
        guard isInTransaction else { return }
        _ = try? execute("ROLLBACK", bindings: [])
    }
}

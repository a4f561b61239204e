import Storage

/// Non-generic wrappers that report SQLite failures as ``MessageStoreError/storage(_:)``. (Plain
/// functions rather than one generic closure-taking helper: see the note on typed-throws closures
/// returning non-trivial values in release builds.)
extension Database {
    /// ``Database/query(_:bindings:)``, failures as ``MessageStoreError``.
    func storeQuery(_ sql: String, _ bindings: [DatabaseValue] = []) throws(MessageStoreError) -> [Row] {
        do throws(StorageError) {
            return try query(sql, bindings: bindings)
        } catch {
            throw .storage(error)
        }
    }

    /// ``Database/execute(_:bindings:)``, failures as ``MessageStoreError``; returns rows changed.
    @discardableResult
    func storeExecute(_ sql: String, _ bindings: [DatabaseValue] = []) throws(MessageStoreError) -> Int {
        do throws(StorageError) {
            return try execute(sql, bindings: bindings)
        } catch {
            throw .storage(error)
        }
    }

    /// Runs `statements` in one `BEGIN IMMEDIATE` … `COMMIT`, rolling back if any fails.
    func storeTransaction(_ statements: [(sql: String, bindings: [DatabaseValue])]) throws(MessageStoreError) {
        do throws(StorageError) {
            try execute("BEGIN IMMEDIATE", bindings: [])
            for statement in statements {
                try execute(statement.sql, bindings: statement.bindings)
            }
            try execute("COMMIT", bindings: [])
        } catch {
            if isInTransaction { _ = try? execute("ROLLBACK", bindings: []) }
            throw .storage(error)
        }
    }
}

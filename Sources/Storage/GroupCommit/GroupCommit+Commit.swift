extension GroupCommit {
    /// Runs every waiting write in one transaction on `database` and empties the queue.
    ///
    /// `BEGIN IMMEDIATE`, the writes in enqueue order, `COMMIT`. When `COMMIT` returns the batch
    /// is durable (the connection runs `synchronous=FULL`), and the tokens come back in
    /// ``Outcome/committed(_:)``. If a write or the commit fails, the transaction is rolled back
    /// and all tokens come back in ``Outcome/rolledBack(_:error:)``. With nothing waiting, no
    /// transaction is opened and the result is `.committed([])`.
    ///
    /// The database must not be inside a transaction already (the batch would then not be
    /// durable on return); that is reported as ``StorageError/Code/misuse`` and the writes are not
    /// run. A write that ends the transaction itself (`COMMIT`, `ROLLBACK`) fails the batch the
    /// same way. A failed commit after an I/O error may still have reached the disk, so writes should
    /// be idempotent (keyed by a unique id) if the caller retries them.
    public mutating func commit(on database: Database) -> Outcome {
        let batch = takeBatch()
        guard !batch.isEmpty else { return .committed([]) }
        // A closure, not `\.token`: a key path into a generic tuple is instantiated at run time on
        // every call (type lookup by mangled name — 3 % of the Cloud API's loop thread).
        let tokens = batch.map { $0.token }
        guard !database.isInTransaction else {
            record(committed: false, writes: batch.count)
            return .rolledBack(tokens, error: .usage(
                .misuse, "group commit needs its own transaction, but one is already open",
                operation: "group commit of \(batch.count) writes"))
        }
        do throws(StorageError) {
            try database.beginImmediate()
            for entry in batch {
                try entry.operation.run(on: database)
                // A write that ran COMMIT or ROLLBACK itself would leave later writes outside the batch.
                guard database.isInTransaction else {
                    throw .usage(.misuse, "a write ended the batch's transaction itself",
                                 operation: "group commit of \(batch.count) writes")
                }
            }
            try database.commitTransaction()
        } catch {
            database.rollbackIfInTransaction()
            record(committed: false, writes: batch.count)
            return .rolledBack(tokens, error: error)
        }
        record(committed: true, writes: batch.count)
        return .committed(tokens)
    }
}

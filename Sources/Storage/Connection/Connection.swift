import CSQLite

/// The raw `sqlite3 *` shared by a ``Database`` and the statements prepared on it, so a statement
/// that outlives `close()` can tell the connection is gone instead of touching a freed handle.
///
/// Also counts committed write transactions through `sqlite3_commit_hook`: the number of
/// commits is the number of WAL fsyncs under `synchronous=FULL`, which is what group commit is
/// meant to keep low.
final class Connection {
    /// The open handle, or `nil` once closed.
    private(set) var handle: OpaquePointer?
    /// Write transactions committed on this connection since it was opened.
    private(set) var commitCount = 0

    init(handle: OpaquePointer) {
        self.handle = handle
        let context = Unmanaged.passUnretained(self).toOpaque()
        // The hook runs on this connection's thread inside sqlite3_step; the connection outlives
        // it because the hook is removed before the handle is closed.
        _ = sqlite3_commit_hook(handle, { context in
            guard let context else { return 0 }
            Unmanaged<Connection>.fromOpaque(context).takeUnretainedValue().commitCount += 1
            return 0 // 0 lets the commit proceed
        }, context)
    }

    /// The handle, or a ``StorageError/Code/closed`` error naming `operation`.
    func requireHandle(_ operation: @autoclosure () -> String) throws(StorageError) -> OpaquePointer {
        guard let handle else {
            throw .usage(.closed, "the database connection is closed", operation: operation())
        }
        return handle
    }

    /// Closes the handle with `sqlite3_close_v2`: statements still referenced elsewhere keep a
    /// zombie connection alive until they are finalized. Idempotent.
    func close() -> Int32 {
        guard let handle else { return SQLITE_OK }
        _ = sqlite3_commit_hook(handle, nil, nil)
        _ = sqlite3_wal_hook(handle, nil, nil)  // a deferred connection's points at its WALFile
        self.handle = nil
        return sqlite3_close_v2(handle)
    }

    deinit {
        _ = close()
    }
}

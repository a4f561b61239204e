public import Storage

extension MessageStore {
    /// Destroys every day older than the retention policy at `now` (with the standard 30 days:
    /// day 0 is readable through day 30 and gone from day 31): first the day keys — deleted with
    /// `secure_delete` and the key file's WAL truncated — then the day files with their `-wal`,
    /// `-shm` and `-journal` companions, and the directory is fsynced. Afterwards nothing of those
    /// days can be recovered from any file, and nothing can be written to them again.
    ///
    /// Run it at start-up and at least once a day. Must not be called while writes for a day it
    /// would destroy are waiting for ``commit()``.
    ///
    /// - Parameter now: The current time, milliseconds since the Unix epoch (from the caller's clock).
    /// - Returns: The days destroyed (a key, a file or both), oldest first.
    @discardableResult
    public func expire(now: Int64) throws(MessageStoreError) -> [UTCDay] {
        let cutoff = retention.oldestRetainedDay(now: now)
        if let day = batches.keys.filter({ $0 < cutoff }).min() { throw .pendingWritesForExpiredDay(day) }
        let files = dayFiles.days.filter { $0 < cutoff }.sorted()
        // Records held for the webhook pump must not outlive their day's file (the store reads
        // no destroyed day); dropped first, so a failure below cannot leave them behind.
        if !files.isEmpty { fresh.dropAll() }
        let keys = try keyring.destroy(before: cutoff)
        for day in files { try dayFiles.remove(day) }
        if !files.isEmpty { try dayFiles.syncDirectory() }
        return Set(keys).union(files).sorted()
    }
}

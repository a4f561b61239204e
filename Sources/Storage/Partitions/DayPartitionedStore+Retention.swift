extension DayPartitionedStore {
    /// Deletes every day before `cutoff`: detaches it if attached, then removes its `-wal`, `-shm`
    /// and `-journal` files and finally the database file, and fsyncs the directory. Retention is
    /// this file deletion; no row is deleted one by one.
    ///
    /// The companions go first so a crash part-way never leaves an old WAL next to a missing
    /// database file (SQLite would replay it into a new file of the same name). Must be called
    /// outside a transaction.
    ///
    /// - Parameter cutoff: The oldest day to keep; e.g. `today.advanced(by: -29)` keeps 30 days.
    /// - Returns: The days deleted, oldest first.
    @discardableResult
    public func dropPartitions(olderThan cutoff: UTCDay) throws(StorageError) -> [UTCDay] {
        guard !database.isInTransaction else {
            throw .usage(.misuse, "partitions cannot be dropped inside a transaction",
                         operation: "drop partitions older than \(cutoff)")
        }
        var dropped: [UTCDay] = []
        for day in try partitions() where day < cutoff {
            if attachedDays.contains(day) {
                try detach(day)
            }
            let path = Partition(day: day, directory: directory).path
            for suffix in ["-wal", "-shm", "-journal", ""] {
                try FileSystem.removeFile(path + suffix)
            }
            dropped.append(day)
        }
        if !dropped.isEmpty {
            try FileSystem.syncDirectory(directory)
        }
        return dropped
    }
}

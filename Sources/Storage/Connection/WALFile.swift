import Glibc

/// A connection's write-ahead log, opened for `fdatasync` only: the other half of
/// ``Database/Durability/deferred``. A deferred connection's `COMMIT` writes its WAL frames into
/// the page cache and returns; ``sync()`` then makes every commit made before it durable — the
/// same guarantee `synchronous=FULL` gives at the end of `COMMIT`, taken at a time (and on a
/// thread) of the caller's choosing.
///
/// The descriptor is read-only and private to this object; `fdatasync` flushes the file's pages
/// whichever descriptor wrote them. SQLite keeps the `-wal` file (same inode) while any
/// connection to the database is open, and a checkpoint syncs the log before copying it, so a
/// sync after a checkpoint or a log restart is still correct. Safe to call from any thread.
public final class WALFile: Sendable {
    /// The `-wal` file's path.
    public let path: String
    private let descriptor: Int32

    /// Opens the WAL of the database at `databasePath` (`databasePath + "-wal"`), which must exist:
    /// a connection in WAL mode creates it when it first reads.
    ///
    /// - Throws: ``StorageError/Code/fileSystem`` with `open`'s errno.
    public init(databasePath: String) throws(StorageError) {
        path = databasePath + "-wal"
        var opened: Int32
        repeat {
            opened = open(path, O_RDONLY | O_CLOEXEC)
        } while opened < 0 && errno == EINTR
        guard opened >= 0 else { throw .system("open", path: path) }
        descriptor = opened
    }

    deinit { _ = close(descriptor) }

    /// Waits until every commit written to the log so far is on stable storage.
    ///
    /// - Throws: ``StorageError/Code/fileSystem`` with `fdatasync`'s errno. After a failure the
    ///   commits it covered must be treated as lost (a retried sync can succeed without the pages
    ///   having reached the disk).
    public func sync() throws(StorageError) {
        var result: Int32
        repeat {
            result = fdatasync(descriptor)
        } while result < 0 && errno == EINTR
        guard result == 0 else { throw .system("fdatasync", path: path) }
    }
}

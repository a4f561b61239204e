import Glibc
import Synchronization

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
    /// The database's path (the log's without `-wal`).
    public let databasePath: String
    private let descriptor: Int32
    /// Bytes of one frame: a page and its 24-byte header.
    private let frameBytes: Int
    /// Frames in the log since it last restarted, as the owning connection reported after its
    /// latest commit (``noteCommit(frames:)``).
    private let frames = Atomic<Int>(0)
    /// Commits the owning connection reported.
    private let commits = Atomic<Int>(0)

    /// Opens the WAL of the database at `databasePath` (`databasePath + "-wal"`), which must exist:
    /// a connection in WAL mode creates it when it first reads. ``committedBytes`` counts only for
    /// the log of a ``Database/Durability/deferred`` connection, which reports its commits here;
    /// a `WALFile` opened by itself reports 0.
    ///
    /// - Throws: ``StorageError/Code/fileSystem`` with `open`'s errno.
    public init(databasePath: String, pageSize: Int = 4096) throws(StorageError) {
        self.databasePath = databasePath
        frameBytes = pageSize + 24
        path = databasePath + "-wal"
        var opened: Int32
        repeat {
            opened = open(path, O_RDONLY | O_CLOEXEC)
        } while opened < 0 && errno == EINTR
        guard opened >= 0 else { throw .system("open", path: path) }
        descriptor = opened
    }

    deinit { _ = close(descriptor) }

    /// The log's current size in bytes (0 if it cannot be read).
    public var size: Int {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return 0 }
        return Int(status.st_size)
    }

    /// The bytes of the frames written since the log last restarted, by the owning connection's
    /// latest commit: what a checkpoint has left to copy at most. Unlike ``size`` it falls back
    /// when the log restarts, which it does in place — the file keeps its length, so that commits
    /// overwrite blocks already allocated instead of growing the file.
    public var committedBytes: Int { frames.load(ordering: .relaxed) * frameBytes }

    /// Records that the log holds `frames` frames after a commit (SQLite's WAL hook, called by
    /// the committing connection).
    func noteCommit(frames count: Int) {
        frames.store(count, ordering: .relaxed)
        commits.add(1, ordering: .relaxed)
    }

    /// How many commits the owning ``Database/Durability/deferred`` connection reported so far: a
    /// log whose count did not move between two looks was not written to in between.
    public var commitCount: Int { commits.load(ordering: .relaxed) }

    /// Copies the log's committed frames into the database (`PRAGMA wal_checkpoint(PASSIVE)`) over
    /// a connection of its own, opened for the call: what a ``Database/Durability/deferred``
    /// connection, which never checkpoints by itself, needs from whoever syncs it. Readers and
    /// the writer are not waited for — what they still need stays in the log for the next call —
    /// and the log restarts from its beginning at the writer's next commit once all of it was
    /// copied. Does nothing if the database file is gone (a deleted day), and never creates it.
    ///
    /// - Returns: The log's frames and how many of them are now in the database.
    /// - Throws: A ``StorageError`` from opening the database or from SQLite's checkpoint.
    @discardableResult
    public func checkpoint() throws(StorageError) -> (frames: Int, copied: Int) {
        guard let database = try openForCheckpoint() else { return (0, 0) }
        defer { try? database.close() }
        let row = try database.query("PRAGMA wal_checkpoint(PASSIVE)").first
        return (Int(row?[1].int64Value ?? 0), Int(row?[2].int64Value ?? 0))
    }

    /// Copies every frame into the database and truncates the log to zero bytes, over a
    /// connection of its own: gives back the space a busy period grew the log to, since a
    /// deferred connection never truncates it (see ``Database/open(path:options:)``). A passive
    /// checkpoint copies the frames first, without holding anyone off; then
    /// `PRAGMA wal_checkpoint(TRUNCATE)` waits for the writer and readers (up to the busy timeout)
    /// and holds new writers off while it copies what came since and truncates the file — a
    /// writer starting meanwhile waits for it, a thread blocked in SQLite's busy handler. So call
    /// it for a log seen idle (``commitCount`` unchanged), off the writer's thread. Does nothing
    /// if the database file is gone (a deleted day), and never creates it.
    ///
    /// - Returns: `false` if a reader or writer kept the truncating checkpoint from completing
    ///   (the log is whole; a later call may succeed); `true` once the log is empty, or if the
    ///   database is gone.
    /// - Throws: A ``StorageError`` from opening the database or from SQLite's checkpoint.
    @discardableResult
    public func truncate() throws(StorageError) -> Bool {
        try checkpointHoldingWritersOff("TRUNCATE").completed
    }

    /// Copies every frame into the database so that the writer's next commit restarts the log
    /// from its beginning, over a connection of its own: bounds a log that steady writes keep
    /// from restarting. Under a writer that commits every few milliseconds a passive checkpoint
    /// never catches up — frames come in while it copies and syncs the database — so the log
    /// grows by every frame written until the writer pauses. A passive checkpoint copies the bulk
    /// first, without holding anyone off; then `PRAGMA wal_checkpoint(RESTART)` waits for the
    /// writer and readers (up to the busy timeout) and holds new writers off while it syncs the
    /// log, copies what came since, syncs the database and waits for readers to leave the log: a
    /// writer starting meanwhile waits for that in SQLite's busy handler (sleeps of 1, 2, 5 … ms),
    /// and fails with ``StorageError/Code/busy`` past its own busy timeout. The file keeps its
    /// size, and commits reuse its blocks. Call it off the writer's thread, and never while that
    /// thread holds a statement open on the database (the checkpoint would wait for it). Does
    /// nothing if the database file is gone, and never creates it.
    ///
    /// - Returns: How long the restarting step took — writers were held off at most that long —
    ///   or `nil` if a reader or writer kept it from completing within the busy timeout (the log
    ///   is whole; a later call may succeed). `.zero` if the database is gone.
    /// - Throws: A ``StorageError`` from opening the database or from SQLite's checkpoint.
    @discardableResult
    public func restart() throws(StorageError) -> Duration? {
        let (completed, held) = try checkpointHoldingWritersOff("RESTART")
        return completed ? held : nil
    }

    /// A passive checkpoint, then one in `mode` (`RESTART` or `TRUNCATE`) over the same
    /// connection: whether SQLite reported the second one complete, and how long it took.
    private func checkpointHoldingWritersOff(_ mode: StaticString) throws(StorageError) -> (completed: Bool, took: Duration) {
        guard let database = try openForCheckpoint() else { return (true, .zero) }
        defer { try? database.close() }
        _ = try database.query("PRAGMA wal_checkpoint(PASSIVE)")
        let clock = ContinuousClock()
        let start = clock.now
        let row = try database.query("PRAGMA wal_checkpoint(\(mode))").first
        return (row?[0].int64Value == 0, clock.now - start)
    }

    /// A connection for a checkpoint, with neither `quick_check` nor creation: `nil` if the
    /// database file is gone — also when it disappears between the look and the open, so a
    /// checkpoint racing a day's deletion never brings its file back.
    private func openForCheckpoint() throws(StorageError) -> Database? {
        guard access(databasePath, F_OK) == 0 else { return nil }
        do throws(StorageError) {
            return try Database.open(path: databasePath, options: Database.Options(quickCheckAtOpen: false, createsMissingFile: false))
        } catch {
            guard access(databasePath, F_OK) == 0 else { return nil }
            throw error
        }
    }

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

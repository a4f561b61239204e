import Storage

/// Copies the relay store's WAL back into the database file from a second connection on a thread
/// of its own, so a commit never waits for a checkpoint.
///
/// SQLite's automatic checkpoint runs inside the `COMMIT` that crosses its threshold: that commit —
/// and every reply waiting for it — then also waits for megabytes to be copied and the database
/// file to be fsynced. Here the writer runs with `wal_autocheckpoint=0`, and after each commit the
/// storage thread calls ``nudge()``; this thread then runs `PRAGMA wal_checkpoint(PASSIVE)`, which
/// copies what it can without blocking the writer, at most every ``defaultMinimumInterval``.
///
/// A passive checkpoint that never catches up with a busy writer would let the WAL grow, because
/// SQLite restarts the WAL only once it is fully copied. ``needsWriterCheckpoint`` tells the
/// storage thread when the WAL has passed ``defaultResetThreshold`` bytes; it then checkpoints the few
/// frames left itself, between two commits, so the next commit starts the WAL over.
///
/// `Sendable`: the connection is reached only on this thread (a ``LoopBound``), the shared
/// progress is a ``LockedValue``.
final class RelayCheckpointer: Sendable {
    /// Least time between two checkpoint runs. A checkpoint copies only the newest frame of each
    /// page, and the queue's pages are refilled every few milliseconds (acknowledged rows free
    /// them, new envelopes reuse them), as are the tables' last leaves and page 1 at every commit:
    /// the longer the interval, the more of the WAL is never copied. Measured with `vigil bench
    /// relay` against 20 ms: the checkpointer thread's CPU per envelope fell from 0.41–0.57 µs to
    /// 0.15–0.19 µs.
    static let defaultMinimumInterval = Duration.milliseconds(100)
    /// WAL size beyond which the writer is asked to finish the checkpoint itself (64 MiB; judged
    /// on the last run's count, so the WAL may pass it by what one ``defaultMinimumInterval`` of commits
    /// adds — ~30 MiB at 200 000 1-KiB envelopes per second). Large enough that, at that rate,
    /// the checkpointer's own runs — not the writer, between two commits — copy most frames.
    static let defaultResetThreshold = 64 << 20

    private struct Progress: Sendable {
        /// A run is queued or running.
        var scheduled = false
        /// A commit happened since the current run started.
        var nudged = false
        /// Frames in the WAL and frames copied back, as of the last run.
        var walFrames = 0, backfilled = 0
    }

    private let thread: EventLoopThread
    private let database: LoopBound<Database>
    private let pageSize: Int
    private let progress = LockedValue(Progress())
    /// Least time between two checkpoint runs.
    let minimumInterval: Duration
    /// WAL size, in bytes, beyond which ``needsWriterCheckpoint`` is true.
    let resetThreshold: Int

    /// Opens a second connection to `path` on a new thread (no `quick_check`: the writer's
    /// connection already ran one). The relay uses the default interval and threshold; tests
    /// pass smaller ones.
    init(path: String, minimumInterval: Duration = defaultMinimumInterval,
         resetThreshold: Int = defaultResetThreshold) throws(RelayError) {
        self.minimumInterval = minimumInterval
        self.resetThreshold = resetThreshold
        let thread: EventLoopThread
        do throws(SystemError) {
            thread = try EventLoopThread(name: "vigil-relay-wal")
        } catch {
            throw .system(error)
        }
        let loop = thread.loop
        let opened = LockedValue<Result<(LoopBound<Database>, Int), RelayError>?>(nil)
        _ = loop.executeAndWait {
            do throws(StorageError) {
                let database = try Database.open(path: path, options: Database.Options(quickCheckAtOpen: false))
                let pageSize = Int(try database.query("PRAGMA page_size").first?[0].int64Value ?? 4096)
                opened.withLock { $0 = .success((LoopBound(database, on: loop), pageSize)) }
            } catch {
                opened.withLock { $0 = .failure(.storage(error)) }
            }
        }
        switch opened.withLock({ $0 }) {
        case let .success((database, pageSize))?:
            self.database = database
            self.pageSize = pageSize
        case let .failure(error)?:
            thread.stopAndJoin()
            throw error
        case nil:
            thread.stopAndJoin()
            throw .storage(.aborted("the relay's checkpoint thread did not start"))
        }
        self.thread = thread
    }

    /// A commit happened: run a checkpoint soon (now, or ``minimumInterval`` after the last one).
    func nudge() {
        let mustSchedule = progress.withLock { state -> Bool in
            state.nudged = true
            guard !state.scheduled else { return false }
            state.scheduled = true
            return true
        }
        if mustSchedule { _ = thread.loop.execute { [self] in run() } }
    }

    /// Whether the WAL has grown past ``resetThreshold`` as of the last run, so the writer should
    /// finish the checkpoint itself.
    var needsWriterCheckpoint: Bool {
        progress.withLock { $0.walFrames } * pageSize >= resetThreshold
    }

    /// One passive checkpoint; another follows after ``minimumInterval`` if commits came meanwhile.
    private func run() {
        progress.withLock { $0.nudged = false }
        let row = try? database.value.query("PRAGMA wal_checkpoint(PASSIVE)").first
        let again = progress.withLock { state -> Bool in
            if let row {
                state.walFrames = Int(row[1].int64Value ?? 0)
                state.backfilled = Int(row[2].int64Value ?? 0)
            }
            if !state.nudged { state.scheduled = false }
            return state.nudged
        }
        if again {
            _ = thread.loop.scheduleTimer(after: minimumInterval) { [self] in run() }
        }
    }

    /// Closes the connection (before the writer's, so the writer is the last to close and removes
    /// the WAL) and stops the thread. Idempotent.
    func close() {
        let database = self.database
        _ = thread.loop.executeAndWait { try? database.value.close() }
        thread.stopAndJoin()
    }
}

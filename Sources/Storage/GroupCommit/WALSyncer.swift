import Dispatch
import Synchronization

/// A thread that syncs write-ahead logs (``WALFile/sync()``) for an event loop, so the loop keeps
/// serving while the disk catches up: the loop commits with ``Database/Durability/deferred``,
/// hands the touched logs here, and releases what the commits acknowledge when the completion
/// comes back. Requests run one at a time, in the order given. After a completion, a log with
/// more than ``checkpointBytes`` committed since its restart is checkpointed here too (deferred
/// connections never checkpoint themselves), so neither the sync nor the copy into the database
/// runs on the loop; a log that steady writes kept from restarting is restarted here once it
/// holds ``restartBytes`` (``WALFile/restart()``), which briefly holds its writer off; and logs
/// the owner saw idle are emptied here (``truncate(_:)``), since deferred connections never
/// truncate them either.
public final class WALSyncer: Sendable {
    /// A log with this many bytes of frames since its restart is checkpointed after its sync:
    /// SQLite's default of 1 000 pages of 4 KiB.
    public static let defaultCheckpointBytes = 4_096_000
    /// A log with this many bytes of frames since its restart is restarted rather than only
    /// checkpointed: 128 MiB. Under steady writes a log grows by every frame until the writer
    /// pauses (one endpoint day log reached 224 MB in three minutes of load); this bounds it, at
    /// the price of holding the writer off for one copy and sync of the database that rarely.
    public static let defaultRestartBytes = 134_217_728

    private let queue: DispatchQueue
    /// Checkpoints run on a queue of their own, so syncs never wait behind one.
    private let checkpointQueue: DispatchQueue
    /// The bytes of frames committed since a log's restart (``WALFile/committedBytes``) that
    /// trigger its checkpoint.
    public let checkpointBytes: Int
    /// The bytes of frames since a log's restart at which its checkpoint holds the writer off
    /// until the log is copied, so that the next commit restarts it (``WALFile/restart()``). At
    /// least ``checkpointBytes``.
    public let restartBytes: Int
    /// Logs with a checkpoint or truncation queued; those completed so far, how many of them were
    /// restarts and the longest one held its writer off; each restarted log's commit count
    /// right after its restart (its frame count is stale until the writer commits again); the
    /// last failure (a failed checkpoint is retried after the next sync, a truncation when the
    /// owner next asks; the log only grows meanwhile).
    private let checkpoints = Mutex((
        queued: Set<String>(), count: 0, restarts: 0, longestRestart: Duration.zero, restartedAtCommit: [String: Int](),
        lastFailure: StorageError?.none))

    /// A syncer with its own serial queues, labelled `label` (thread names in profiles).
    public init(label: String = "vigil.wal-sync", checkpointBytes: Int = defaultCheckpointBytes,
                restartBytes: Int = defaultRestartBytes) {
        queue = DispatchQueue(label: label, qos: .userInitiated)
        checkpointQueue = DispatchQueue(label: label + "-checkpoint", qos: .utility)
        self.checkpointBytes = max(1, checkpointBytes)
        self.restartBytes = max(self.checkpointBytes, restartBytes)
    }

    /// Syncs `files` on the syncer's thread, then calls `completion` there with a failure, or
    /// `nil` once every file is synced; then queues a checkpoint of each log past
    /// ``checkpointBytes`` (one at a time per log), a restart if it is past ``restartBytes`` when
    /// its turn comes.
    public func sync(_ files: [WALFile], completion: @escaping @Sendable (StorageError?) -> Void) {
        queue.async { [self] in
            completion(Self.syncNow(files))
            for file in files where file.committedBytes >= checkpointBytes {
                scheduleCheckpoint(of: file)
            }
        }
    }

    private func scheduleCheckpoint(of file: WALFile) {
        let restartBytes = restartBytes
        schedule(file) { [self] () throws(StorageError) in
            // Restarted and not written to since: all of it is copied, and its frame count is
            // the old log's until the next commit.
            let commits = file.commitCount
            if checkpoints.withLock({ $0.restartedAtCommit[file.path] == commits }) { return .skipped }
            guard file.committedBytes >= restartBytes else {
                try file.checkpoint()
                return .checkpointed
            }
            guard let held = try file.restart() else { return .blocked }
            return .restarted(held: held, commitCount: file.commitCount)
        }
    }

    /// Empties each of `files` (``WALFile/truncate()``) on the checkpoint thread, skipping a log
    /// with a checkpoint already queued: for logs the caller saw idle, to give back the space a
    /// busy period grew them to. A truncation that a reader or writer kept from completing is
    /// not retried here; the caller asks again when it next sees the log idle.
    public func truncate(_ files: [WALFile]) {
        for file in files {
            schedule(file) { () throws(StorageError) in try file.truncate() ? .checkpointed : .blocked }
        }
    }

    /// How a checkpoint job ended.
    private enum CheckpointOutcome {
        /// Copied (and, for a truncation, emptied).
        case checkpointed
        /// Copied, and the next commit restarts the log: writers were held off for `held`, and
        /// the log had seen `commitCount` commits right after.
        case restarted(held: Duration, commitCount: Int)
        /// A reader or writer kept it from completing.
        case blocked
        /// Nothing to do: the log was restarted and not written to since.
        case skipped
    }

    /// Runs `work` on the checkpoint queue unless a checkpoint or truncation of `file` is queued
    /// already.
    private func schedule(_ file: WALFile, _ work: @escaping @Sendable () throws(StorageError) -> CheckpointOutcome) {
        guard checkpoints.withLock({ $0.queued.insert(file.path).inserted }) else { return }
        checkpointQueue.async { [self] in
            let outcome: Result<CheckpointOutcome, StorageError>
            do throws(StorageError) {
                outcome = .success(try work())
            } catch {
                outcome = .failure(error)
            }
            checkpoints.withLock { state in
                state.queued.remove(file.path)
                switch outcome {
                case .success(.checkpointed): state.count += 1
                case let .success(.restarted(held, commitCount)):
                    state.count += 1
                    state.restarts += 1
                    state.longestRestart = max(state.longestRestart, held)
                    state.restartedAtCommit[file.path] = commitCount
                case .success(.blocked), .success(.skipped): break
                case let .failure(error): state.lastFailure = error
                }
            }
        }
    }

    /// How many checkpoints and truncations the syncer completed, how many of them were restarts
    /// (``restartBytes``) and the longest time one of those held its writer off, and the last
    /// failure.
    public var checkpointStatistics: (count: Int, restarts: Int, longestRestart: Duration, lastFailure: StorageError?) {
        checkpoints.withLock { ($0.count, $0.restarts, $0.longestRestart, $0.lastFailure) }
    }

    /// Syncs `files` — several at once, each `fdatasync` on its own thread, since each waits for
    /// its own device flush — and returns a failure (the first file's, in order), or `nil`.
    public static func syncNow(_ files: [WALFile]) -> StorageError? {
        guard files.count > 1 else {
            do throws(StorageError) { try files.first?.sync() } catch { return error }
            return nil
        }
        let failures = Mutex<[StorageError?]>(Array(repeating: nil, count: files.count))
        DispatchQueue.concurrentPerform(iterations: files.count) { index in
            do throws(StorageError) { try files[index].sync() } catch {
                failures.withLock { $0[index] = error }
            }
        }
        return failures.withLock { $0.lazy.compactMap { $0 }.first }
    }

    /// Blocks until every request made so far has run (its completion and checkpoints included).
    public func waitUntilIdle() {
        queue.sync {}
        checkpointQueue.sync {}
    }
}

import Dispatch
import Synchronization

/// A thread that syncs write-ahead logs (``WALFile/sync()``) for an event loop, so the loop keeps
/// serving while the disk catches up: the loop commits with ``Database/Durability/deferred``,
/// hands the touched logs here, and releases what the commits acknowledge when the completion
/// comes back. Requests run one at a time, in the order given. After a completion, a log with
/// more than ``checkpointBytes`` committed since its restart is checkpointed here too (deferred
/// connections never checkpoint themselves), so neither the sync nor the copy into the database
/// runs on the loop; and logs the owner saw idle are emptied here (``truncate(_:)``), since
/// deferred connections never truncate them either.
public final class WALSyncer: Sendable {
    /// A log with this many bytes of frames since its restart is checkpointed after its sync:
    /// SQLite's default of 1 000 pages of 4 KiB.
    public static let defaultCheckpointBytes = 4_096_000

    private let queue: DispatchQueue
    /// Checkpoints run on a queue of their own, so syncs never wait behind one.
    private let checkpointQueue: DispatchQueue
    /// The bytes of frames committed since a log's restart (``WALFile/committedBytes``) that
    /// trigger its checkpoint.
    public let checkpointBytes: Int
    /// Logs with a checkpoint or truncation queued; those completed so far; the last failure (a
    /// failed checkpoint is retried after the next sync, a truncation when the owner next asks;
    /// the log only grows meanwhile).
    private let checkpoints = Mutex((queued: Set<String>(), count: 0, lastFailure: StorageError?.none))

    /// A syncer with its own serial queues, labelled `label` (thread names in profiles).
    public init(label: String = "vigil.wal-sync", checkpointBytes: Int = defaultCheckpointBytes) {
        queue = DispatchQueue(label: label, qos: .userInitiated)
        checkpointQueue = DispatchQueue(label: label + "-checkpoint", qos: .utility)
        self.checkpointBytes = max(1, checkpointBytes)
    }

    /// Syncs `files` on the syncer's thread, then calls `completion` there with a failure, or
    /// `nil` once every file is synced; then queues a checkpoint of each log past
    /// ``checkpointBytes`` (one at a time per log).
    public func sync(_ files: [WALFile], completion: @escaping @Sendable (StorageError?) -> Void) {
        queue.async { [self] in
            completion(Self.syncNow(files))
            for file in files where file.committedBytes >= checkpointBytes {
                scheduleCheckpoint(of: file)
            }
        }
    }

    private func scheduleCheckpoint(of file: WALFile) {
        schedule(file) { () throws(StorageError) in
            try file.checkpoint()
            return true
        }
    }

    /// Empties each of `files` (``WALFile/truncate()``) on the checkpoint thread, skipping a log
    /// with a checkpoint already queued: for logs the caller saw idle, to give back the space a
    /// busy period grew them to. A truncation that a reader or writer kept from completing is
    /// not retried here; the caller asks again when it next sees the log idle.
    public func truncate(_ files: [WALFile]) {
        for file in files {
            schedule(file) { () throws(StorageError) in try file.truncate() }
        }
    }

    /// Runs `work` (`true`: it completed) on the checkpoint queue unless a checkpoint or
    /// truncation of `file` is queued already.
    private func schedule(_ file: WALFile, _ work: @escaping @Sendable () throws(StorageError) -> Bool) {
        guard checkpoints.withLock({ $0.queued.insert(file.path).inserted }) else { return }
        checkpointQueue.async { [self] in
            let outcome: Result<Bool, StorageError>
            do throws(StorageError) {
                outcome = .success(try work())
            } catch {
                outcome = .failure(error)
            }
            checkpoints.withLock { state in
                state.queued.remove(file.path)
                switch outcome {
                case let .success(completed): if completed { state.count += 1 }
                case let .failure(error): state.lastFailure = error
                }
            }
        }
    }

    /// How many checkpoints and truncations the syncer completed, and the last one's failure.
    public var checkpointStatistics: (count: Int, lastFailure: StorageError?) {
        checkpoints.withLock { ($0.count, $0.lastFailure) }
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

import Dispatch
import Synchronization

/// A thread that syncs write-ahead logs (``WALFile/sync()``) for an event loop, so the loop keeps
/// serving while the disk catches up: the loop commits with ``Database/Durability/deferred``,
/// hands the touched logs here, and releases what the commits acknowledge when the completion
/// comes back. Requests run one at a time, in the order given.
public final class WALSyncer: Sendable {
    private let queue: DispatchQueue

    /// A syncer with its own serial queue, labelled `label` (thread name in profiles).
    public init(label: String = "vigil.wal-sync") {
        queue = DispatchQueue(label: label, qos: .userInitiated)
    }

    /// Syncs `files` on the syncer's thread, then calls `completion` there with a failure, or
    /// `nil` once every file is synced.
    public func sync(_ files: [WALFile], completion: @escaping @Sendable (StorageError?) -> Void) {
        queue.async {
            completion(Self.syncNow(files))
        }
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

    /// Blocks until every request made so far has run (its completion included).
    public func waitUntilIdle() {
        queue.sync {}
    }
}

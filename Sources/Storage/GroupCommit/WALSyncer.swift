import Dispatch

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

    /// Syncs `files` in order on the syncer's thread, then calls `completion` there with the first
    /// failure (the files after it are not synced), or `nil`.
    public func sync(_ files: [WALFile], completion: @escaping @Sendable (StorageError?) -> Void) {
        queue.async {
            completion(Self.syncNow(files))
        }
    }

    /// Syncs `files` in order on the calling thread; the first failure, or `nil`.
    public static func syncNow(_ files: [WALFile]) -> StorageError? {
        for file in files {
            do throws(StorageError) { try file.sync() } catch { return error }
        }
        return nil
    }

    /// Blocks until every request made so far has run (its completion included).
    public func waitUntilIdle() {
        queue.sync {}
    }
}

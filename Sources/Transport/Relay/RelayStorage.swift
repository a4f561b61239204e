import Glibc
import Storage

/// What the relay's storage thread writes to: ``RelayStore``, or a test double that delays or
/// fails commits. Used only on the storage thread.
protocol RelayBatchStore: AnyObject {
    /// Everything the core needs to resume.
    func load(envelopeCutoff: Int64, idempotencyCutoff: Int64) throws(RelayError) -> RelaySnapshot
    /// Applies `writes` in one durable transaction, or throws after rolling it back.
    func commit(_ writes: [RelayWrite]) throws(StorageError)
    /// The database file a ``RelayCheckpointer`` should checkpoint from a second connection, or
    /// `nil` when the store checkpoints inside its commits.
    var checkpointPath: String? { get }
    /// Checkpoints the WAL from the store's own connection (between two commits), ignoring errors.
    func checkpoint()
    /// Closes the store.
    func close()
}

extension RelayStore: RelayBatchStore {}

/// The relay's store on a thread of its own, so a commit's SQLite work and its fsync never run on
/// the event loop — and, with a ``RelayCheckpointer`` on a third thread, WAL checkpoints never run
/// inside a commit.
///
/// The loop hands over a batch with ``submit(_:writes:)`` and carries on; the storage thread
/// commits it, queues the outcome and wakes the loop, which collects it with
/// ``takeCompletions()`` at the end of its next turn. Batches are committed in submission order.
/// ``load(envelopeCutoff:idempotencyCutoff:)`` and ``waitUntilIdle()`` block the calling thread
/// until the storage thread has done that (start-up, recovery after a failed commit, shutdown).
///
/// `Sendable`: the store is reached only on the storage thread (through a ``LoopBound`` bound to
/// that thread's loop), the completion queue is a ``LockedValue``, and the loops are `Sendable`.
final class RelayStorage: Sendable {
    /// A batch's outcome: its number and whether it committed.
    typealias Completion = (number: UInt64, result: Result<Void, StorageError>)

    private let thread: EventLoopThread
    private let store: LoopBound<any RelayBatchStore>
    private let checkpointer: RelayCheckpointer?
    private let completions = LockedValue<[Completion]>([])
    /// The loop woken when a batch completes.
    private let owner: EventLoop

    /// Starts the storage thread and opens the store on it with `makeStore`. Blocks until open.
    init(owner: EventLoop, makeStore: @escaping @Sendable () throws(RelayError) -> any RelayBatchStore) throws(RelayError) {
        let thread: EventLoopThread
        do throws(SystemError) {
            thread = try EventLoopThread(name: "vigil-relay-db")
        } catch {
            throw .system(error)
        }
        let loop = thread.loop
        let opened = LockedValue<Result<(LoopBound<any RelayBatchStore>, String?), RelayError>?>(nil)
        _ = loop.executeAndWait {
            do throws(RelayError) {
                let store = try makeStore()
                opened.withLock { $0 = .success((LoopBound(store, on: loop), store.checkpointPath)) }
            } catch {
                opened.withLock { $0 = .failure(error) }
            }
        }
        switch opened.withLock({ $0 }) {
        case let .success((store, checkpointPath))?:
            self.store = store
            do throws(RelayError) {
                checkpointer = try checkpointPath.map { path throws(RelayError) in try RelayCheckpointer(path: path) }
            } catch {
                _ = loop.executeAndWait { store.value.close() }
                thread.stopAndJoin()
                throw error
            }
        case let .failure(error)?:
            thread.stopAndJoin()
            throw error
        case nil:
            thread.stopAndJoin()
            throw .system(SystemError(call: "relay storage thread", errno: Errno(rawValue: ECANCELED)))
        }
        self.thread = thread
        self.owner = owner
    }

    /// Loads the snapshot on the storage thread; blocks until done.
    func load(envelopeCutoff: Int64, idempotencyCutoff: Int64) throws(RelayError) -> RelaySnapshot {
        let store = self.store
        let outcome = LockedValue<Result<RelaySnapshot, RelayError>?>(nil)
        _ = thread.loop.executeAndWait {
            do throws(RelayError) {
                let snapshot = try store.value.load(envelopeCutoff: envelopeCutoff, idempotencyCutoff: idempotencyCutoff)
                outcome.withLock { $0 = .success(snapshot) }
            } catch {
                outcome.withLock { $0 = .failure(error) }
            }
        }
        guard let result = outcome.withLock({ $0 }) else {
            throw .system(SystemError(call: "relay storage thread", errno: Errno(rawValue: ECANCELED)))
        }
        return try result.get()
    }

    /// Commits `writes` as batch `number` on the storage thread; the owner's loop is woken when
    /// the outcome is ready for ``takeCompletions()``.
    func submit(_ number: UInt64, writes: [RelayWrite]) {
        let store = self.store
        let completions = self.completions
        let owner = self.owner
        let checkpointer = self.checkpointer
        let accepted = thread.loop.execute {
            let result: Result<Void, StorageError>
            do throws(StorageError) {
                try store.value.commit(writes)
                result = .success(())
            } catch {
                result = .failure(error)
            }
            completions.withLock { $0.append((number, result)) }
            owner.wakeUp()
            guard let checkpointer, case .success = result else { return }
            // After the outcome is out: the next batch may wait for this, the replies do not.
            if checkpointer.needsWriterCheckpoint { store.value.checkpoint() }
            checkpointer.nudge()
        }
        if !accepted {
            completions.withLock { $0.append((number, .failure(.aborted("the relay's storage thread has stopped")))) }
            owner.wakeUp()
        }
    }

    /// The outcomes of the batches finished since the last call, in submission order.
    func takeCompletions() -> [Completion] {
        completions.withLock { queue in
            defer { queue.removeAll() }
            return queue
        }
    }

    /// Blocks until every batch submitted so far has finished (its outcome is then queued).
    func waitUntilIdle() {
        _ = thread.loop.executeAndWait {}
    }

    /// Closes the checkpointer, then the store on the storage thread (the last connection to
    /// close checkpoints the WAL and removes it), and stops the threads. Idempotent.
    func close() {
        checkpointer?.close()
        let store = self.store
        _ = thread.loop.executeAndWait { store.value.close() }
        thread.stopAndJoin()
    }
}

import Storage
import Synchronization

/// The order in which the endpoint's writes become durable and what they acknowledge is
/// released: a pure state machine over *turns* (the writes and effects of one event-loop turn);
/// the endpoint performs its steps (``Step``) and reports back.
///
/// For each stage — one turn, or every turn that ended while the previous stage was in flight,
/// merged in order — the steps are:
/// 1. `sync` the logs of the message-record files the stage committed (its records are already
///    committed, with deferred durability, at the end of their turn);
/// 2. `commitRegistry`: the stage's registry writes (sessions, keys, account fields), held back
///    until then, in one transaction;
/// 3. `sync` the registry's log;
/// 4. `release` the stage's effects (ciphertext to the relay, acks, HTTP answers), in order.
///
/// Steps that have nothing to do are skipped. **Records before sessions**: a power cut can never
/// leave a session advanced by an inbound message without that message's record — the relay's
/// re-delivery would then be undecryptable and an acknowledged message lost. One step is in
/// flight at a time; the loop keeps serving (and ending turns) meanwhile, so one sync covers the
/// writes of every turn that ended during the previous one.
///
/// `Log` is ``WALFile`` in the endpoint; tests use any class.
struct DurabilityPipeline<Log: AnyObject> {
    /// What the endpoint must do next.
    enum Step {
        /// Sync these logs (off the loop), then call ``synced()``.
        case sync([Log])
        /// Commit these registry writes (on the loop), then call ``registryCommitted(log:)``.
        case commitRegistry(GroupCommit<Int>)
        /// Run these effects, in order; then ask for ``nextStep()``.
        case release([() -> Void])
    }

    private struct Stage {
        var recordLogs: [Log] = []
        var registryWrites = GroupCommit<Int>()
        var effects: [() -> Void] = []

        var isEmpty: Bool { recordLogs.isEmpty && registryWrites.isEmpty && effects.isEmpty }
    }

    private enum Phase: Equatable {
        case idle, syncingRecords, committingRegistry, syncingRegistry
    }

    private var waiting = Stage()
    private var current = Stage()
    private var phase = Phase.idle

    /// Whether no step is in flight and no turn waits.
    var isIdle: Bool { phase == .idle && waiting.isEmpty }

    /// Whether a step is in flight (its completion not yet reported).
    var isBusy: Bool { phase != .idle }

    /// Adds a turn that ended: the logs of the record files it committed, its registry writes,
    /// its effects. Merged into the stage that starts after the one in flight.
    mutating func endTurn(recordLogs: [Log], registryWrites: consuming GroupCommit<Int>, effects: consuming [() -> Void]) {
        for log in recordLogs where !waiting.recordLogs.contains(where: { $0 === log }) {
            waiting.recordLogs.append(log)
        }
        waiting.registryWrites.append(contentsOf: registryWrites)
        if waiting.effects.isEmpty {
            waiting.effects = effects
        } else {
            waiting.effects += effects
        }
    }

    /// Starts the next stage if none is in flight: its first step, or `nil` while busy or idle.
    mutating func nextStep() -> Step? {
        guard phase == .idle, !waiting.isEmpty else { return nil }
        swap(&current, &waiting)
        if !current.recordLogs.isEmpty {
            phase = .syncingRecords
            return .sync(current.recordLogs)
        }
        return commitRegistryOrRelease()
    }

    /// The `sync` step in flight succeeded.
    mutating func synced() -> Step {
        precondition(phase == .syncingRecords || phase == .syncingRegistry, "no sync in flight")
        return phase == .syncingRecords ? commitRegistryOrRelease() : release()
    }

    /// The `commitRegistry` step succeeded; `log` is the registry's log to sync (`nil` when the
    /// registry commits durably itself).
    mutating func registryCommitted(log: Log?) -> Step {
        precondition(phase == .committingRegistry, "no registry commit in flight")
        guard let log else { return release() }
        phase = .syncingRegistry
        return .sync([log])
    }

    /// A step failed: every stage is dropped — its effects never run, its held registry writes
    /// are never committed — and the pipeline is idle.
    mutating func reset() {
        waiting = Stage()
        current = Stage()
        phase = .idle
    }

    private mutating func commitRegistryOrRelease() -> Step {
        guard current.registryWrites.isEmpty else {
            phase = .committingRegistry
            var writes = GroupCommit<Int>()
            swap(&writes, &current.registryWrites)
            return .commitRegistry(writes)
        }
        return release()
    }

    private mutating func release() -> Step {
        let effects = current.effects
        current = Stage()
        phase = .idle
        return .release(effects)
    }
}

/// The result of the endpoint's sync in flight, handed from the syncer's thread to the loop (and
/// read directly by a loop that waits for the syncer while it stops).
final class SyncOutcome: Sendable {
    private let slot = Mutex<(generation: Int, error: StorageError?)?>(nil)

    /// Stores the outcome of the sync made in `generation`.
    func put(generation: Int, error: StorageError?) {
        slot.withLock { $0 = (generation, error) }
    }

    /// Removes and returns the stored outcome.
    func take() -> (generation: Int, error: StorageError?)? {
        slot.withLock { value in
            defer { value = nil }
            return value
        }
    }
}

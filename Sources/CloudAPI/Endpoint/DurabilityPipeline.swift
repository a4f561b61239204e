import Storage
import Synchronization

/// The order in which the endpoint's writes become durable and what they acknowledge is
/// released: a pure state machine over *turns* (the writes and effects of one event-loop turn);
/// the endpoint performs its steps (``Step``) and reports back.
///
/// A turn's message records are committed at its end (with deferred durability: written, not yet
/// synced). Its registry writes (sessions, keys, account fields; ``RegistryWrite``) are either
/// **free** — they may reach the disk in any order relative to the records (an outbound send's
/// ratchet step) — or **held**: a session advanced by decrypting an inbound message must never be
/// on disk without that message's record, or the relay's re-delivery would be undecryptable and
/// an acknowledged message lost. A later write of a held record (same key) in the same stage is
/// held too: it replaces the whole record, held change included.
///
/// For each stage — one turn, or every turn that ended while the previous stage was in flight,
/// merged in order — the steps are:
/// 1. `commitRegistry`: the stage's free registry writes, in one transaction;
/// 2. `sync` the logs of the records' files and, if step 1 ran, the registry's — together;
/// 3. `release` the effects (ciphertext to the relay, acks, HTTP answers) of the stage's turns
///    without held writes, in order: everything they depend on is durable now;
/// 4. `commitRegistry`: the stage's held registry writes;
/// 5. `sync` the registry's log;
/// 6. `release` the effects of the turns with held writes, in order.
///
/// Steps with nothing to do are skipped: outbound sends and their records need one sync round,
/// inbound messages two — and a send that shares a stage with them still goes after the first
/// (unless it uses a session held in that stage: then its write is held too). One step is in
/// flight at a time; the loop keeps serving (and ending turns) meanwhile, so one sync covers
/// every turn that ended during the last.
///
/// `Log` is ``WALFile`` in the endpoint; tests use any class.
struct DurabilityPipeline<Log: AnyObject> {
    /// What the endpoint must do next.
    enum Step {
        /// Sync these logs (off the loop), then call ``synced()``.
        case sync([Log])
        /// Commit these registry writes (on the loop), then call ``registryCommitted(log:)``.
        case commitRegistry(GroupCommit<RegistryWrite>)
        /// Run these effects, in order; then call ``released()``.
        case release([() -> Void])
    }

    private struct Stage {
        var recordLogs: [Log] = []
        var freeWrites = GroupCommit<RegistryWrite>()
        var heldWrites = GroupCommit<RegistryWrite>()
        /// The keys of `heldWrites`.
        var heldKeys: Set<String> = []
        /// Effects of turns without held writes (released after the first sync) and of turns
        /// with them (after the registry's second sync).
        var earlyEffects: [() -> Void] = []
        var lateEffects: [() -> Void] = []

        var isEmpty: Bool {
            recordLogs.isEmpty && freeWrites.isEmpty && heldWrites.isEmpty && earlyEffects.isEmpty && lateEffects.isEmpty
        }
    }

    private enum Phase: Equatable {
        case idle, committingFree, syncingFirst, releasingEarly, committingHeld, syncingHeld, releasingLast
    }

    private var waiting = Stage()
    private var current = Stage()
    private var phase = Phase.idle
    /// The registry's log once the stage's free writes are committed (to sync with the records').
    private var freeLog: Log?

    /// Whether no step is in flight and no turn waits.
    var isIdle: Bool { !isBusy && waiting.isEmpty }

    /// Whether a step is in flight (its completion not yet reported).
    var isBusy: Bool { phase != .idle && phase != .releasingLast }

    /// Adds a turn that ended: the logs of the record files it committed, its registry writes, its
    /// effects. Merged into the stage that starts after the one in flight.
    mutating func endTurn(recordLogs: [Log], registryWrites: consuming GroupCommit<RegistryWrite>, effects: consuming [() -> Void]) {
        for log in recordLogs where !waiting.recordLogs.contains(where: { $0 === log }) {
            waiting.recordLogs.append(log)
        }
        var heldKeys = waiting.heldKeys
        let (held, free) = registryWrites.split { write in
            guard write.followsRecords || heldKeys.contains(write.key) else { return false }
            heldKeys.insert(write.key)
            return true
        }
        waiting.heldKeys = heldKeys
        let holds = !held.isEmpty
        waiting.heldWrites.append(contentsOf: held)
        waiting.freeWrites.append(contentsOf: free)
        if holds {
            waiting.lateEffects += effects
        } else {
            waiting.earlyEffects += effects
        }
    }

    /// Starts the next stage if none is in flight: its first step, or `nil` while busy or idle.
    mutating func nextStep() -> Step? {
        guard phase == .idle || phase == .releasingLast else { return nil }
        phase = .idle
        guard !waiting.isEmpty else { return nil }
        swap(&current, &waiting)
        freeLog = nil
        guard current.freeWrites.isEmpty else {
            phase = .committingFree
            return .commitRegistry(Self.take(&current.freeWrites, leaving: GroupCommit()))
        }
        return syncFirstOrGoOn()
    }

    /// The `sync` step in flight succeeded.
    mutating func synced() -> Step {
        switch phase {
        case .syncingFirst:
            guard !current.heldWrites.isEmpty, !current.earlyEffects.isEmpty else { return commitHeldOrRelease() }
            phase = .releasingEarly
            return .release(Self.take(&current.earlyEffects, leaving: []))
        case .syncingHeld:
            return release()
        default:
            preconditionFailure("no sync in flight")
        }
    }

    /// The effects of the `release` step ran: the stage goes on (its held writes), or the next
    /// stage starts (``nextStep()``).
    mutating func released() -> Step? {
        phase == .releasingEarly ? commitHeldOrRelease() : nextStep()
    }

    /// The `commitRegistry` step succeeded; `log` is the registry's log to sync (`nil` when the
    /// registry commits durably itself).
    mutating func registryCommitted(log: Log?) -> Step {
        switch phase {
        case .committingFree:
            freeLog = log
            return syncFirstOrGoOn()
        case .committingHeld:
            guard let log else { return release() }
            phase = .syncingHeld
            return .sync([log])
        default:
            preconditionFailure("no registry commit in flight")
        }
    }

    /// A step failed: every stage is dropped — its effects never run, its held registry writes
    /// are never committed — and the pipeline is idle.
    mutating func reset() {
        waiting = Stage()
        current = Stage()
        phase = .idle
        freeLog = nil
    }

    /// Step 2: the records' logs and the registry's (if its free writes were committed).
    private mutating func syncFirstOrGoOn() -> Step {
        var logs = current.recordLogs
        if let freeLog { logs.append(freeLog) }
        guard logs.isEmpty else {
            phase = .syncingFirst
            return .sync(logs)
        }
        return commitHeldOrRelease()
    }

    private mutating func commitHeldOrRelease() -> Step {
        guard current.heldWrites.isEmpty else {
            phase = .committingHeld
            return .commitRegistry(Self.take(&current.heldWrites, leaving: GroupCommit()))
        }
        return release()
    }

    private mutating func release() -> Step {
        let effects = current.earlyEffects + current.lateEffects
        current = Stage()
        freeLog = nil
        phase = .releasingLast
        return .release(effects)
    }


    /// `value`, leaving an empty one in its place (moved, not copied).
    private static func take<Value>(_ value: inout Value, leaving empty: Value) -> Value {
        var taken = empty
        swap(&taken, &value)
        return taken
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

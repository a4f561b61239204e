import Storage
import Synchronization

/// The order in which the endpoint's writes become durable and what they acknowledge is
/// released: a pure state machine over *turns* (the writes and effects of one event-loop turn);
/// the endpoint performs its steps (``Step``) and reports back.
///
/// A turn's message records are committed (with deferred durability: written, not yet synced) by
/// the time the turn is handed to the pipeline (``endTurn(recordLogs:registryWrites:effects:)``).
/// Its registry writes (sessions, keys, account fields; ``RegistryWrite``) are either
/// **free** — they may reach the disk in any order relative to the records (an outbound send's
/// ratchet step) — or **held**: a session advanced by decrypting an inbound message must never be
/// on disk without that message's record, or the relay's re-delivery would be undecryptable and
/// an acknowledged message lost. A later write of a held record (same key) in the same stage is
/// held too: it replaces the whole record, held change included.
///
/// The work goes in **rounds**, one in flight at a time. A round takes the *stage* — every turn
/// that ended since the last round started, merged in order — and:
/// 1. `commitRegistry`: the held writes of the previous round's stage (its records were synced
///    by that round), then this stage's free writes, in one transaction;
/// 2. `sync` the logs of this stage's records and, if step 1 ran, the registry's — together;
/// 3. `release`, in order, the previous stage's effects that waited for its held writes, then
///    this stage's effects that need nothing held: everything they depend on is durable now.
///
/// So an outbound send and its records need one round, an inbound message two — overlapped with
/// the next stage's first: the syncer is never idle while work waits, and a send waits for at
/// most the round in flight and its own, whatever the inbound traffic. The loop keeps serving
/// (and ending turns) while a round is in flight.
///
/// What an effect needs is its ``Prerequisite``: every write of its turn (the default: it waits
/// for the next round if its turn held anything), only the records (a relay ack, the answer to a
/// send whose ciphertext already left), or one registry record as written so far (the next
/// round only if that record is held in the stage: the ciphertext an outbound ratchet step
/// produced). Writes of one record commit in the order made: a held write commits in the round
/// after its own, before that round's free writes, and a later write of it in its own stage is
/// held with it.
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

    /// What of its turn an effect must see durable before it runs.
    enum Prerequisite: Hashable {
        /// Every write of its turn: records and registry writes, held ones included.
        case turn
        /// Its turn's message records (and the stage's free registry writes, synced with them).
        case records
        /// Its turn's records and the registry record `key` (``RegistryWrite/key``) as written so
        /// far — held if that record is held in the stage.
        case registryRecord(String)
    }

    /// An effect of a turn and what it waits for.
    struct Effect {
        let prerequisite: Prerequisite
        let run: () -> Void

        init(after prerequisite: Prerequisite = .turn, _ run: @escaping () -> Void) {
            self.prerequisite = prerequisite
            self.run = run
        }
    }

    /// The turns that ended since the last round started.
    private struct Stage {
        var recordLogs: [Log] = []
        var freeWrites = GroupCommit<RegistryWrite>()
        var heldWrites = GroupCommit<RegistryWrite>()
        /// The keys of `heldWrites`.
        var heldKeys: Set<String> = []
        /// Effects that need nothing held (released by the stage's own round) and the others (by
        /// the next round, which commits the held writes).
        var earlyEffects: [() -> Void] = []
        var lateEffects: [() -> Void] = []

        var isEmpty: Bool {
            recordLogs.isEmpty && freeWrites.isEmpty && heldWrites.isEmpty && earlyEffects.isEmpty && lateEffects.isEmpty
        }
    }

    private enum Phase: Equatable {
        case idle, committing, syncing, releasing
    }

    private var waiting = Stage()
    /// The held writes and late effects of the last round's stage, for the next round.
    private var carriedWrites = GroupCommit<RegistryWrite>()
    private var carriedEffects: [() -> Void] = []
    /// The round in flight: the logs to sync and the effects to release after.
    private var roundLogs: [Log] = []
    private var roundEffects: [() -> Void] = []
    private var phase = Phase.idle

    /// Whether no step is in flight and nothing waits.
    var isIdle: Bool { !isBusy && waiting.isEmpty && carriedWrites.isEmpty && carriedEffects.isEmpty }

    /// Whether a step is in flight (its completion not yet reported).
    var isBusy: Bool { phase == .committing || phase == .syncing }

    /// Adds a turn that ended: the logs of the record files it committed, its registry writes, its
    /// effects in order. Merged into the stage the next round takes.
    mutating func endTurn(recordLogs: [Log], registryWrites: consuming GroupCommit<RegistryWrite>, effects: consuming [Effect]) {
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
        for effect in effects {
            let late = switch effect.prerequisite {
            case .turn: holds
            case .records: false
            case let .registryRecord(key): heldKeys.contains(key)
            }
            if late {
                waiting.lateEffects.append(effect.run)
            } else {
                waiting.earlyEffects.append(effect.run)
            }
        }
    }

    /// Starts the next round if none is in flight: its first step, or `nil` while busy or idle.
    mutating func nextStep() -> Step? {
        guard !isBusy else { return nil }
        phase = .idle
        guard !isIdle else { return nil }
        var stage = Stage()
        swap(&stage, &waiting)
        var writes = Self.take(&carriedWrites, leaving: GroupCommit())
        writes.append(contentsOf: stage.freeWrites)
        roundEffects = Self.take(&carriedEffects, leaving: [])
        roundEffects += stage.earlyEffects
        roundLogs = stage.recordLogs
        carriedWrites = stage.heldWrites
        carriedEffects = stage.lateEffects
        guard writes.isEmpty else {
            phase = .committing
            return .commitRegistry(writes)
        }
        return syncOrRelease()
    }

    /// The `commitRegistry` step succeeded; `log` is the registry's log to sync (`nil` when the
    /// registry commits durably itself).
    mutating func registryCommitted(log: Log?) -> Step? {
        precondition(phase == .committing, "no registry commit in flight")
        if let log { roundLogs.append(log) }
        return syncOrRelease()
    }

    /// The `sync` step in flight succeeded.
    mutating func synced() -> Step? {
        precondition(phase == .syncing, "no sync in flight")
        return release()
    }

    /// The effects of the `release` step ran: the next round starts, if there is work.
    mutating func released() -> Step? {
        nextStep()
    }

    /// A step failed: every stage is dropped — its effects never run, its held registry writes
    /// are never committed — and the pipeline is idle.
    mutating func reset() {
        waiting = Stage()
        carriedWrites = GroupCommit()
        carriedEffects = []
        roundLogs = []
        roundEffects = []
        phase = .idle
    }

    private mutating func syncOrRelease() -> Step? {
        guard roundLogs.isEmpty else {
            phase = .syncing
            return .sync(Self.take(&roundLogs, leaving: []))
        }
        return release()
    }

    /// Step 3, or the next round when there is nothing to release.
    private mutating func release() -> Step? {
        phase = .releasing
        guard roundEffects.isEmpty else { return .release(Self.take(&roundEffects, leaving: [])) }
        return nextStep()
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

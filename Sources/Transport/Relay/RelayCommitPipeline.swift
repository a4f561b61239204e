/// The relay's group commit, pipelined with the event loop, as a pure state machine.
///
/// The core's frames, closes and metadata events of every loop turn are appended to the *open*
/// batch, and its writes gather beside them (in the core's ``RelayCore/writes``). At the end of a
/// turn, if no batch is committing, the writes are handed to the storage thread (the open batch
/// becomes the batch *in flight*) and a new open batch starts; while one is in flight, later turns
/// keep accumulating in the open batch — so the storage thread's `COMMIT` and its fsync overlap
/// the next turns' work instead of blocking them. At most one batch is in flight.
///
/// The invariant, which ``committed(_:)`` and ``endOfTurn(writes:)`` keep: **a frame, close or
/// metadata event is released only once every write made before it — in its own turn or any
/// earlier one — has committed.** A batch's actions are released when its commit returns, in the
/// order they were made, and batches are released in order; an open batch without writes is
/// released at the end of a turn only when nothing is in flight. So no reply acknowledges, and no
/// delivery shows, anything a crash could still lose — even a reply that itself needs no write
/// (a repeated `send`, a pong) waits for the earlier writes it may report on.
///
/// One exception lives outside this type: a durable relay's deliveries to online recipients
/// (``RelayCore/early``) go out at the end of their turn without waiting, once every turn that
/// held something for the recipient's connection (its attachment, an earlier held delivery) is
/// released. The pipeline numbers the turns (``turns``) so the core can tell.
///
/// When a commit fails, ``failed(_:writes:)`` drops the batch in flight and the open batch (its
/// work may rest on the failed writes) and returns their actions so the host can tell the
/// connections.
struct RelayCommitPipeline {
    /// What the host must do at the end of a turn.
    enum Step {
        /// Commit `writes` as batch `number` (on the storage thread) and report back.
        case submit(number: UInt64, writes: [RelayWrite])
        /// Perform these actions now.
        case release([RelayAction])
    }

    /// Whether writes are committed at all (`false`: the queue-off mode, writes are dropped).
    let durable: Bool
    /// The frames, closes and events of the turns since the last submission, in order. The core
    /// appends to this array directly.
    var open: [RelayAction] = []
    /// The batch committing on the storage thread: its number, the last turn it holds, and its
    /// actions, held until then.
    private(set) var inFlight: (number: UInt64, lastTurn: UInt64, actions: [RelayAction])?
    /// The turn being gathered, and the last turn whose actions are all released.
    private(set) var turns = RelayTurns()
    /// The number the next submitted batch gets.
    private var nextNumber: UInt64 = 1
    /// A released array kept for its capacity.
    private var spare: [RelayAction] = []

    /// A pipeline for a durable (or, with `false`, queue-off) relay.
    init(durable: Bool) {
        self.durable = durable
    }

    /// Whether nothing is staged and nothing is in flight (given no writes are waiting).
    var isIdle: Bool { inFlight == nil && open.isEmpty }

    /// Ends a loop turn, given the writes made since the last submission (taken when submitted):
    /// submits them with the open batch if nothing is in flight, releases an open batch that has
    /// no writes if nothing is in flight, and otherwise keeps accumulating.
    mutating func endOfTurn(writes: inout [RelayWrite]) -> Step? {
        if !durable { writes.removeAll(keepingCapacity: true) }
        let ending = turns.current
        turns.current += 1
        guard inFlight == nil else { return nil }
        guard !open.isEmpty || !writes.isEmpty else {
            turns.released = ending
            return nil
        }
        let actions = takeOpen()
        guard !writes.isEmpty else {
            turns.released = ending
            return .release(actions)
        }
        var submitted: [RelayWrite] = []
        submitted.reserveCapacity(writes.count)
        swap(&submitted, &writes)
        let number = nextNumber
        nextNumber += 1
        inFlight = (number, ending, actions)
        return .submit(number: number, writes: submitted)
    }

    /// Batch `number` committed: its actions, to perform now in order. The open batch waits for
    /// the next ``endOfTurn(writes:)``.
    mutating func committed(_ number: UInt64) -> [RelayAction] {
        guard let batch = inFlight, batch.number == number else { return [] }
        inFlight = nil
        turns.released = batch.lastTurn
        return batch.actions
    }

    /// Batch `number` failed: it and the open batch, with the writes made since (`writes`), are
    /// dropped — nothing in them may be acknowledged; returns their actions, in order, for the
    /// host to find whom to tell.
    mutating func failed(_ number: UInt64, writes: inout [RelayWrite]) -> [RelayAction] {
        guard let batch = inFlight, batch.number == number else { return [] }
        inFlight = nil
        writes.removeAll()
        turns.released = turns.current - 1
        return batch.actions + takeOpen()
    }

    /// Gives a released array back so its storage is reused for a later batch.
    mutating func recycle(_ actions: consuming [RelayAction]) {
        guard actions.capacity > spare.capacity, actions.capacity <= 1 << 16 else { return }
        spare = consume actions
        spare.removeAll(keepingCapacity: true)
    }

    /// Takes the open batch's actions and starts an empty one.
    private mutating func takeOpen() -> [RelayAction] {
        var actions = spare
        spare = []
        swap(&actions, &open)
        return actions
    }
}

/// The relay loop's turns as the commit pipeline counts them (one per ``RelayCommitPipeline/endOfTurn(writes:)``).
struct RelayTurns: Equatable {
    /// The turn being gathered now: nothing of it is released yet.
    var current: UInt64 = 1
    /// Every action of this turn and of the earlier ones has been released (or dropped by a
    /// failed commit).
    var released: UInt64 = 0
}

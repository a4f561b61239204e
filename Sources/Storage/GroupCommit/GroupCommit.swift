/// Group commit for an event loop: the writes of one loop turn go into one transaction, and only
/// after its `COMMIT` returns (`synchronous=FULL`: the WAL is fsynced) are they acknowledged —
/// one fsync acknowledges many.
///
/// During a turn, each request ``enqueue(_:sql:bindings:)``s its write with a token (whatever
/// the caller needs to acknowledge it: a connection id, a frame number). At the end of the turn
/// the loop calls ``commit(on:)`` once and acknowledges exactly the tokens it returns in
/// ``Outcome/committed(_:)``. If any write fails, the whole batch is rolled back and every
/// token comes back in ``Outcome/rolledBack(_:error:)``: nothing is acknowledged, and the caller
/// may retry or report the failure.
///
/// ```swift
/// var batch = GroupCommit<FrameID>()
/// batch.enqueue(frame.id, sql: "INSERT INTO queue(recipient, envelope) VALUES (?, ?)",
///               bindings: [.text(frame.recipient), .blob(frame.envelope)])
/// // … end of the loop turn:
/// switch batch.commit(on: db) {
/// case .committed(let frames): frames.forEach(acknowledge)
/// case .rolledBack(let frames, let error): frames.forEach { reject($0, error) }
/// }
/// ```
///
/// The queue is plain bookkeeping (this file); the I/O is all in ``commit(on:)``. Not
/// `Sendable`: it lives on its event loop, like the ``Database`` it commits to.
public struct GroupCommit<Token> {
    /// A write run inside the batch's transaction. Throw (for example
    /// ``StorageError/aborted(_:)``) to roll back the whole batch.
    public typealias Write = (Database) throws(StorageError) -> Void

    /// What ``commit(on:)`` did with a batch.
    public enum Outcome {
        /// The batch's transaction committed durably; acknowledge these tokens, in enqueue order.
        /// Empty when there was nothing to commit (no transaction was opened).
        case committed([Token])
        /// The batch was rolled back because of `error`; none of these tokens may be acknowledged.
        case rolledBack([Token], error: StorageError)

        /// The batch's tokens, in enqueue order, whatever the outcome.
        public var tokens: [Token] {
            switch self {
            case let .committed(tokens), let .rolledBack(tokens, _): tokens
            }
        }
    }

    /// Running totals, for metrics: how many writes each fsync carried.
    public struct Statistics: Sendable, Hashable {
        /// Transactions committed.
        public var committedTransactions = 0
        /// Writes acknowledged by those transactions.
        public var committedWrites = 0
        /// Transactions rolled back.
        public var failedTransactions = 0
        /// Writes in the rolled-back transactions.
        public var failedWrites = 0
    }

    private var pending: [(token: Token, operation: WriteOperation)] = []
    /// Totals over every ``commit(on:)`` so far.
    public private(set) var statistics = Statistics()

    /// An empty batch.
    public init() {}

    /// How many writes are waiting for the next ``commit(on:)``.
    public var pendingCount: Int { pending.count }

    /// Whether no write is waiting.
    public var isEmpty: Bool { pending.isEmpty }

    /// The waiting tokens, in enqueue order.
    public var pendingTokens: [Token] { pending.map { $0.token } }

    /// Queues one statement with its bindings, to run through the statement cache.
    public mutating func enqueue(_ token: Token, sql: String, bindings: [DatabaseValue] = []) {
        pending.append((token, .statement(sql: sql, bindings: bindings)))
    }

    /// Queues `write`, which may run several statements; it must not begin or end transactions.
    public mutating func enqueue(_ token: Token, _ write: @escaping Write) {
        pending.append((token, .closure(write)))
    }

    /// Moves the waiting writes of `other` to the end of this batch, keeping their order — how
    /// an owner that commits later (a pipelined commit) gathers the writes of several turns into
    /// one transaction. `other`'s statistics are not carried over.
    public mutating func append(contentsOf other: consuming GroupCommit) {
        if pending.isEmpty {
            pending = other.takeBatch()
        } else {
            pending += other.takeBatch()
        }
    }

    /// Splits the waiting writes in two, each keeping enqueue order: those `isSelected` picks and
    /// the rest. `isSelected` is called once per write, in enqueue order, so it may depend on
    /// what it picked before. Statistics stay with neither.
    public consuming func split(_ isSelected: (Token) -> Bool) -> (selected: GroupCommit, rest: GroupCommit) {
        var selected = GroupCommit(), rest = GroupCommit()
        for entry in takeBatch() {
            if isSelected(entry.token) {
                selected.pending.append(entry)
            } else {
                rest.pending.append(entry)
            }
        }
        return (selected, rest)
    }

    /// Removes and returns the waiting writes, in enqueue order.
    mutating func takeBatch() -> [(token: Token, operation: WriteOperation)] {
        let batch = pending
        pending.removeAll(keepingCapacity: true)
        return batch
    }

    /// Adds a finished batch of `writes` writes to ``statistics``.
    mutating func record(committed: Bool, writes: Int) {
        if committed {
            statistics.committedTransactions += 1
            statistics.committedWrites += writes
        } else {
            statistics.failedTransactions += 1
            statistics.failedWrites += writes
        }
    }
}

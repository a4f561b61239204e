/// The records a ``MessageStore`` inserted with their webhook pending, kept in memory from their
/// commit until the webhook pump takes them (``MessageStore/takeDueWebhooks(now:limit:skipping:readingStore:)``),
/// so that the pump need not read back and decrypt what the endpoint has just written: under load
/// that read was ~6–10 % of the endpoint's loop thread.
///
/// Only a shortcut. Every record held here is also committed in its day file, so dropping them
/// all (``dropAll()``) loses nothing: the store's due-record query finds them. The queue is
/// *behind* — collects nothing, and the pump reads the store — from start-up (an earlier run may
/// have left webhooks pending) and after it overflowed, until a read of the store finds no more
/// due records than it returned.
///
/// A record enters in two steps: ``stage(_:)`` when its `INSERT` changed a row inside the day's
/// transaction (an id already stored changes none, and must not be delivered again), then
/// ``publish()`` once the transactions committed, or ``unstage(to:)`` if its day's rolled back.
struct FreshWebhooks {
    /// The most records held; past it the queue is dropped and falls behind.
    static let capacity = 2_048

    /// Committed records not yet taken, oldest first from `head`; those no longer in `held`
    /// were forgotten and are passed over.
    private var records: [MessageRecord] = []
    private var head = 0
    /// The ids of the records still to be handed out (committed ones only).
    private(set) var held: Set<String> = []
    /// Inserted by the transactions being committed.
    private var staged: [MessageRecord] = []
    /// Ids whose delivery state changed since the last commit: an insert in the same batch is
    /// not held.
    private var changedInBatch: Set<String> = []
    /// Whether the store may hold due records this queue does not (see the type's notes).
    private(set) var isBehind = true

    /// Records waiting to be taken.
    var count: Int { held.count }

    /// How many records are staged, the mark ``unstage(to:)`` returns to.
    var stagedCount: Int { staged.count }

    /// Notes a record whose insert changed a row in the transaction being committed.
    mutating func stage(_ record: MessageRecord) {
        guard !isBehind, changedInBatch.isEmpty || !changedInBatch.contains(record.id) else { return }
        staged.append(record)
    }

    /// Forgets what was staged after `mark` (its day's transaction rolled back).
    mutating func unstage(to mark: Int) {
        staged.removeSubrange(min(mark, staged.count)...)
    }

    /// The staged records' transactions committed: they join the queue, or, past ``capacity``,
    /// everything is dropped and the queue falls behind.
    mutating func publish() {
        changedInBatch.removeAll()
        guard !staged.isEmpty else { return }
        startOverIfNoneHeld()
        guard records.count - head + staged.count <= Self.capacity else {
            dropAll()
            return
        }
        for record in staged { held.insert(record.id) }
        records += staged
        staged.removeAll(keepingCapacity: true)
    }

    /// Stops holding `id` (its delivery state changed: the store has the truth now): committed,
    /// or inserted by the batch not yet committed.
    mutating func forget(_ id: String) {
        held.remove(id)
        changedInBatch.insert(id)
    }

    /// Forgets every record, staged ones too, and falls behind: the store is read from now on.
    mutating func dropAll() {
        records.removeAll()
        staged.removeAll()
        held.removeAll()
        changedInBatch.removeAll()
        head = 0
        isBehind = true
    }

    /// A read of the store found every due record (in flight, taken or returned): records
    /// committed from now on are collected again.
    mutating func caughtUp() {
        isBehind = false
    }

    /// Up to `limit` records from the head, oldest first, those in `skipping` left out. A record
    /// not yet due at `now` is dropped from the queue (the store's read returns it when due).
    mutating func take(limit: Int, now: Int64, skipping: Set<String>) -> [MessageRecord] {
        var taken: [MessageRecord] = []
        while taken.count < limit, head < records.count {
            let record = records[head]
            head += 1
            guard held.remove(record.id) != nil, record.delivery.nextAttemptAt <= now, !skipping.contains(record.id) else { continue }
            taken.append(record)
        }
        startOverIfNoneHeld()
        if head >= 1_024, head * 2 >= records.count {
            records.removeSubrange(..<head)
            head = 0
        }
        return taken
    }

    /// Empties `records` once no record in it is still held (what is left was forgotten).
    private mutating func startOverIfNoneHeld() {
        guard held.isEmpty else { return }
        records.removeAll(keepingCapacity: true)
        head = 0
    }
}

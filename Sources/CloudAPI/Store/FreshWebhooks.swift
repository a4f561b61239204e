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

    /// Committed records not yet taken, oldest first from `head`.
    private var records: [MessageRecord] = []
    private var head = 0
    /// Inserted by the transactions being committed.
    private var staged: [MessageRecord] = []
    /// Whether the store may hold due records this queue does not (see the type's notes).
    private(set) var isBehind = true

    /// Records waiting to be taken.
    var count: Int { records.count - head }

    /// How many records are staged, the mark ``unstage(to:)`` returns to.
    var stagedCount: Int { staged.count }

    /// Notes a record whose insert changed a row in the transaction being committed.
    mutating func stage(_ record: MessageRecord) {
        guard !isBehind else { return }
        staged.append(record)
    }

    /// Forgets what was staged after `mark` (its day's transaction rolled back).
    mutating func unstage(to mark: Int) {
        staged.removeSubrange(min(mark, staged.count)...)
    }

    /// The staged records' transactions committed: they join the queue, or, past ``capacity``,
    /// everything is dropped and the queue falls behind.
    mutating func publish() {
        guard !staged.isEmpty else { return }
        guard count + staged.count <= Self.capacity else {
            dropAll()
            return
        }
        if head > 0, head == records.count {
            records.removeAll(keepingCapacity: true)
            head = 0
        }
        records += staged
        staged.removeAll(keepingCapacity: true)
    }

    /// Forgets every record, staged ones too, and falls behind: the store is read from now on.
    mutating func dropAll() {
        records.removeAll()
        staged.removeAll()
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
            guard record.delivery.nextAttemptAt <= now, !skipping.contains(record.id) else { continue }
            taken.append(record)
        }
        if head == records.count {
            records.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 1_024, head * 2 >= records.count {
            records.removeSubrange(..<head)
            head = 0
        }
        return taken
    }
}

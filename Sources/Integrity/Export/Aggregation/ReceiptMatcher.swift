/// Matches delivered and read receipts to the business messages they acknowledge, so receipts
/// inherit the message's category and size and delivery latency can be measured.
///
/// The tap's receipts name only the (business, user) pair, so matching is FIFO per pair: a
/// `delivered` takes the oldest undelivered message of the pair, a `read` the oldest delivered
/// but unread one (or, when the delivered receipt was lost, the oldest undelivered one).
/// Approximations, documented in docs/export.md:
/// - each pair remembers at most ``depth`` messages per queue (the oldest is forgotten);
/// - at most `capacity` pairs are tracked; receipts of untracked pairs are unmatched;
/// - pairs idle for longer than ``horizonMilliseconds`` are forgotten by ``expire(before:)``.
/// An unmatched receipt still counts in the `all` and `country` cells, without latency.
struct ReceiptMatcher: Sendable {
    /// Messages remembered per pair and queue.
    static let depth = 4
    /// Pairs idle this long are dropped at the next expiry (two days).
    static let horizonMilliseconds: Int64 = 2 * 86_400_000

    private struct PairKey: Hashable, Sendable {
        var business: UInt64
        var user: Pseudonym
    }

    private struct Queues: Sendable {
        var undelivered: [MessageAttributes] = []
        var unread: [MessageAttributes] = []
        var lastActivity: Int64
    }

    /// The most pairs tracked at once.
    let capacity: Int
    private var pairs: [PairKey: Queues] = [:]
    /// Receipts that found no message.
    private(set) var unmatchedReceipts = 0

    init(capacity: Int) { self.capacity = capacity }

    /// Pairs currently tracked.
    var trackedPairs: Int { pairs.count }

    /// Remembers a business message.
    mutating func sent(_ message: MessageAttributes, business: UInt64, user: Pseudonym) {
        let key = PairKey(business: business, user: user)
        // Taken out of the dictionary so the queue mutations do not copy it.
        var queues: Queues
        if let existing = pairs.removeValue(forKey: key) {
            queues = existing
        } else {
            guard pairs.count < capacity else { return }
            queues = Queues(lastActivity: message.time)
        }
        queues.lastActivity = message.time
        queues.undelivered.append(message)
        if queues.undelivered.count > Self.depth { queues.undelivered.removeFirst() }
        pairs[key] = queues
    }

    /// The message a delivered receipt acknowledges, if known.
    mutating func delivered(business: UInt64, user: Pseudonym, at time: Int64) -> MessageAttributes? {
        let key = PairKey(business: business, user: user)
        guard var queues = pairs.removeValue(forKey: key) else {
            unmatchedReceipts += 1
            return nil
        }
        defer { pairs[key] = queues }
        guard !queues.undelivered.isEmpty else {
            unmatchedReceipts += 1
            return nil
        }
        let message = queues.undelivered.removeFirst()
        queues.unread.append(message)
        if queues.unread.count > Self.depth { queues.unread.removeFirst() }
        queues.lastActivity = time
        return message
    }

    /// The message a read receipt acknowledges, if known.
    mutating func read(business: UInt64, user: Pseudonym, at time: Int64) -> MessageAttributes? {
        let key = PairKey(business: business, user: user)
        guard var queues = pairs.removeValue(forKey: key) else {
            unmatchedReceipts += 1
            return nil
        }
        let message: MessageAttributes?
        if !queues.unread.isEmpty {
            message = queues.unread.removeFirst()
        } else if !queues.undelivered.isEmpty {
            message = queues.undelivered.removeFirst()
        } else {
            message = nil
            unmatchedReceipts += 1
        }
        queues.lastActivity = time
        if !queues.undelivered.isEmpty || !queues.unread.isEmpty { pairs[key] = queues }
        return message
    }

    /// Forgets pairs idle since before `time − horizon`.
    mutating func expire(before time: Int64) {
        let cutoff = time - Self.horizonMilliseconds
        pairs = pairs.filter { $0.value.lastActivity >= cutoff }
    }
}

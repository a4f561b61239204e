/// One recipient's queue: envelope ids in acceptance order, a delivery cursor and the in-flight
/// window of the connection it is attached to. Ids whose envelope was acknowledged are left in
/// place and skipped (lazy deletion); the array is compacted when the stale prefix grows.
struct Mailbox {
    /// Envelope ids in acceptance order; indices below `head` are gone.
    private(set) var ids: [EnvelopeID] = []
    /// First index that may still be queued.
    private(set) var head = 0
    /// Next index to deliver on the attached connection.
    var cursor = 0
    /// Live (unacknowledged) envelopes.
    var count = 0
    /// The authenticated connection of the recipient, if online.
    var connection: ConnectionID?
    /// Envelopes and bytes delivered on `connection` and not yet acknowledged.
    var inFlight = 0, inFlightBytes = 0
    /// Receipts waiting for the recipient to come online (newest kept).
    var heldReceipts: [Receipt] = []

    /// Appends a newly accepted envelope.
    mutating func append(_ id: EnvelopeID) {
        ids.append(id)
        count += 1
    }

    /// Attaches the recipient's connection: everything unacknowledged is delivered again.
    mutating func attach(_ connection: ConnectionID) {
        self.connection = connection
        cursor = head
        inFlight = 0
        inFlightBytes = 0
    }

    /// Detaches the connection; in-flight envelopes stay queued.
    mutating func detach() {
        connection = nil
        cursor = head
        inFlight = 0
        inFlightBytes = 0
    }

    /// Moves `head` past ids for which `isLive` is false, compacting when worthwhile.
    mutating func advanceHead(isLive: (EnvelopeID) -> Bool) {
        while head < ids.count, !isLive(ids[head]) { head += 1 }
        if cursor < head { cursor = head }
        if head == ids.count {
            ids.removeAll(keepingCapacity: ids.count <= 4096)
            head = 0
            cursor = 0
        } else if head >= 1024, head * 2 >= ids.count {
            ids.removeSubrange(0..<head)
            cursor -= head
            head = 0
        }
    }
}

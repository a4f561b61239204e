/// One recipient's queue: its envelopes in acceptance order (so in sequence-number order), a
/// delivery cursor, and the in-flight window of the connection it is attached to.
///
/// The mailbox owns its envelopes — there is no relay-wide map from envelope id to envelope. An
/// acknowledgement names an envelope id whose low half is its sequence number (or, for envelopes
/// stored by schema 1, a sequence number the core looks up), found by binary search. Acknowledged
/// and expired entries are left in place as holes (their ciphertext released at once) and skipped;
/// the array is compacted when the dead prefix, or the holes, outweigh the live entries.
struct Mailbox {
    /// Entries in acceptance order; indices below `head` are gone.
    private(set) var entries: [QueuedEnvelope] = []
    /// First index that may still be live.
    private(set) var head = 0
    /// Next index to deliver on the attached connection.
    private(set) var cursor = 0
    /// Live (unacknowledged, unexpired) envelopes.
    private(set) var count = 0
    /// The authenticated connection of the recipient, if online.
    private(set) var connection: ConnectionID?
    /// Envelopes and bytes delivered on `connection` and not yet acknowledged.
    private(set) var inFlight = 0, inFlightBytes = 0
    /// The latest host turn in which something for `connection` waited for the group commit —
    /// its attachment (the authentication reply, the redelivery) or a held delivery. Deliveries
    /// may go without waiting only once that turn is released, so they never overtake it.
    var heldThrough: UInt64 = 0
    /// Receipts waiting for the recipient to come online (newest kept).
    var heldReceipts: [Receipt] = []

    /// Appends a newly accepted envelope (its sequence number above every earlier one's).
    mutating func append(_ envelope: QueuedEnvelope) {
        entries.append(envelope)
        count += 1
    }

    /// Attaches the recipient's connection in the host's turn `turn`: everything unacknowledged
    /// is delivered again.
    mutating func attach(_ connection: ConnectionID, turn: UInt64) {
        self.connection = connection
        heldThrough = turn
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

    /// Appends a `deliver` for each queued envelope the window has room for, oldest first;
    /// returns how many.
    mutating func pump(window: Int, windowBytes: Int, into actions: inout [RelayAction]) -> Int {
        guard let connection else { return 0 }
        var delivered = 0
        while cursor < entries.count, inFlight < window, inFlightBytes < windowBytes {
            let index = cursor
            cursor += 1
            guard entries[index].isLive else { continue }
            entries[index].sentOn = connection
            inFlight += 1
            inFlightBytes += entries[index].ciphertext.count
            delivered += 1
            let entry = entries[index]
            actions.append(.send(connection, .deliver(DeliveredEnvelope(
                id: entry.id, sender: entry.sender, serverTimeMilliseconds: UInt64(entry.time),
                kind: entry.kind, ciphertext: entry.ciphertext
            )), requestID: .zero))
        }
        return delivered
    }

    /// Removes the live envelope with sequence number `sequence` and id `id`; false if there is
    /// none (unknown, already acknowledged, or another envelope's id).
    mutating func remove(sequence: UInt64, id: EnvelopeID) -> Bool {
        guard let index = index(of: sequence), entries[index].isLive, entries[index].id == id else { return false }
        kill(at: index)
        return true
    }

    /// Expires live envelopes accepted at or before `cutoff`; returns how many.
    mutating func expire(acceptedAtOrBefore cutoff: Int64) -> Int {
        var expired = 0
        var index = head
        while index < entries.count, entries[index].time <= cutoff {
            if entries[index].isLive {
                kill(at: index)
                expired += 1
            }
            index += 1
        }
        if expired > 0 { compact() }
        return expired
    }

    /// Moves `head` past dead entries and compacts when worthwhile; call after removals.
    mutating func compact() {
        while head < entries.count, !entries[head].isLive { head += 1 }
        if cursor < head { cursor = head }
        if head == entries.count {
            entries.removeAll(keepingCapacity: entries.capacity <= 4096)
            head = 0
            cursor = 0
        } else if head >= 1024, head * 2 >= entries.count {
            entries.removeSubrange(0..<head)
            cursor -= head
            head = 0
        } else if entries.count - head > 4 * count + 4096 {
            // Holes behind a long-unacknowledged head: keep the live entries only.
            var kept: [QueuedEnvelope] = []
            kept.reserveCapacity(count * 2)
            var newCursor = -1
            for index in head..<entries.count {
                if index == cursor { newCursor = kept.count }
                if entries[index].isLive { kept.append(entries[index]) }
            }
            cursor = newCursor < 0 ? kept.count : newCursor
            entries = kept
            head = 0
        }
    }

    /// Index of the entry with `sequence` at or after `head`: binary search (entries are in
    /// sequence order), trying the head first since acknowledgements arrive mostly in order.
    private func index(of sequence: UInt64) -> Int? {
        var low = head
        var high = entries.count
        guard low < high else { return nil }
        if entries[low].sequence == sequence { return low }
        while low < high {
            let middle = low + (high - low) / 2
            let found = entries[middle].sequence
            if found == sequence { return middle }
            if found < sequence { low = middle + 1 } else { high = middle }
        }
        return nil
    }

    /// Marks the entry dead and releases its ciphertext; a delivery on the attached connection
    /// leaves the in-flight window.
    private mutating func kill(at index: Int) {
        if let sentOn = entries[index].sentOn, sentOn == connection {
            inFlight -= 1
            inFlightBytes -= entries[index].ciphertext.count
        }
        entries[index].isLive = false
        entries[index].ciphertext = []
        count -= 1
    }
}

/// A queued envelope as its recipient's mailbox keeps it.
struct QueuedEnvelope {
    /// The store's sequence number: acceptance order.
    var sequence: UInt64
    /// The relay-assigned id.
    var id: EnvelopeID
    /// The authenticated sender.
    var sender: PhoneNumber
    /// When the relay accepted it (ms since the epoch).
    var time: Int64
    /// The visible kind label.
    var kind: EnvelopeKind
    /// The opaque bytes; emptied once the envelope is gone.
    var ciphertext: [UInt8]
    /// Whether it still waits for an acknowledgement.
    var isLive = true
    /// The connection it was last delivered on.
    var sentOn: ConnectionID?
}

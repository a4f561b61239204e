extension RelayCore {
    /// `send`: idempotency, recipient, admission, queue limit; then accept, queue and deliver.
    mutating func accept(
        _ outgoing: OutgoingEnvelope, from sender: Int, on connection: ConnectionID, requestID: RequestID,
        into actions: inout [RelayAction]
    ) {
        if let earlier = users[sender].sent.entry(for: outgoing.clientMessageID),
           earlier.time > clock - limits.idempotencyWindowMilliseconds {
            statistics.duplicates += 1
            actions.append(.send(connection, .accepted(
                clientMessageID: outgoing.clientMessageID, envelopeID: earlier.id, serverTimeMilliseconds: UInt64(earlier.time)
            ), requestID: requestID))
            return
        }
        guard let recipient = registeredUser(outgoing.recipient) else {
            actions.append(.send(connection, .makeError(.unknownRecipient, message: "recipient is not registered"), requestID: requestID))
            return
        }
        let senderPhone = users[sender].phone
        if case let .business(category) = outgoing.kind {
            let decision = policy.admit(sender: senderPhone, recipient: outgoing.recipient, category: category, time: clock)
            if case let .deny(code, text) = decision {
                statistics.denied += 1
                actions.append(.send(connection, .makeError(code, message: text), requestID: requestID))
                return
            }
        }
        if users[recipient].mailbox.count >= limits.maximumQueuedPerRecipient {
            actions.append(.send(connection, .makeError(.rateLimited, message: "recipient's queue is full"), requestID: requestID))
            return
        }
        let blocked = !users[recipient].blocked.isEmpty && users[recipient].blocked.contains(senderPhone)
        let sequence = nextSequence
        nextSequence += 1
        let id = EnvelopeID(high: random.next(), low: sequence)
        let time = clock
        users[sender].sent.remember(
            SendWindow.Entry(clientMessageID: outgoing.clientMessageID, id: id, time: time),
            limit: limits.maximumRememberedSendsPerSender
        )
        statistics.accepted += 1
        if emitsWrites {
            writes.append(.enqueue(StoredEnvelope(
                id: id, sender: senderPhone, clientMessageID: outgoing.clientMessageID, recipient: outgoing.recipient,
                time: time, kind: outgoing.kind, ciphertext: blocked ? nil : outgoing.ciphertext, sequence: sequence
            )))
        }
        if emitsEvents {
            actions.append(.record(MetadataEvent(time: time, kind: .envelope(
                sender: senderPhone, recipient: outgoing.recipient, kind: outgoing.kind,
                size: SizeBucket(byteCount: outgoing.ciphertext.count), id: id
            ))))
        }
        actions.append(.send(connection, .accepted(
            clientMessageID: outgoing.clientMessageID, envelopeID: id, serverTimeMilliseconds: UInt64(time)
        ), requestID: requestID))
        if blocked {
            statistics.droppedByBlock += 1
            return
        }
        users[recipient].mailbox.append(QueuedEnvelope(
            sequence: sequence, id: id, sender: senderPhone, time: time, kind: outgoing.kind, ciphertext: outgoing.ciphertext
        ))
        queuedTotal += 1
        pump(recipient, into: &actions)
    }

    /// `ack`: the recipient's own queued envelopes are deleted; anything else is ignored.
    mutating func acknowledge(_ ids: [EnvelopeID], by user: Int, into actions: inout [RelayAction]) {
        var removed: [EnvelopeID] = []
        var count = 0
        for id in ids {
            let sequence = legacyIDs.isEmpty ? id.low : legacyIDs[id] ?? id.low
            guard users[user].mailbox.remove(sequence: sequence, id: id) else { continue }
            count += 1
            if emitsWrites { removed.append(id) }
            if !legacyIDs.isEmpty { legacyIDs[id] = nil }
        }
        guard count > 0 else { return }
        users[user].mailbox.compact()
        queuedTotal -= count
        statistics.acknowledged += count
        keep(.acknowledge(removed))
        pump(user, into: &actions)
    }

    /// Delivers queued envelopes to the recipient's connection while the window has room: into
    /// ``early`` when deliveries may skip the group commit and nothing held for the connection
    /// is still waiting (its authentication reply, its redelivery, an earlier held delivery), else
    /// into `actions` with the turn's other frames — and then later deliveries wait for this
    /// turn too, so the connection gets its envelopes in order.
    mutating func pump(_ user: Int, into actions: inout [RelayAction]) {
        if deliversEarly, users[user].mailbox.heldThrough <= turns.released {
            statistics.deliveries += users[user].mailbox.pump(
                window: limits.deliveryWindow, windowBytes: limits.deliveryWindowBytes, into: &early
            )
        } else {
            let delivered = users[user].mailbox.pump(
                window: limits.deliveryWindow, windowBytes: limits.deliveryWindowBytes, into: &actions
            )
            if delivered > 0 { users[user].mailbox.heldThrough = turns.current }
            statistics.deliveries += delivered
        }
    }

    /// Drops envelopes past their TTL and idempotency keys past their window.
    mutating func expire(into actions: inout [RelayAction]) {
        let envelopeCutoff = clock - limits.envelopeTTLMilliseconds
        let keyCutoff = clock - limits.idempotencyWindowMilliseconds
        for user in users.indices {
            users[user].sent.expire(acceptedAtOrBefore: keyCutoff)
            let expired = users[user].mailbox.expire(acceptedAtOrBefore: envelopeCutoff)
            if expired > 0 {
                queuedTotal -= expired
                statistics.expired += expired
            }
        }
        if !legacyIDs.isEmpty {
            // Schema-1 ids of envelopes no mailbox holds any more are no longer needed.
            var live = Set<EnvelopeID>()
            for user in users.indices {
                for entry in users[user].mailbox.entries where entry.isLive && legacyIDs[entry.id] != nil { live.insert(entry.id) }
            }
            legacyIDs = legacyIDs.filter { live.contains($0.key) }
        }
        keep(.expire(envelopesBefore: envelopeCutoff + 1, tombstonesBefore: keyCutoff + 1))
    }
}

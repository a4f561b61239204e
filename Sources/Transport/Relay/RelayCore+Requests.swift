extension RelayCore {
    /// `register`: a fresh token replaces the number's device; its other connections are closed (303).
    mutating func register(_ identity: ClientIdentity, on connection: ConnectionID, into actions: inout [RelayAction]) {
        let token = RelayToken.random(using: &random)
        registrations[identity.phone] = RelaySnapshot.Registration(device: identity.device, token: token)
        statistics.registrations += 1
        actions.append(.write(.register(identity.phone, device: identity.device, token: token)))
        replaceConnection(of: identity.phone, with: connection, into: &actions)
        guard var machine = connections[connection] else { return }
        let action = machine.registrationCompleted(token: token)
        connections[connection] = machine
        perform(action, on: connection, into: &actions)
        attach(identity.phone, connection, into: &actions)
    }

    /// `hello`: the device and token must match the registration (constant-time token compare).
    mutating func hello(_ identity: ClientIdentity, token: RelayToken, on connection: ConnectionID, into actions: inout [RelayAction]) {
        guard var machine = connections[connection] else { return }
        // Compare the token even when the number is unknown, so timing does not reveal which.
        let registration = registrations[identity.phone]
        let tokenMatches = token == (registration?.token ?? RelayToken(words: (0, 0, 0, 0)))
        guard let registration, registration.device == identity.device, tokenMatches else {
            let action = machine.authenticationRejected()
            connections[connection] = machine
            perform(action, on: connection, into: &actions)
            return
        }
        replaceConnection(of: identity.phone, with: connection, into: &actions)
        let action = machine.helloAccepted()
        connections[connection] = machine
        perform(action, on: connection, into: &actions)
        attach(identity.phone, connection, into: &actions)
    }

    /// Closes the number's earlier connection, if any, with 303.
    private mutating func replaceConnection(of phone: PhoneNumber, with connection: ConnectionID, into actions: inout [RelayAction]) {
        if let earlier = mailboxes[phone]?.connection, earlier != connection {
            close(earlier, .replaced, "another connection authenticated as this number", into: &actions)
        }
    }

    /// Attaches the authenticated connection to its mailbox and starts (re)delivery.
    private mutating func attach(_ phone: PhoneNumber, _ connection: ConnectionID, into actions: inout [RelayAction]) {
        mailboxes[phone, default: Mailbox()].attach(connection)
        if let receipts = mailboxes[phone]?.heldReceipts, !receipts.isEmpty {
            mailboxes[phone]?.heldReceipts = []
            for receipt in receipts { actions.append(.send(connection, .receipt(receipt), requestID: .zero)) }
        }
        pump(phone, into: &actions)
    }

    /// An authenticated request.
    mutating func handle(
        _ request: ClientRequest, from phone: PhoneNumber, on connection: ConnectionID, requestID: RequestID,
        into actions: inout [RelayAction]
    ) {
        switch request {
        case let .publishPreKeys(bundles):
            let first = preKeys[phone]?.nextSequence ?? 1
            preKeys[phone] = PreKeyPool(entries: bundles.enumerated().map { (first + Int64($0.offset), $0.element) })
            actions.append(.write(.replacePreKeys(phone, bundles: bundles, firstSequence: first)))
            actions.append(.send(connection, .ok, requestID: requestID))
        case let .fetchPreKeys(owner):
            fetchPreKey(of: owner, for: connection, requestID: requestID, into: &actions)
        case let .send(envelope):
            accept(envelope, from: phone, on: connection, requestID: requestID, into: &actions)
        case let .ack(ids):
            acknowledge(ids, by: phone, into: &actions)
        case let .receipt(receipt):
            forward(receipt, from: phone, on: connection, requestID: requestID, into: &actions)
        case let .block(blocked, reason):
            blocks[phone, default: []].insert(blocked)
            statistics.blocks += 1
            actions.append(.write(.block(blocker: phone, blocked: blocked, reason: reason, time: clock)))
            actions.append(.record(MetadataEvent(time: clock, kind: .block(blocker: phone, blocked: blocked, reason: reason))))
            actions.append(.send(connection, .ok, requestID: requestID))
        case let .report(report):
            statistics.reports += 1
            actions.append(.write(.report(reporter: phone, report, time: clock)))
            actions.append(.record(MetadataEvent(
                time: clock, kind: .report(reporter: phone, business: report.business, reason: report.reason, envelope: report.envelopeID)
            )))
            actions.append(.send(connection, .ok, requestID: requestID))
        }
    }

    /// `fetch_prekeys`: the oldest bundle, removed unless it is the last.
    private mutating func fetchPreKey(of owner: PhoneNumber, for connection: ConnectionID, requestID: RequestID, into actions: inout [RelayAction]) {
        guard registrations[owner] != nil else {
            actions.append(.send(connection, .makeError(.unknownRecipient, message: "number is not registered"), requestID: requestID))
            return
        }
        guard var pool = preKeys[owner], let first = pool.entries.first else {
            actions.append(.send(connection, .makeError(.noPreKeys, message: "no prekey bundle"), requestID: requestID))
            return
        }
        if pool.entries.count > 1 {
            pool.entries.removeFirst()
            preKeys[owner] = pool
            actions.append(.write(.removePreKey(owner, sequence: first.sequence)))
        }
        actions.append(.send(connection, .preKeyBundle(owner: owner, bundle: first.bundle), requestID: requestID))
    }

    /// `send`: idempotency, recipient, admission, queue limit; then accept, queue and deliver.
    private mutating func accept(
        _ outgoing: OutgoingEnvelope, from sender: PhoneNumber, on connection: ConnectionID, requestID: RequestID,
        into actions: inout [RelayAction]
    ) {
        let key = IdempotencyKey(sender: sender.digits, clientMessageID: outgoing.clientMessageID)
        if let earlier = idempotency[key], earlier.time > clock - limits.idempotencyWindowMilliseconds {
            statistics.duplicates += 1
            actions.append(.send(connection, .accepted(
                clientMessageID: outgoing.clientMessageID, envelopeID: earlier.id, serverTimeMilliseconds: UInt64(earlier.time)
            ), requestID: requestID))
            return
        }
        guard registrations[outgoing.recipient] != nil else {
            actions.append(.send(connection, .makeError(.unknownRecipient, message: "recipient is not registered"), requestID: requestID))
            return
        }
        if case let .business(category) = outgoing.kind {
            let decision = policy.admit(sender: sender, recipient: outgoing.recipient, category: category, time: clock)
            if case let .deny(code, text) = decision {
                statistics.denied += 1
                actions.append(.send(connection, .makeError(code, message: text), requestID: requestID))
                return
            }
        }
        if let mailbox = mailboxes[outgoing.recipient], mailbox.count >= limits.maximumQueuedPerRecipient {
            actions.append(.send(connection, .makeError(.rateLimited, message: "recipient's queue is full"), requestID: requestID))
            return
        }
        let blocked = blocks[outgoing.recipient]?.contains(sender) ?? false
        let envelope = StoredEnvelope(
            id: EnvelopeID.random(using: &random), sender: sender, clientMessageID: outgoing.clientMessageID,
            recipient: outgoing.recipient, time: clock, kind: outgoing.kind, ciphertext: blocked ? nil : outgoing.ciphertext
        )
        statistics.accepted += 1
        remember(envelope)
        actions.append(.write(.enqueue(envelope)))
        actions.append(.record(MetadataEvent(time: clock, kind: .envelope(
            sender: sender, recipient: outgoing.recipient, kind: outgoing.kind,
            size: SizeBucket(byteCount: outgoing.ciphertext.count), id: envelope.id
        ))))
        actions.append(.send(connection, .accepted(
            clientMessageID: outgoing.clientMessageID, envelopeID: envelope.id, serverTimeMilliseconds: UInt64(clock)
        ), requestID: requestID))
        if blocked {
            statistics.droppedByBlock += 1
            return
        }
        queued[envelope.id] = QueuedEnvelope(envelope: envelope, size: outgoing.ciphertext.count)
        mailboxes[outgoing.recipient, default: Mailbox()].append(envelope.id)
        pump(outgoing.recipient, into: &actions)
    }

    /// Records an accepted envelope's idempotency key.
    mutating func remember(_ envelope: StoredEnvelope) {
        let key = IdempotencyKey(sender: envelope.sender.digits, clientMessageID: envelope.clientMessageID)
        idempotency[key] = (envelope.id, envelope.time)
        idempotencyOrder.append((envelope.time, key))
    }

    /// `ack`: the recipient's own queued envelopes are deleted; anything else is ignored.
    private mutating func acknowledge(_ ids: [EnvelopeID], by phone: PhoneNumber, into actions: inout [RelayAction]) {
        guard var mailbox = mailboxes[phone] else { return }
        var removed: [EnvelopeID] = []
        for id in ids {
            guard let entry = queued[id], entry.envelope.recipient == phone else { continue }
            queued[id] = nil
            removed.append(id)
            mailbox.count -= 1
            if entry.sentOn != nil, entry.sentOn == mailbox.connection {
                mailbox.inFlight -= 1
                mailbox.inFlightBytes -= entry.size
            }
        }
        guard !removed.isEmpty else { return }
        statistics.acknowledged += removed.count
        mailbox.advanceHead { queued[$0] != nil }
        mailboxes[phone] = mailbox
        actions.append(.write(.acknowledge(removed)))
        pump(phone, into: &actions)
    }

    /// `receipt`: forwarded to the counterpart with the author in its place (held while offline).
    private mutating func forward(
        _ receipt: Receipt, from author: PhoneNumber, on connection: ConnectionID, requestID: RequestID,
        into actions: inout [RelayAction]
    ) {
        guard registrations[receipt.counterpart] != nil else {
            actions.append(.send(connection, .makeError(.unknownRecipient, message: "counterpart is not registered"), requestID: requestID))
            return
        }
        actions.append(.record(MetadataEvent(
            time: clock, kind: .receipt(receipt.kind, from: author, to: receipt.counterpart, count: receipt.envelopeIDs.count)
        )))
        let forwarded = Receipt(kind: receipt.kind, counterpart: author, envelopeIDs: receipt.envelopeIDs)
        if let target = mailboxes[receipt.counterpart]?.connection {
            actions.append(.send(target, .receipt(forwarded), requestID: .zero))
        } else {
            var mailbox = mailboxes[receipt.counterpart, default: Mailbox()]
            mailbox.heldReceipts.append(forwarded)
            if mailbox.heldReceipts.count > limits.maximumHeldReceipts {
                mailbox.heldReceipts.removeFirst(mailbox.heldReceipts.count - limits.maximumHeldReceipts)
            }
            mailboxes[receipt.counterpart] = mailbox
        }
    }

    /// Delivers queued envelopes to the recipient's connection while the window has room.
    mutating func pump(_ phone: PhoneNumber, into actions: inout [RelayAction]) {
        guard var mailbox = mailboxes[phone], let connection = mailbox.connection else { return }
        while mailbox.cursor < mailbox.ids.count, mailbox.inFlight < limits.deliveryWindow,
              mailbox.inFlightBytes < limits.deliveryWindowBytes {
            let id = mailbox.ids[mailbox.cursor]
            mailbox.cursor += 1
            guard var entry = queued[id], let ciphertext = entry.envelope.ciphertext else { continue }
            entry.sentOn = connection
            queued[id] = entry
            mailbox.inFlight += 1
            mailbox.inFlightBytes += entry.size
            statistics.deliveries += 1
            actions.append(.send(connection, .deliver(DeliveredEnvelope(
                id: id, sender: entry.envelope.sender, serverTimeMilliseconds: UInt64(entry.envelope.time),
                kind: entry.envelope.kind, ciphertext: ciphertext
            )), requestID: .zero))
        }
        mailboxes[phone] = mailbox
    }

    /// Drops envelopes past their TTL and idempotency keys past their window.
    mutating func expire(into actions: inout [RelayAction]) {
        let envelopeCutoff = clock - limits.envelopeTTLMilliseconds
        let keyCutoff = clock - limits.idempotencyWindowMilliseconds
        while idempotencyHead < idempotencyOrder.count, idempotencyOrder[idempotencyHead].time <= keyCutoff {
            let key = idempotencyOrder[idempotencyHead].key
            if let entry = idempotency[key], entry.time <= keyCutoff { idempotency[key] = nil }
            idempotencyHead += 1
        }
        if idempotencyHead >= 4096, idempotencyHead * 2 >= idempotencyOrder.count {
            idempotencyOrder.removeSubrange(0..<idempotencyHead)
            idempotencyHead = 0
        }
        for phone in Array(mailboxes.keys) {
            guard var mailbox = mailboxes[phone] else { continue }
            var changed = false
            for index in mailbox.head..<mailbox.ids.count {
                let id = mailbox.ids[index]
                guard let entry = queued[id] else { continue }
                guard entry.envelope.time <= envelopeCutoff else { break }
                queued[id] = nil
                mailbox.count -= 1
                if entry.sentOn != nil, entry.sentOn == mailbox.connection {
                    mailbox.inFlight -= 1
                    mailbox.inFlightBytes -= entry.size
                }
                statistics.expired += 1
                changed = true
            }
            if changed {
                mailbox.advanceHead { queued[$0] != nil }
                mailboxes[phone] = mailbox
            }
        }
        actions.append(.write(.expire(envelopesBefore: envelopeCutoff + 1, tombstonesBefore: keyCutoff + 1)))
    }
}

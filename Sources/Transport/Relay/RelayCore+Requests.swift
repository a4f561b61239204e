extension RelayCore {
    /// `register`: a fresh token replaces the number's device; its other connections are closed (303).
    /// Only the token's digest is kept; the token itself goes to the device once, in `registered`.
    mutating func register(_ identity: ClientIdentity, on connection: ConnectionID, into actions: inout [RelayAction]) {
        let token = RelayToken.random(using: &random)
        guard let digest = tokenHasher.digest(of: token) else {
            if let action = connections.modifyValue(forKey: connection.rawValue, {
                $0.machine.authenticationRejected(.internalError, message: "cannot issue a token now; retry")
            }) {
                perform(action, on: connection, user: nil, into: &actions)
            }
            return
        }
        let user = user(for: identity.phone)
        users[user].registration = RelaySnapshot.Registration(device: identity.device, tokenDigest: digest)
        statistics.registrations += 1
        keep(.register(identity.phone, device: identity.device, tokenDigest: digest))
        replaceConnection(of: user, with: connection, into: &actions)
        guard let action = connections.modifyValue(forKey: connection.rawValue, { record in
            let action = record.machine.registrationCompleted(token: token)
            if record.machine.identity != nil { record.user = user }
            return action
        }) else { return }
        perform(action, on: connection, user: user, into: &actions)
        attach(user, connection, into: &actions)
    }

    /// `hello`: the device and token must match the registration — the presented token's digest
    /// compared in constant time with the stored one.
    mutating func hello(_ identity: ClientIdentity, token: RelayToken, on connection: ConnectionID, into actions: inout [RelayAction]) {
        guard connections[connection.rawValue] != nil else { return }
        // Digest and compare even when the number is unknown, so timing does not reveal which.
        let user = userIndex[identity.phone.digits]
        let registration = user.flatMap { users[$0].registration }
        let presented = tokenHasher.digest(of: token)
        let tokenMatches = (presented ?? .zero) == (registration?.tokenDigest ?? .zero) && presented != nil
        guard let user, let registration, registration.device == identity.device, tokenMatches else {
            if let action = connections.modifyValue(forKey: connection.rawValue, { $0.machine.authenticationRejected() }) {
                perform(action, on: connection, user: nil, into: &actions)
            }
            return
        }
        replaceConnection(of: user, with: connection, into: &actions)
        guard let action = connections.modifyValue(forKey: connection.rawValue, { record in
            let action = record.machine.helloAccepted()
            if record.machine.identity != nil { record.user = user }
            return action
        }) else { return }
        perform(action, on: connection, user: user, into: &actions)
        attach(user, connection, into: &actions)
    }

    /// Closes the number's earlier connection, if any, with 303.
    private mutating func replaceConnection(of user: Int, with connection: ConnectionID, into actions: inout [RelayAction]) {
        if let earlier = users[user].mailbox.connection, earlier != connection {
            close(earlier, .replaced, "another connection authenticated as this number", into: &actions)
        }
    }

    /// Attaches the authenticated connection to its mailbox and starts (re)delivery.
    private mutating func attach(_ user: Int, _ connection: ConnectionID, into actions: inout [RelayAction]) {
        users[user].mailbox.attach(connection, turn: turns.current)
        if !users[user].mailbox.heldReceipts.isEmpty {
            let receipts = users[user].mailbox.heldReceipts
            users[user].mailbox.heldReceipts = []
            for receipt in receipts { actions.append(.send(connection, .receipt(receipt), requestID: .zero)) }
        }
        pump(user, into: &actions)
    }

    /// An authenticated request from the number at `user`.
    mutating func handle(
        _ request: ClientRequest, from user: Int, on connection: ConnectionID, requestID: RequestID,
        into actions: inout [RelayAction]
    ) {
        switch request {
        case let .send(envelope):
            accept(envelope, from: user, on: connection, requestID: requestID, into: &actions)
        case let .ack(ids):
            acknowledge(ids, by: user, into: &actions)
        case let .publishPreKeys(bundles):
            let phone = users[user].phone
            let first = users[user].preKeys?.nextSequence ?? 1
            users[user].preKeys = PreKeyPool(entries: bundles.enumerated().map { (first + Int64($0.offset), $0.element) })
            keep(.replacePreKeys(phone, bundles: bundles, firstSequence: first))
            actions.append(.send(connection, .ok, requestID: requestID))
        case let .fetchPreKeys(owner):
            fetchPreKey(of: owner, for: connection, requestID: requestID, into: &actions)
        case let .receipt(receipt):
            forward(receipt, from: users[user].phone, on: connection, requestID: requestID, into: &actions)
        case let .block(blocked, reason):
            let phone = users[user].phone
            users[user].blocked.insert(blocked)
            statistics.blocks += 1
            keep(.block(blocker: phone, blocked: blocked, reason: reason, time: clock))
            if emitsEvents {
                actions.append(.record(MetadataEvent(time: clock, kind: .block(blocker: phone, blocked: blocked, reason: reason))))
            }
            actions.append(.send(connection, .ok, requestID: requestID))
        case let .report(report):
            let phone = users[user].phone
            statistics.reports += 1
            keep(.report(reporter: phone, report, time: clock))
            if emitsEvents {
                actions.append(.record(MetadataEvent(
                    time: clock, kind: .report(reporter: phone, business: report.business, reason: report.reason, envelope: report.envelopeID)
                )))
            }
            actions.append(.send(connection, .ok, requestID: requestID))
        }
    }

    /// `fetch_prekeys`: the oldest bundle, removed unless it is the last.
    private mutating func fetchPreKey(of owner: PhoneNumber, for connection: ConnectionID, requestID: RequestID, into actions: inout [RelayAction]) {
        guard let index = registeredUser(owner) else {
            actions.append(.send(connection, .makeError(.unknownRecipient, message: "number is not registered"), requestID: requestID))
            return
        }
        guard var pool = users[index].preKeys, let first = pool.entries.first else {
            actions.append(.send(connection, .makeError(.noPreKeys, message: "no prekey bundle"), requestID: requestID))
            return
        }
        if pool.entries.count > 1 {
            pool.entries.removeFirst()
            users[index].preKeys = pool
            keep(.removePreKey(owner, sequence: first.sequence))
        }
        actions.append(.send(connection, .preKeyBundle(owner: owner, bundle: first.bundle), requestID: requestID))
    }

    /// `receipt`: forwarded to the counterpart with the author in its place (held while offline).
    private mutating func forward(
        _ receipt: Receipt, from author: PhoneNumber, on connection: ConnectionID, requestID: RequestID,
        into actions: inout [RelayAction]
    ) {
        guard let counterpart = registeredUser(receipt.counterpart) else {
            actions.append(.send(connection, .makeError(.unknownRecipient, message: "counterpart is not registered"), requestID: requestID))
            return
        }
        if emitsEvents {
            actions.append(.record(MetadataEvent(
                time: clock, kind: .receipt(receipt.kind, from: author, to: receipt.counterpart, count: receipt.envelopeIDs.count)
            )))
        }
        let forwarded = Receipt(kind: receipt.kind, counterpart: author, envelopeIDs: receipt.envelopeIDs)
        if let target = users[counterpart].mailbox.connection {
            actions.append(.send(target, .receipt(forwarded), requestID: .zero))
        } else {
            users[counterpart].mailbox.heldReceipts.append(forwarded)
            let excess = users[counterpart].mailbox.heldReceipts.count - limits.maximumHeldReceipts
            if excess > 0 { users[counterpart].mailbox.heldReceipts.removeFirst(excess) }
        }
    }
}

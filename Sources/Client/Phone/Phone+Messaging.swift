public import Transport

/// What happened to a pending send when it was (re-)sent.
public enum PendingSendOutcome: Sendable, Equatable {
    /// The relay accepted it (for a repeat: with the original envelope id).
    case accepted(SentMessage)
    /// The relay refused it for good (unknown recipient, admission denied, …); it was dropped.
    case dropped(PendingSend, ClientError)
}

extension Phone {
    // MARK: Sending

    /// Encrypts and sends `plaintext` to `recipient` and waits for the relay to accept it.
    ///
    /// Without a session, fetches the recipient's bundle and starts one (X3DH). The encrypted
    /// message is saved as a pending send with a fresh client message id before it goes out; if
    /// the call then fails with a retryable error, the same bytes with the same id go out again on
    /// the next `connect` (or `flushPendingSends()`), and the relay accepts them only once.
    ///
    /// - Throws: `.notConnected`, `.refused` (400 unknown recipient, 401 no prekeys, 402, 403, …),
    ///   `.timedOut`, `.crypto`, `.invalidBundle`, `.state`, I/O errors.
    @discardableResult
    public func send(
        _ plaintext: some Collection<UInt8>, to recipient: PhoneNumber, kind: EnvelopeKind = .user
    ) throws(ClientError) -> SentMessage {
        try transmit(try queue(plaintext, to: recipient, kind: kind))
    }

    /// Sends the UTF-8 bytes of `text` (see `send(_:to:kind:)`).
    @discardableResult
    public func send(text: String, to recipient: PhoneNumber, kind: EnvelopeKind = .user) throws(ClientError) -> SentMessage {
        try send(Array(text.utf8), to: recipient, kind: kind)
    }

    /// Encrypts `plaintext` for `recipient` and saves it as a pending send, without sending it.
    /// Needs a connection only when there is no session yet (to fetch the recipient's bundle).
    public func queue(
        _ plaintext: some Collection<UInt8>, to recipient: PhoneNumber, kind: EnvelopeKind = .user
    ) throws(ClientError) -> PendingSend {
        var next = state
        if !next.hasSession(with: recipient) {
            try next.startSession(with: recipient, bundle: try fetchPreKeyBundle(of: recipient))
        }
        let pending = try next.queueMessage(plaintext, to: recipient, kind: kind)
        try commit(next)
        return pending
    }

    /// Sends every pending send, oldest first, with its original client message id. Those the
    /// relay refuses for good are dropped and reported; a retryable failure stops and is thrown
    /// (the rest stay pending).
    @discardableResult
    public func flushPendingSends() throws(ClientError) -> [PendingSendOutcome] {
        var outcomes: [PendingSendOutcome] = []
        for pending in state.pendingSends {
            do {
                outcomes.append(.accepted(try transmit(pending)))
            } catch {
                guard case .refused = error, !error.isRetryable else { throw error }
                outcomes.append(.dropped(pending, error))
            }
        }
        return outcomes
    }

    /// Sends one pending send and waits for `accepted`; forgets it once accepted or refused for good.
    private func transmit(_ pending: PendingSend) throws(ClientError) -> SentMessage {
        let connection = try requireConnection()
        let reply: Frame
        do {
            reply = try request(.send(pending.envelope), on: connection)
        } catch {
            if case .refused = error, !error.isRetryable {
                var next = state
                next.completeSend(clientMessageID: pending.clientMessageID)
                try commit(next)
            }
            throw error
        }
        guard case let .accepted(clientMessageID, envelopeID, time) = reply, clientMessageID == pending.clientMessageID else {
            throw .unexpectedReply(request: .send, reply: reply.type)
        }
        var next = state
        next.completeSend(clientMessageID: clientMessageID)
        try commit(next)
        return SentMessage(clientMessageID: clientMessageID, recipient: pending.recipient, envelopeID: envelopeID, serverTimeMilliseconds: time)
    }

    // MARK: Receiving

    /// The next message, receipt or relay error, waiting up to `timeout`; `nil` if none arrived.
    ///
    /// A delivered envelope is decrypted, recorded (state saved) and only then acknowledged, so a
    /// crash in between shows the relay's redelivery as a duplicate, which is acknowledged again
    /// and skipped: each message is returned exactly once.
    ///
    /// - Throws: `.notConnected`, `.connectionClosed` (once buffered events are read), `.state`.
    public func receive(timeout: Duration) throws(ClientError) -> PhoneEvent? {
        guard let connection = currentConnection else { throw .notConnected }
        let deadline = ContinuousClock.now + timeout
        while true {
            let event: RelayEvent?
            do {
                event = try connection.nextEvent(timeout: max(deadline - ContinuousClock.now, .zero))
            } catch {
                dropConnectionIfClosed()
                throw error
            }
            guard let event else { return nil }
            switch event {
            case let .receipt(receipt):
                return .receipt(receipt)
            case let .error(code, message):
                return .relayError(code: code, message: message)
            case let .deliver(delivered):
                var next = state
                let opened = next.open(delivered)
                switch opened {
                case .duplicate:
                    try post(.ack(envelopeIDs: [delivered.id]), on: connection)
                case let .message(message):
                    try commit(next)
                    try post(.ack(envelopeIDs: [delivered.id]), on: connection)
                    return .message(message)
                case let .undecryptable(reason):
                    try commit(next)
                    try post(.ack(envelopeIDs: [delivered.id]), on: connection)
                    return .undecryptable(envelopeID: delivered.id, sender: delivered.sender, reason: reason)
                }
            }
        }
    }

    /// Sends `kind` receipts for `envelopeIDs` to their sender (in frames of at most 256 ids).
    public func sendReceipt(_ kind: ReceiptKind, for envelopeIDs: [EnvelopeID], to sender: PhoneNumber) throws(ClientError) {
        let connection = try requireConnection()
        var start = 0
        while start < envelopeIDs.count {
            let end = min(start + WireFormat.maximumEnvelopeIDCount, envelopeIDs.count)
            try post(.receipt(Receipt(kind: kind, counterpart: sender, envelopeIDs: Array(envelopeIDs[start..<end]))), on: connection)
            start = end
        }
    }

    /// Sends a `kind` receipt for `message` to its sender.
    public func sendReceipt(_ kind: ReceiptKind, for message: ReceivedMessage) throws(ClientError) {
        try sendReceipt(kind, for: [message.envelopeID], to: message.sender)
    }

    // MARK: Blocking and reporting

    /// Blocks `blocked`: the relay drops its later envelopes to this phone (without telling it).
    /// Returns once the relay has durably recorded the block.
    public func block(_ blocked: PhoneNumber, reason: BlockReason = .noReason) throws(ClientError) {
        let connection = try requireConnection()
        let reply = try request(.block(blocked: blocked, reason: reason), on: connection)
        guard case .ok = reply else { throw .unexpectedReply(request: .block, reply: reply.type) }
    }

    /// Reports `business`, optionally naming the envelope that prompted it. Returns once the
    /// relay has durably recorded the report.
    public func report(business: PhoneNumber, reason: ReportReason, envelope: EnvelopeID? = nil) throws(ClientError) {
        let connection = try requireConnection()
        let reply = try request(.report(SpamReport(business: business, reason: reason, envelopeID: envelope)), on: connection)
        guard case .ok = reply else { throw .unexpectedReply(request: .report, reply: reply.type) }
    }
}

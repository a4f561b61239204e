import Crypto
import Transport

extension CloudAPIEndpoint {
    /// An envelope from a user: decrypt, store (encrypted) with its webhook pending, and
    /// acknowledge it to the relay once that is durable. A re-delivered envelope (same message id,
    /// stored on the day of its server time, under either byte order of the id) is only
    /// acknowledged; only envelopes the relay accepted before the link's connection are looked up
    /// (``BusinessState/linkReadyAt``).
    func received(_ envelope: DeliveredEnvelope, for state: BusinessState) {
        let account = state.account
        let messageID = Self.messageID(envelope.id)
        let store: MessageStore
        do throws(CloudAPIError) {
            store = try self.store(for: account)
        } catch {
            lastError = "\(error)"
            return  // not acknowledged: the relay re-delivers on the next connection
        }
        let time = Int64(clamping: envelope.serverTimeMilliseconds)
        // Only an envelope the relay accepted before this connection can be a re-delivery: the
        // look-up (a read transaction per envelope) is skipped for the rest.
        let mayBeRedelivered = state.linkReadyAt.map { time <= $0 + Self.redeliveryClockMargin } ?? true
        if mayBeRedelivered { statistics.duplicateChecks += 1 }
        if mayBeRedelivered, Self.isStored(envelope.id, in: store, storedAt: time) {
            statistics.duplicates += 1
            whenCommitted(after: .records) { [weak state] in state?.link?.acknowledge([envelope.id]) }
            return
        }
        let plaintext: [UInt8]
        var usedOneTimePreKey = false
        do throws(ProtocolError) {
            let sessionEnvelope = try state.party.envelope(decoding: envelope.ciphertext, from: envelope.sender.e164)
            // A one-time prekey is used only by a prekey message that starts a session: counting
            // every prekey message (all of a session's until the business answers) rewrote the
            // whole key set and published a new batch of prekeys every few messages, without end.
            if case let .preKey(message) = sessionEnvelope, message.oneTimePreKeyID != nil {
                usedOneTimePreKey = state.party.startsSession(message, from: envelope.sender.e164)
            }
            plaintext = try state.party.decrypt(sessionEnvelope, from: envelope.sender.e164)
        } catch {
            if case .duplicateOrExpiredMessage = error {
                // A message this session already decrypted, resent under a new envelope id (the
                // relay delivers before its commit; a crash there makes the user resend).
                statistics.duplicates += 1
            } else {
                // It can never be decrypted (corrupt, or for keys this endpoint no longer has).
                statistics.undecryptable += 1
                lastError = "undecryptable envelope for \(account.phoneNumberID): \(error)"
            }
            whenCommitted(after: .records) { [weak state] in state?.link?.acknowledge([envelope.id]) }
            return
        }
        do throws(CloudAPIError) {
            if let conversation = state.party.conversations[envelope.sender.e164] {
                try registry.saveSession(conversation, peer: envelope.sender, for: account, now: clock.now(), followsRecords: true)
                state.sessionLastUsed[envelope.sender.e164] = clock.now()
            }
            if usedOneTimePreKey {
                try registry.saveKeys(of: state.party, for: account, followsRecords: true)
                state.preKeysConsumed += 1
            }
            if envelope.kind != .control, !plaintext.isEmpty {
                let text = String(decoding: plaintext, as: UTF8.self)
                let body = WebhookEnvelope(accountID: account.accountID, phoneNumberID: account.phoneNumberID, display: account.phone)
                    .message(id: messageID, from: envelope.sender, userID: userID(business: account, consumer: envelope.sender),
                             name: nil, time: time, text: text)
                do throws(MessageStoreError) {
                    try store.append(MessageRecord(
                        id: messageID, businessPhoneNumberID: account.phoneNumberID, business: account.phone.e164,
                        consumer: envelope.sender.e164, direction: .inbound, time: time, kind: "text", payload: body,
                        delivery: DeliveryState(status: .delivered, nextAttemptAt: clock.now())
                    ))
                } catch {
                    throw .invalidConfiguration("message store: \(error)")
                }
                noteInbound(from: envelope.sender, to: account.phone, at: time)
                statistics.inbound += 1
            }
        } catch {
            lastError = "storing inbound message: \(error)"
            return
        }
        // The webhook may go as soon as the record is committed (at least once: a power cut
        // before the sync brings a re-delivery); the relay's ack only once it is durable — but
        // not the session: a crash before the session's own commit leaves a durable record and a
        // session one message behind, which skips that message's key when the next one comes.
        whenRecordsCommitted { [weak self] in self?.schedulePump() }
        whenCommitted(after: .records) { [weak state] in state?.link?.acknowledge([envelope.id]) }
        if state.preKeysConsumed >= max(1, configuration.preKeyBatchSize / 2) { publishPreKeys(state) }
    }

    /// A delivered/read receipt from a user: a status webhook for each message it names. The
    /// message's record may still be in this turn's uncommitted batch (the relay's `accepted` and
    /// the user's receipt can arrive together), so ids not found yet are looked up once more
    /// after the commit.
    func received(_ receipt: Receipt, for state: BusinessState, retry: Bool = true) {
        let account = state.account
        guard let store = try? self.store(for: account) else { return }
        let status: DeliveryStatus = receipt.kind == .read ? .read : .delivered
        var missing: [EnvelopeID] = []
        for envelopeID in receipt.envelopeIDs {
            guard let record = Self.storedRecord(of: envelopeID, in: store) else {
                missing.append(envelopeID)
                continue
            }
            guard record.direction == .outbound, record.consumer == receipt.counterpart.e164 else { continue }
            queueStatus(status, for: record, account: account, store: store, error: nil)
        }
        // Statuses acknowledge nothing: they go once committed, and ids still missing are looked
        // up again once this turn's records are readable.
        whenRecordsCommitted { [weak self, weak state] in
            guard let self else { return }
            if retry, !missing.isEmpty, let state {
                self.received(Receipt(kind: receipt.kind, counterpart: receipt.counterpart, envelopeIDs: missing), for: state, retry: false)
            }
            self.schedulePump()
        }
    }

    /// Stores a status webhook (`delivered`, `read`, `failed`) for an outbound message
    /// (``statusWebhook(_:of:account:time:error:)``) and moves the message's status. (Its `sent`
    /// status is the message record's own webhook.)
    func queueStatus(_ status: DeliveryStatus, for record: MessageRecord, account: BusinessAccount, store: MessageStore, error: GraphError?) {
        let now = clock.now()
        guard let body = statusWebhook(status, of: record, account: account, time: now, error: error) else { return }
        do throws(MessageStoreError) {
            try store.append(MessageRecord(
                id: record.id + "#" + status.rawValue, businessPhoneNumberID: account.phoneNumberID, business: account.phone.e164,
                consumer: record.consumer, direction: .outbound, time: now, kind: "status", payload: body,
                delivery: DeliveryState(status: status, nextAttemptAt: now)
            ))
            // The message's own webhook (its `sent` status) may be in flight: only the status moves.
            store.updateStatus(of: record, status: status)
        } catch {
            lastError = "storing status: \(error)"
        }
    }
}

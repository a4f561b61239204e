import Crypto
import Transport

extension CloudAPIEndpoint {
    /// Sends due webhooks (stored records whose delivery is pending) up to the concurrency limit.
    /// Failures back off exponentially; records survive restarts, so this is also the retry path.
    /// Records committed since the last pump come from memory; `readingStores` (the housekeeping
    /// tick) has each store read — for retries and parked records that came due — by the first
    /// pump that finds a delivery slot free for it
    /// (``MessageStore/takeDueWebhooks(now:limit:skipping:readingStore:)``).
    func pumpWebhooks(readingStores: Bool = false) {
        guard !isStopped else { return }
        if readingStores { storeReadsOwed = Set(stores.keys) }
        let now = clock.now()
        // Start from a different store each time, so one location's backlog cannot starve another's.
        let all = Array(stores)
        guard !all.isEmpty else { return }
        webhookPumpRound &+= 1
        let first = webhookPumpRound % all.count
        for (location, store) in all[first...] + all[..<first] {
            guard webhooksInFlight.count < configuration.webhookConcurrency else { return }
            let due: [MessageRecord]
            do throws(MessageStoreError) {
                // Only as many as there are free delivery slots, in-flight ones left out before
                // they are decrypted: the pump runs after every commit (and takes what the commit
                // wrote from memory). Each record taken is delivered or parked below: taken ones
                // are not handed out again.
                due = try store.takeDueWebhooks(
                    now: now, limit: configuration.webhookConcurrency - webhooksInFlight.count, skipping: webhooksInFlight,
                    readingStore: storeReadsOwed.contains(location))
                storeReadsOwed.remove(location)
            } catch {
                lastError = "reading pending webhooks: \(error)"
                continue
            }
            for record in due {
                guard webhooksInFlight.count < configuration.webhookConcurrency else { return }
                // A record that cannot go now is parked, never skipped: skipped, it would stay at
                // the head of the queue, be decrypted on every pump and hold a delivery slot.
                guard let state = businesses[record.businessPhoneNumberID] else {
                    park(record, in: store, until: now + configuration.webhookMaximumBackoffMilliseconds, done: false)
                    continue
                }
                guard let url = state.account.webhookURL else {
                    park(record, in: store, until: now, done: true)  // no webhook: nothing to deliver
                    continue
                }
                guard state.account.webhookVerified else {
                    park(record, in: store, until: now + configuration.webhookInitialBackoffMilliseconds, done: false)
                    continue
                }
                deliver(record, to: url, state: state, store: store)
            }
        }
    }

    /// Asks for one pump right after the current callback: the effects of a durable stage (often
    /// dozens of deliveries and stored messages) then share one pump.
    func schedulePump() {
        guard !pumpScheduled else { return }
        pumpScheduled = true
        loop.enqueueLocalTask { [weak self] in
            self?.pumpScheduled = false
            self?.pumpWebhooks()
        }
    }

    /// Moves `record`'s next attempt to `until` without counting an attempt, or marks its webhook
    /// done (`done`, for a business without a webhook URL).
    private func park(_ record: MessageRecord, in store: MessageStore, until: Int64, done: Bool) {
        do throws(MessageStoreError) {
            try store.updateWebhook(of: record, attempts: record.delivery.webhookAttempts, nextAttemptAt: until, delivered: done)
        } catch {
            lastError = "parking webhook \(record.id): \(error)"
        }
    }

    /// POSTs `record`'s webhook. The loop only looks the parts up; the webhook thread writes a
    /// `sent` status body and signs every body (``WebhookTransport/post(url:prepare:completion:)``).
    /// A failure to sign counts as a failed attempt (retried with backoff) and is `lastError`.
    private func deliver(_ record: MessageRecord, to url: String, state: BusinessState, store: MessageStore) {
        guard let build = webhookBodyBuilder(of: record, account: state.account) else {
            lastError = "webhook \(record.id): the record names no valid consumer"
            park(record, in: store, until: clock.now(), done: true)
            return
        }
        let key = state.signingKey
        webhooksInFlight.insert(record.id)
        webhooks.post(url: url, prepare: { () throws(WebhookFailure) in try Self.signedWebhook(build(), key: key) }) { [weak self] result in
            guard let self, !self.isStopped else { return }
            let attempts = record.delivery.webhookAttempts + 1
            let delivered: Bool
            if case let .success(response) = result, (200..<300).contains(response.status) {
                delivered = true
                self.statistics.webhooksDelivered += 1
            } else {
                delivered = false
                self.statistics.webhookFailures += 1
                if case let .failure(failure) = result { self.lastError = "webhook \(record.id): \(failure)" }
            }
            let backoff = min(
                self.configuration.webhookMaximumBackoffMilliseconds,
                self.configuration.webhookInitialBackoffMilliseconds << Int64(min(attempts - 1, 20)))
            do throws(MessageStoreError) {
                try store.updateWebhook(of: record, attempts: attempts, nextAttemptAt: self.clock.now() + (delivered ? 0 : backoff),
                                        delivered: delivered)
            } catch {
                self.lastError = "recording webhook delivery: \(error)"
            }
            // Still "in flight" until its new state is committed: a pump before the commit would
            // read the old, undelivered state and send it again. Committed is enough — durable is
            // not needed (after a power cut the webhook is sent again, at least once) — so the
            // slot frees at the end of this turn, not after the next sync.
            self.whenRecordsCommitted { [weak self] in
                self?.webhooksInFlight.remove(record.id)
                if delivered { self?.schedulePump() }
            }
        }
    }

    /// A webhook POST of `body`, signed under the app secret's `key` (`X-Hub-Signature-256`).
    static func signedWebhook(_ body: [UInt8], key: SymmetricKey) throws(WebhookFailure) -> WebhookRequest {
        let signature: String
        do throws(CryptoError) { signature = try WebhookSignature.header(for: body, key: key) } catch {
            throw WebhookFailure("signing webhook: \(error)")
        }
        return WebhookRequest(
            headers: [("Content-Type", "application/json"), ("X-Hub-Signature-256", signature), ("User-Agent", "Vigil-CloudAPI/1")],
            body: body)
    }

    /// The body of `record`'s webhook, in two steps: what needs the loop (the account, the user
    /// id) now, the writing in the function returned, which may run on any thread. The body is
    /// the record's payload, or — for an outbound message, whose pending webhook is its `sent`
    /// status — that status, written at delivery (at the message's time). `nil` if the record
    /// names no valid consumer.
    func webhookBodyBuilder(of record: MessageRecord, account: BusinessAccount) -> (@Sendable () -> [UInt8])? {
        guard Self.isOutboundMessage(record) else {
            let payload = record.payload
            return { payload }
        }
        return statusWebhookBuilder(.sent, of: record, account: account, time: record.time, error: nil)
    }

    /// The body of a status webhook for the outbound message `record`: `status` at `time`, the
    /// category from its kind, the tracker (`biz_opaque_callback_data`) read back from its
    /// payload, and `error`'s details for `failed`. `nil` if the record names no valid consumer.
    func statusWebhook(
        _ status: DeliveryStatus, of record: MessageRecord, account: BusinessAccount, time: Int64, error: GraphError?
    ) -> [UInt8]? {
        statusWebhookBuilder(status, of: record, account: account, time: time, error: error)?()
    }

    /// ``statusWebhook(_:of:account:time:error:)`` in two steps, like ``webhookBodyBuilder(of:account:)``.
    private func statusWebhookBuilder(
        _ status: DeliveryStatus, of record: MessageRecord, account: BusinessAccount, time: Int64, error: GraphError?
    ) -> (@Sendable () -> [UInt8])? {
        guard let consumer = PhoneNumber(record.consumer) else { return nil }
        let envelope = WebhookEnvelope(accountID: account.accountID, phoneNumberID: account.phoneNumberID, display: account.phone)
        let userID = userID(business: account, consumer: consumer)
        return {
            let category = Self.category(ofKind: record.kind)
            return envelope.status(
                id: record.id, status: status.rawValue, recipient: consumer, userID: userID, time: time, category: category,
                conversationID: record.id, tracker: Self.tracker(of: record), error: error)
        }
    }

    /// The pricing category of a record's kind, `type:category` (its last `:`-separated part);
    /// `service` for an empty kind.
    static func category(ofKind kind: String) -> String {
        // ASCII kinds (all the endpoint writes) are cut at their last `:` byte, a Character of its
        // own there; other text is split by Characters.
        if kind.utf8.allSatisfy({ $0 < 0x80 }), let colon = kind.utf8.lastIndex(of: UInt8(ascii: ":")),
           colon != kind.utf8.index(before: kind.utf8.endIndex) {
            return String(kind[kind.utf8.index(after: colon)...])
        }
        return kind.split(separator: ":").last.map(String.init) ?? "service"
    }

    /// The GET verification handshake (`hub.mode=subscribe`, `hub.challenge`, `hub.verify_token`):
    /// webhooks are delivered only after the business's server echoed the challenge.
    func verifyWebhook(_ state: BusinessState, attempt: Int = 0) {
        guard !isStopped, let url = state.account.webhookURL else { return }
        let challenge = String((try? random.bytes(count: 8))?.reduce(UInt64(0)) { $0 << 8 | UInt64($1) } ?? 42)
        let separator = url.contains("?") ? "&" : "?"
        let token = HTTPPercentEncoding.encode(state.account.verifyToken ?? "")
        let target = url + separator + "hub.mode=subscribe&hub.challenge=\(challenge)&hub.verify_token=\(token)"
        webhooks.get(url: target) { [weak self, weak state] result in
            guard let self, let state, !self.isStopped else { return }
            if case let .success(response) = result, response.status == 200,
               String(decoding: response.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) == challenge {
                state.account.webhookVerified = true
                do throws(CloudAPIError) {
                    try self.registry.update(state.account)
                } catch {
                    self.lastError = "saving webhook verification: \(error)"
                }
                self.whenCommitted { [weak self] in self?.schedulePump() }
            } else {
                self.lastError = "webhook verification for \(state.account.phoneNumberID) failed: \(result)"
                let delay = min(60_000, 500 << Int64(min(attempt, 7)))
                _ = self.loop.scheduleTimer(after: .milliseconds(delay)) { [weak self, weak state] in
                    guard let self, let state else { return }
                    self.verifyWebhook(state, attempt: attempt + 1)
                }
            }
        }
    }
}

import Crypto
import Transport

/// What the endpoint answers a Graph API call with: an HTTP status and a JSON body.
public struct GraphReply: Sendable, Hashable {
    /// The HTTP status.
    public var status: Int
    /// The JSON body.
    public var body: [UInt8]

    /// A reply.
    public init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }

    /// The Graph error's reply.
    public init(_ error: GraphError, traceID: String) {
        self.init(status: error.httpStatus, body: error.jsonBody(traceID: traceID))
    }
}

extension CloudAPIEndpoint {
    /// `POST /v{N}/{phone-number-id}/messages`: authenticate, validate, check the 24-hour window,
    /// start a session if needed, encrypt, commit the ratchet state, send through the relay, store
    /// the record (its pending webhook is its `sent` status), and answer — `respond` runs exactly
    /// once, on the loop.
    public func sendMessage(phoneNumberID: String, bearer: String?, body: [UInt8], respond: @escaping (GraphReply) -> Void) {
        let trace = traceID()
        let fail: (GraphError) -> Void = { [weak self] error in
            self?.statistics.refused += 1
            respond(GraphReply(error, traceID: trace))
        }
        let state: BusinessState
        let request: SendMessageRequest
        do throws(GraphError) {
            state = try authenticate(phoneNumberID: phoneNumberID, bearer: bearer, method: "POST")
        } catch {
            fail(error)
            return
        }
        // The number's throughput, before anything else is spent on the request.
        if case let .refuse(error, delay) = state.gate.admit(at: clock.now()) {
            refuseAtTheGate(error, after: delay, fail: fail)
            return
        }
        do throws(GraphError) {
            request = try SendMessageRequest(body: body)
            // What the relay refused before, then the customer-service window (a store read),
            // looked up only where the answer depends on it.
            let isText = if case .text = request.content { true } else { false }
            switch state.gate.check(request.recipient, at: clock.now()) {
            case .proceed:
                if isText, try !isInServiceWindow(state, request.recipient) { throw .reEngagement() }
            case let .refuse(error, delay):
                refuseAtTheGate(error, after: delay, fail: fail)
                return
            case let .refuseIfBusinessInitiated(error):
                // A reply inside the window is not business-initiated; free-form text outside
                // it is refused as always (131047).
                guard try isInServiceWindow(state, request.recipient) else {
                    if isText { throw .reEngagement() }
                    refuseAtTheGate(error, after: 0, fail: fail)
                    return
                }
            }
        } catch {
            fail(error)
            return
        }
        withSession(state, request.recipient, fail: fail) { [weak self, weak state] in
            guard let self, let state else { return }
            self.encryptAndSend(request, state: state, trace: trace, respond: respond, fail: fail)
        }
    }

    /// Whether `user` wrote to `state`'s number within the customer-service window: from the
    /// inbound messages seen since start when it can, else from the store (one key derivation and
    /// two queries, once per send of a text before this cache).
    private func isInServiceWindow(_ state: BusinessState, _ user: PhoneNumber) throws(GraphError) -> Bool {
        let now = clock.now()
        let key = RecentInboundKey(business: state.account.phone, user: user)
        if let last = recentInbound[key], last <= now, now - last <= configuration.serviceWindowMilliseconds { return true }
        let store: MessageStore
        do throws(CloudAPIError) { store = try self.store(for: state.account) } catch { throw .unknown("\(error)") }
        guard let last = try? store.lastInbound(business: state.account.phone.e164, consumer: user.e164, now: now) else { return false }
        remember(last, for: key)
        return now - last <= configuration.serviceWindowMilliseconds
    }

    /// Records an inbound message from `user` to `business` at `time` for the window check.
    func noteInbound(from user: PhoneNumber, to business: PhoneNumber, at time: Int64) {
        remember(time, for: RecentInboundKey(business: business, user: user))
    }

    private func remember(_ time: Int64, for key: RecentInboundKey) {
        if recentInbound.count >= Self.recentInboundLimit, recentInbound[key] == nil { recentInbound.removeAll(keepingCapacity: true) }
        recentInbound[key] = max(recentInbound[key] ?? time, time)
    }

    /// Answers a send the gate refused, after `delay` ms (a throughput refusal is held so that a
    /// client hammering the API gets at most one answer per wait and connection).
    private func refuseAtTheGate(_ error: GraphError, after delay: Int64, fail: @escaping (GraphError) -> Void) {
        statistics.refusedAtTheGate += 1
        guard delay > 0 else {
            fail(error)
            return
        }
        _ = loop.scheduleTimer(after: .milliseconds(delay)) { fail(error) }
    }

    /// Runs `body` once a session with `user` exists, fetching a prekey bundle first if needed.
    /// Concurrent sends to a new user wait for the same fetch.
    func withSession(_ state: BusinessState, _ user: PhoneNumber, fail: @escaping (GraphError) -> Void, _ body: @escaping () -> Void) {
        if state.party.conversations[user.e164] != nil {
            body()
            return
        }
        guard let link = state.link, link.state != .closed else {
            fail(.serviceUnavailable("the relay is not reachable for this number; retry shortly"))
            return
        }
        if state.waitingForSession[user] != nil {
            state.waitingForSession[user, default: []].append(body)
            return
        }
        state.waitingForSession[user] = [body]
        link.fetchPreKeys(of: user) { [weak state] result in
            guard let state else { return }
            let waiting = state.waitingForSession.removeValue(forKey: user) ?? []
            switch result {
            case let .success(bytes):
                do throws(ProtocolError) {
                    if state.party.conversations[user.e164] == nil {
                        try state.party.initiate(with: user.e164, bundle: try PreKeyBundle(encoded: bytes))
                    }
                } catch {
                    for _ in waiting { fail(.undeliverable("the recipient's prekey bundle is invalid: \(error)")) }
                    return
                }
                for next in waiting { next() }
            case let .failure(error):
                let graph = Self.graphError(for: error)
                for _ in waiting { fail(graph) }
            }
        }
    }

    private func encryptAndSend(
        _ request: SendMessageRequest, state: BusinessState, trace: String,
        respond: @escaping (GraphReply) -> Void, fail: @escaping (GraphError) -> Void
    ) {
        let account = state.account
        let envelope: SessionEnvelope
        let sessionKey: String
        do throws(ProtocolError) {
            envelope = try state.party.encrypt(Array(request.plaintext.utf8), for: request.recipient.e164)
        } catch {
            fail(.unknown("encryption failed: \(error)"))
            return
        }
        do throws(CloudAPIError) {
            guard let conversation = state.party.conversations[request.recipient.e164] else { throw .corrupt(what: "session") }
            sessionKey = try registry.saveSession(conversation, peer: request.recipient, for: account, now: clock.now())
            state.sessionLastUsed[request.recipient.e164] = clock.now()
        } catch {
            fail(.unknown("saving the session failed: \(error)"))
            return
        }
        state.nextClientMessageID = max(state.nextClientMessageID + 1, UInt64(clock.now()) << 12)
        let outgoing = OutgoingEnvelope(
            recipient: request.recipient, clientMessageID: state.nextClientMessageID, kind: .business(request.category),
            ciphertext: envelope.encoded)
        // The ciphertext leaves only after the ratchet state that produced it is durable.
        whenCommitted(after: .registryRecord(sessionKey)) { [weak self, weak state] in
            guard let self, let state else { return }
            guard let link = state.link, link.state != .closed else {
                fail(.serviceUnavailable("the relay is not reachable for this number; retry shortly"))
                return
            }
            self.transmit(outgoing, on: link, state: state, since: self.clock.now()) { [weak self, weak state] result in
                guard let self, let state else { return }
                switch result {
                case let .success((envelopeID, time)):
                    self.sent(request, envelopeID: envelopeID, time: Int64(clamping: time), state: state, respond: respond, fail: fail)
                case let .failure(error):
                    let graph = Self.graphError(for: error)
                    if case let .refused(_, text) = error {
                        state.gate.remember(graph, relayText: text, recipient: request.recipient, at: self.clock.now())
                    }
                    fail(graph)
                }
            }
        }
    }

    /// Sends `outgoing` on `link`. If the link closes before the relay answers, the outcome is
    /// unknown — the relay delivers to an online user before its commit, so the user may have it —
    /// and the same bytes, with the same client message id, go again once the business is
    /// reconnected (``resendUnconfirmed(_:)``): a relay that committed them answers with the
    /// original envelope id, one that lost them accepts them anew, and a user who already opened
    /// them drops the second copy. A business retrying after a 503 would encrypt the message
    /// anew, which the user would see twice; so the 503 comes only after
    /// ``EndpointConfiguration/unconfirmedSendTimeoutMilliseconds``.
    func transmit(
        _ outgoing: OutgoingEnvelope, on link: RelayLink, state: BusinessState, since: Int64,
        completion: @escaping (Result<(EnvelopeID, UInt64), RelayLinkError>) -> Void
    ) {
        link.send(outgoing) { [weak self, weak state] result in
            guard let self, let state else { return }
            if case .failure(.closed) = result, !self.isStopped,
               self.clock.now() - since < self.configuration.unconfirmedSendTimeoutMilliseconds {
                state.unconfirmedSends.append(UnconfirmedSend(outgoing: outgoing, since: since, completion: completion))
                return
            }
            completion(result)
        }
    }

    /// The business's link is ready again: resends its unconfirmed sends, oldest first.
    func resendUnconfirmed(_ state: BusinessState) {
        guard let link = state.link, !state.unconfirmedSends.isEmpty else { return }
        let waiting = state.unconfirmedSends
        state.unconfirmedSends.removeAll()
        for send in waiting {
            statistics.resentUnconfirmed += 1
            transmit(send.outgoing, on: link, state: state, since: send.since, completion: send.completion)
        }
    }

    /// Answers the unconfirmed sends older than the timeout (their link never came back in time)
    /// with the closed error, or all of them when `all` (the endpoint is stopping).
    func expireUnconfirmed(now: Int64, all: Bool = false) {
        let cutoff = all ? Int64.max : now - configuration.unconfirmedSendTimeoutMilliseconds
        for (_, state) in businesses where !state.unconfirmedSends.isEmpty {
            let expired = state.unconfirmedSends.filter { $0.since <= cutoff }
            guard !expired.isEmpty else { continue }
            state.unconfirmedSends.removeAll { $0.since <= cutoff }
            for send in expired { send.completion(.failure(.closed("the relay did not come back in time"))) }
        }
    }

    private func sent(
        _ request: SendMessageRequest, envelopeID: EnvelopeID, time: Int64, state: BusinessState,
        respond: @escaping (GraphReply) -> Void, fail: (GraphError) -> Void
    ) {
        let account = state.account
        let messageID = Self.messageID(envelopeID)
        do throws(CloudAPIError) {
            let store = try self.store(for: account)
            // Its pending webhook is its `sent` status, written when it goes (``webhookBodyBuilder(of:account:)``):
            // a record of its own per status was a second seal, insert and update per send.
            let record = MessageRecord(
                id: messageID, businessPhoneNumberID: account.phoneNumberID, business: account.phone.e164,
                consumer: request.recipient.e164, direction: .outbound, time: time,
                kind: "\(request.type):\(request.category)", payload: Self.outboundPayload(request),
                delivery: DeliveryState(status: .sent, nextAttemptAt: clock.now()))  // due by this clock, not the relay's
            do throws(MessageStoreError) { try store.append(record) } catch { throw .invalidConfiguration("message store: \(error)") }
        } catch {
            // The relay accepted it: the user will get it. Answer success; the record is missing.
            lastError = "storing outbound record: \(error)"
        }
        statistics.outbound += 1
        let reply = GraphReply(status: 200, body: GraphResponses.sent(input: request.input, recipient: request.recipient, messageID: messageID))
        whenRecordsCommitted { [weak self] in self?.schedulePump() }  // the `sent` status
        // The ciphertext left after its session was durable: the answer needs only the record.
        whenCommitted(after: .records) { respond(reply) }
    }

    /// What an outbound record keeps (encrypted at rest): the text and the business's tracker.
    static func outboundPayload(_ request: SendMessageRequest) -> [UInt8] {
        // Written directly, the same bytes as JSONSerialization's sorted output (one per send).
        var json = GraphJSONWriter(capacity: request.plaintext.utf8.count + 64)
        json.beginObject()
        json.key("text"); json.string(request.plaintext)
        if let tracker = request.tracker { json.key("tracker"); json.string(tracker) }
        json.key("type"); json.string(request.type)
        json.endObject()
        return json.bytes
    }

    /// Whether `record` is an outbound message — kind `type:category`, unlike a status or an
    /// account notice — whose pending webhook is its `sent` status. Outbound messages stored by
    /// earlier versions have their webhook done (their `sent` status is a record of its own).
    static func isOutboundMessage(_ record: MessageRecord) -> Bool {
        record.direction == .outbound && record.kind.utf8.contains(UInt8(ascii: ":"))
    }

    /// The tracker (`biz_opaque_callback_data`) stored with an outbound record, if any. Most
    /// payloads have none, and are not parsed: a `"tracker":` key is in the payload's bytes as
    /// written (inside a JSON string, its quotes would be escaped).
    static func tracker(of record: MessageRecord) -> String? {
        guard record.direction == .outbound, record.kind != "status",
              Self.containsTrackerKey(record.payload),
              let object = try? JSON.object(record.payload), case let .string(tracker) = object["tracker"] else { return nil }
        return tracker
    }

    private static let trackerKey = Array(#""tracker":"#.utf8)

    /// Whether `payload` has the bytes `"tracker":` (a plain scan: Foundation's `firstRange(of:)`
    /// cost more than the parse it was to spare).
    private static func containsTrackerKey(_ payload: [UInt8]) -> Bool {
        trackerKey.withUnsafeBufferPointer { key in
            payload.withUnsafeBufferPointer { bytes in
                guard bytes.count >= key.count else { return false }
                for start in 0...(bytes.count - key.count) where bytes[start] == key[0] {
                    if UnsafeBufferPointer(rebasing: bytes[start..<(start + key.count)]).elementsEqual(key) { return true }
                }
                return false
            }
        }
    }

    /// `GET /v{N}/{phone-number-id}`: the number's quality rating, status and messaging limit.
    public func phoneNumber(phoneNumberID: String, bearer: String?) -> GraphReply {
        do throws(GraphError) {
            let account = try authenticate(phoneNumberID: phoneNumberID, bearer: bearer, method: "GET").account
            return GraphReply(status: 200, body: GraphResponses.phoneNumber(
                id: account.phoneNumberID, display: account.phone, name: account.name, quality: account.qualityRating,
                status: account.status, limit: account.messagingLimit))
        } catch {
            return GraphReply(error, traceID: traceID())
        }
    }

    /// The business behind `phoneNumberID` if `bearer` is its access token.
    func authenticate(phoneNumberID: String, bearer: String?, method: String) throws(GraphError) -> BusinessState {
        guard let bearer, !bearer.isEmpty else { throw .invalidToken("no access token (Authorization: Bearer …)") }
        guard let state = businesses[phoneNumberID] else {
            // Same answer shape whether the id is unknown or the token is wrong for it.
            throw .unknownObject(phoneNumberID, method: method)
        }
        guard BusinessRegistry.authenticates(bearer, state.account) else { throw .invalidToken("the access token does not belong to this phone number") }
        return state
    }

    /// The Graph error for a relay refusal.
    static func graphError(for error: RelayLinkError) -> GraphError {
        switch error {
        case let .refused(code, text):
            switch code {
            case .unknownRecipient, .noPreKeys: return .undeliverable("the recipient is not reachable on WhatsApp (\(text))")
            case .admissionDenied: return .admissionDenied(relayText: text)
            case .rateLimited: return text.first?.isNumber == true ? .admissionDenied(relayText: text) : .throughput(text)
            default: return .unknown("relay error \(code.rawValue): \(text)")
            }
        case let .closed(reason): return .serviceUnavailable("the relay connection closed (\(reason)); retry")
        case .unexpectedReply, .encoding: return .unknown("\(error)")
        }
    }

    /// A Graph-style trace id.
    func traceID() -> String {
        let bytes = (try? random.bytes(count: 9)) ?? [UInt8](repeating: 0, count: 9)
        return "A" + Base64URL.encode(bytes)
    }
}

/// A (business, user) pair, the key of the endpoint's recent-inbound cache.
struct RecentInboundKey: Hashable, Sendable {
    let business: PhoneNumber
    let user: PhoneNumber
}

/// A business phone number id and a consumer: the key of a remembered business-scoped user id.
struct UserIDKey: Hashable, Sendable {
    let phoneNumberID: String
    let consumer: PhoneNumber
}

extension CloudAPIEndpoint {
    /// The most (business, user) pairs the recent-inbound cache holds; past it the cache starts
    /// over (misses read the store).
    static let recentInboundLimit = 65_536

    /// How far the relay's clock may run ahead of the endpoint's for ``BusinessState/linkReadyAt``
    /// to tell first deliveries: envelopes the relay accepted up to this long after the link
    /// became ready are still looked up as possible re-deliveries. Hosts kept by NTP differ by
    /// milliseconds; a relay clock further ahead only lets a re-delivery of an envelope accepted
    /// just before the connection skip the look-up, and it is still caught — its session already
    /// decrypted it, or its insert changes nothing and no webhook goes — unless its record is
    /// stored under a legacy id.
    static let redeliveryClockMargin: Int64 = 5_000
}

import Testing
@testable import Transport

@Suite("Relay core (pure state machine)")
struct RelayCoreTests {
    let alice = phone("+14155550100"), bob = phone("+447700900123"), shop = phone("+4930123456")

    func send(_ harness: inout CoreHarness, from connection: ConnectionID, to recipient: PhoneNumber, id: UInt64,
              kind: EnvelopeKind = .user, bytes: [UInt8] = [1, 2, 3]) -> [RelayAction] {
        harness.frame(connection, .send(OutgoingEnvelope(recipient: recipient, clientMessageID: id, kind: kind, ciphertext: bytes)), requestID: RequestID(rawValue: UInt32(id)))
    }

    @Test("register issues a token and persists its digest only; hello with it authenticates, a wrong one is refused")
    func registerAndHello() throws {
        var harness = CoreHarness()
        let (first, token) = harness.register(alice)
        let digest = try #require(TokenDigest(bytes: TokenHasher.testingDigest(of: token)))
        #expect(harness.writes == [.register(alice, device: DeviceID(rawValue: 1)!, tokenDigest: digest)])
        #expect(digest.bytes != token.bytes)
        _ = harness.feed(.closed(first))

        let second = harness.open()
        let welcome = harness.frame(second, .hello(phone: alice, device: DeviceID(rawValue: 1)!, token: token), requestID: 9)
        #expect(welcome == [.send(second, .welcome, requestID: 9)])

        let third = harness.open()
        var wrongBytes = token.bytes
        wrongBytes[31] ^= 1
        let refused = harness.frame(third, .hello(phone: alice, device: DeviceID(rawValue: 1)!, token: RelayToken(bytes: wrongBytes)!), requestID: 4)
        #expect(refused.count == 2)
        #expect(refused.first == .send(third, .error(code: .authenticationFailed, message: "authentication failed"), requestID: 4))
        #expect(refused.last == .close(third))
    }

    @Test("a second authenticated connection replaces the first with error 303")
    func replacement() {
        var harness = CoreHarness()
        let (first, token) = harness.register(alice)
        let second = harness.open()
        let actions = harness.frame(second, .hello(phone: alice, device: DeviceID(rawValue: 1)!, token: token))
        #expect(errorCode(frames(actions, to: first)) == .replaced)
        #expect(actions.contains(.close(first)))
        #expect(frames(actions, to: second) == [.welcome])
    }

    @Test("send to an online recipient: accepted, persisted, recorded, delivered; ack deletes")
    func sendDeliverAck() throws {
        var harness = CoreHarness()
        let (a, _) = harness.register(alice)
        let (b, _) = harness.register(bob)
        harness.writes.removeAll()
        let actions = send(&harness, from: a, to: bob, id: 7, bytes: Array(repeating: 9, count: 100))
        let accepted = try #require(frames(actions, to: a).first)
        guard case let .accepted(clientID, envelopeID, time) = accepted else { Issue.record("expected accepted, got \(accepted)"); return }
        #expect(clientID == 7)
        #expect(time == UInt64(harness.time))
        #expect(deliveries(actions, to: b).map(\.id) == [envelopeID])
        #expect(deliveries(actions, to: b).first?.ciphertext == Array(repeating: 9, count: 100))
        #expect(harness.writes.count == 1)
        guard case let .enqueue(stored) = harness.writes.first else { Issue.record("expected enqueue"); return }
        #expect(stored.id == envelopeID && stored.sender == alice && stored.recipient == bob && stored.ciphertext?.count == 100)
        let events = actions.compactMap { if case let .record(event) = $0 { event } else { nil } }
        #expect(events == [MetadataEvent(time: harness.time, kind: .envelope(sender: alice, recipient: bob, kind: .user, size: SizeBucket(byteCount: 100), id: envelopeID))])
        #expect(harness.core.queuedCount == 1)

        _ = harness.frame(b, .ack(envelopeIDs: [envelopeID]))
        #expect(harness.core.queuedCount == 0)
        #expect(harness.writes.last == .acknowledge([envelopeID]))
    }

    @Test("a repeated send within the window gets the same accepted and is not queued again")
    func idempotency() {
        var harness = CoreHarness()
        let (a, _) = harness.register(alice)
        _ = harness.register(bob)
        let first = frames(send(&harness, from: a, to: bob, id: 1), to: a)
        harness.time += 1000
        let again = frames(send(&harness, from: a, to: bob, id: 1), to: a)
        #expect(first == again)
        #expect(harness.core.queuedCount == 1)
        #expect(harness.core.statistics.duplicates == 1)
        // After the 24-hour window the same id is a new envelope.
        harness.time += 86_400_000
        _ = harness.feed(.tick)
        let later = frames(send(&harness, from: a, to: bob, id: 1), to: a)
        #expect(later != first)
        #expect(harness.core.queuedCount == 2)
    }

    @Test("early delivery: only once nothing held for the connection waits (its welcome, an earlier held delivery); the sender's reply and the writes wait as before")
    func earlyDelivery() {
        var harness = CoreHarness()
        harness.core.deliversEarly = true
        let (a, _) = harness.register(alice)
        let (b, bobToken) = harness.register(bob)       // attached in turn 1, not released yet
        var actions = send(&harness, from: a, to: bob, id: 1, bytes: [1])
        #expect(deliveries(actions, to: b).map(\.ciphertext) == [[1]])   // behind the `registered` reply
        #expect(harness.core.early.isEmpty)

        harness.core.turns = RelayTurns(current: 2, released: 1)
        harness.writes.removeAll()
        actions = send(&harness, from: a, to: bob, id: 2, bytes: [2])
        #expect(deliveries(actions, to: b).isEmpty)
        #expect(deliveries(harness.core.early, to: b).map(\.ciphertext) == [[2]])
        guard case .accepted(clientMessageID: 2, _, _)? = frames(actions, to: a).first else {
            Issue.record("expected accepted in the turn's actions, got \(actions)"); return
        }
        #expect(harness.writes.count == 1)                 // the enqueue is written all the same
        let early = deliveries(harness.core.early, to: b)
        harness.core.early.removeAll()

        // An acknowledgement frees the window: what it pumps goes early too.
        harness.core.turns = RelayTurns(current: 3, released: 2)
        _ = harness.frame(b, .ack(envelopeIDs: early.map(\.id)))
        #expect(harness.writes.last == .acknowledge(early.map(\.id)))

        // A reconnect in turn 3: its redelivery and every delivery until turn 3 is out wait.
        _ = harness.feed(.closed(b))
        let b2 = harness.open()
        actions = harness.frame(b2, .hello(phone: bob, device: DeviceID(rawValue: 1)!, token: bobToken))
        #expect(frames(actions, to: b2).first == .welcome)
        #expect(deliveries(actions, to: b2).map(\.ciphertext) == [[1]])   // envelope 1 was never acknowledged
        actions = send(&harness, from: a, to: bob, id: 3, bytes: [3])
        #expect(deliveries(actions, to: b2).map(\.ciphertext) == [[3]])
        #expect(harness.core.early.isEmpty)
        harness.core.turns = RelayTurns(current: 4, released: 3)
        _ = send(&harness, from: a, to: bob, id: 4, bytes: [4])
        #expect(deliveries(harness.core.early, to: b2).map(\.ciphertext) == [[4]])
        harness.core.early.removeAll()

        // A delivery held behind a commit holds the later ones until its own turn is out, even
        // once the attaching turn is.
        _ = harness.feed(.closed(b2))
        let b3 = harness.open()
        _ = harness.frame(b3, .hello(phone: bob, device: DeviceID(rawValue: 1)!, token: bobToken))   // turn 4
        harness.core.turns = RelayTurns(current: 5, released: 3)
        actions = send(&harness, from: a, to: bob, id: 10, bytes: [10])                              // held in turn 5
        #expect(deliveries(actions, to: b3).map(\.ciphertext) == [[10]])
        harness.core.turns = RelayTurns(current: 6, released: 4)                                      // the welcome is out, turn 5 is not
        actions = send(&harness, from: a, to: bob, id: 11, bytes: [11])
        #expect(deliveries(actions, to: b3).map(\.ciphertext) == [[11]])
        #expect(harness.core.early.isEmpty)
        harness.core.turns = RelayTurns(current: 7, released: 6)
        _ = send(&harness, from: a, to: bob, id: 12, bytes: [12])
        #expect(deliveries(harness.core.early, to: b3).map(\.ciphertext) == [[12]])
    }

    @Test("offline recipient: envelopes wait, then arrive oldest first on hello; unacked ones are resent on reconnect")
    func offlineQueueAndRetransmission() {
        var harness = CoreHarness()
        let (a, _) = harness.register(alice)
        let (b, bobToken) = harness.register(bob)
        _ = harness.feed(.closed(b))
        var accepted: [EnvelopeID] = []
        for id in 1...5 as ClosedRange<UInt64> {
            for case let .send(_, .accepted(_, envelopeID, _), _) in send(&harness, from: a, to: bob, id: id) { accepted.append(envelopeID) }
        }
        #expect(accepted.count == 5)
        let b2 = harness.open()
        let delivered = deliveries(harness.frame(b2, .hello(phone: bob, device: DeviceID(rawValue: 1)!, token: bobToken)), to: b2)
        #expect(delivered.map(\.id) == accepted)
        _ = harness.frame(b2, .ack(envelopeIDs: Array(accepted.prefix(2))))
        _ = harness.feed(.closed(b2))
        let b3 = harness.open()
        let again = deliveries(harness.frame(b3, .hello(phone: bob, device: DeviceID(rawValue: 1)!, token: bobToken)), to: b3)
        #expect(again.map(\.id) == Array(accepted.suffix(3)))
    }

    @Test("the delivery window bounds envelopes in flight; acks release more")
    func deliveryWindow() {
        var harness = CoreHarness(limits: RelayLimits(deliveryWindow: 3))
        let (a, _) = harness.register(alice)
        let (b, _) = harness.register(bob)
        var delivered: [EnvelopeID] = []
        for id in 1...10 as ClosedRange<UInt64> { delivered += deliveries(send(&harness, from: a, to: bob, id: id), to: b).map(\.id) }
        #expect(delivered.count == 3)
        let more = deliveries(harness.frame(b, .ack(envelopeIDs: [delivered[0], delivered[1]])), to: b)
        #expect(more.count == 2)
        #expect(Set(more.map(\.id)).isDisjoint(with: delivered))
    }

    @Test("acks for another recipient's envelopes are ignored")
    func foreignAck() {
        var harness = CoreHarness()
        let (a, _) = harness.register(alice)
        _ = harness.register(bob)
        var envelopeID: EnvelopeID?
        for case let .send(_, .accepted(_, id, _), _) in send(&harness, from: a, to: bob, id: 1) { envelopeID = id }
        _ = harness.frame(a, .ack(envelopeIDs: [envelopeID!]))
        #expect(harness.core.queuedCount == 1)
    }

    @Test("unknown recipient → 400; queue limit → 402; admission denial → 403 for business envelopes only")
    func refusals() {
        var harness = CoreHarness(limits: RelayLimits(maximumQueuedPerRecipient: 2), policy: DenyingPolicy(denied: shop))
        let (a, _) = harness.register(alice)
        let (s, _) = harness.register(shop)
        let (b, _) = harness.register(bob)
        _ = harness.feed(.closed(b))
        func code(_ actions: [RelayAction], _ connection: ConnectionID) -> WireErrorCode? { errorCode(frames(actions, to: connection)) }
        #expect(code(send(&harness, from: a, to: phone("+15555550000"), id: 1), a) == .unknownRecipient)
        #expect(code(send(&harness, from: s, to: bob, id: 1, kind: .business(.marketing)), s) == .admissionDenied)
        #expect(code(send(&harness, from: s, to: bob, id: 2, kind: .user), s) == nil)
        #expect(code(send(&harness, from: a, to: bob, id: 2), a) == nil)
        #expect(code(send(&harness, from: a, to: bob, id: 3), a) == .rateLimited)
        #expect(harness.core.statistics.denied == 1)
    }

    @Test("a blocked sender's envelopes are accepted, kept as tombstones, never delivered")
    func blocking() {
        var harness = CoreHarness()
        let (s, _) = harness.register(shop)
        let (b, _) = harness.register(bob)
        let blockActions = harness.frame(b, .block(blocked: shop, reason: .spam), requestID: 3)
        #expect(frames(blockActions, to: b) == [.ok])
        #expect(harness.writes.last == .block(blocker: bob, blocked: shop, reason: .spam, time: harness.time))
        let actions = send(&harness, from: s, to: bob, id: 1, kind: .business(.marketing))
        #expect(frames(actions, to: s).count == 1)
        #expect(deliveries(actions, to: b).isEmpty)
        guard case let .enqueue(stored) = harness.writes.last else { Issue.record("expected a tombstone write"); return }
        #expect(stored.ciphertext == nil)
        #expect(harness.core.queuedCount == 0)
    }

    @Test("prekeys: oldest first, the last is kept, none → 401, unknown owner → 400")
    func preKeys() {
        var harness = CoreHarness()
        let (a, _) = harness.register(alice)
        let (b, _) = harness.register(bob)
        #expect(frames(harness.frame(a, .publishPreKeys(bundles: [[1], [2], [3]])), to: a) == [.ok])
        var handed: [[UInt8]] = []
        for _ in 0..<4 {
            for case let .preKeyBundle(_, bundle) in frames(harness.frame(b, .fetchPreKeys(owner: alice)), to: b) { handed.append(bundle) }
        }
        #expect(handed == [[1], [2], [3], [3]])
        let none = frames(harness.frame(a, .fetchPreKeys(owner: bob)), to: a)
        #expect(errorCode(none) == .noPreKeys)
        let unknown = frames(harness.frame(a, .fetchPreKeys(owner: phone("+15555550000"))), to: a)
        #expect(errorCode(unknown) == .unknownRecipient)
    }

    @Test("receipts are forwarded with the author as counterpart, held while the counterpart is offline")
    func receipts() {
        var harness = CoreHarness()
        let (a, aliceToken) = harness.register(alice)
        let (b, _) = harness.register(bob)
        let id = EnvelopeID(high: 1, low: 2)
        let online = harness.frame(b, .receipt(Receipt(kind: .read, counterpart: alice, envelopeIDs: [id])))
        #expect(frames(online, to: a) == [.receipt(Receipt(kind: .read, counterpart: bob, envelopeIDs: [id]))])
        _ = harness.feed(.closed(a))
        _ = harness.frame(b, .receipt(Receipt(kind: .delivered, counterpart: alice, envelopeIDs: [id])))
        let a2 = harness.open()
        let later = harness.frame(a2, .hello(phone: alice, device: DeviceID(rawValue: 1)!, token: aliceToken))
        #expect(frames(later, to: a2) == [.welcome, .receipt(Receipt(kind: .delivered, counterpart: bob, envelopeIDs: [id]))])
    }

    @Test("envelopes older than the TTL are expired, with a durable expire write")
    func ttl() {
        var harness = CoreHarness(limits: RelayLimits(envelopeTTLMilliseconds: 10_000))
        let (a, _) = harness.register(alice)
        let (b, _) = harness.register(bob)
        _ = harness.feed(.closed(b))
        _ = send(&harness, from: a, to: bob, id: 1)
        harness.time += 5_000
        _ = send(&harness, from: a, to: bob, id: 2)
        harness.time += 6_000
        _ = harness.feed(.tick)
        #expect(harness.core.queuedCount == 1)
        #expect(harness.core.statistics.expired == 1)
        #expect(harness.writes.last == .expire(envelopesBefore: harness.time - 10_000 + 1, tombstonesBefore: harness.time - 86_400_000 + 1))
    }

    @Test("a core rebuilt from its writes resumes: queue, registrations, idempotency")
    func resumeFromSnapshot() {
        var harness = CoreHarness()
        let (a, aliceToken) = harness.register(alice)
        let (b, bobToken) = harness.register(bob)
        _ = harness.feed(.closed(b))
        var accepted: [Frame] = []
        for id in 1...3 as ClosedRange<UInt64> { accepted += frames(send(&harness, from: a, to: bob, id: id), to: a) }
        // Replay the writes into a snapshot, as RelayStore would load it.
        var snapshot = RelaySnapshot()
        for write in harness.writes {
            switch write {
            case let .register(number, device, digest): snapshot.registrations[number] = .init(device: device, tokenDigest: digest)
            case let .enqueue(envelope): snapshot.envelopes.append(envelope)
            default: break
            }
        }
        var restarted = CoreHarness(snapshot: snapshot)
        restarted.time = harness.time
        let b2 = restarted.open()
        let delivered = deliveries(restarted.frame(b2, .hello(phone: bob, device: DeviceID(rawValue: 1)!, token: bobToken)), to: b2)
        #expect(delivered.count == 3)
        #expect(restarted.core.queuedCount == 3)
        // The idempotency window survived: re-sending id 2 after restart answers the original accepted.
        var resend = restarted
        let a3 = resend.open()
        _ = resend.frame(a3, .hello(phone: alice, device: DeviceID(rawValue: 1)!, token: aliceToken))
        let again = frames(send(&resend, from: a3, to: bob, id: 2), to: a3)
        #expect(again == [accepted[1]])
    }

    @Test("shutdown sends 501 to every connection and closes it")
    func shutdown() {
        var harness = CoreHarness()
        let (a, _) = harness.register(alice)
        let pending = harness.open()
        let actions = harness.feed(.shutdown)
        #expect(frames(actions, to: a) == [.error(code: .unavailable, message: "relay shutting down")])
        #expect(frames(actions, to: pending) == [.error(code: .unavailable, message: "relay shutting down")])
        #expect(actions.contains(.close(a)) && actions.contains(.close(pending)))
    }

    @Test("a connection that does not authenticate before its deadline gets 300 and is closed")
    func authenticationDeadline() {
        var harness = CoreHarness()
        let silent = harness.open()
        let (a, _) = harness.register(alice)
        #expect(harness.feed(.authenticationDeadline(a)).isEmpty)
        let actions = harness.feed(.authenticationDeadline(silent))
        #expect(frames(actions, to: silent) == [.error(code: .notAuthenticated, message: "not authenticated in time")])
        #expect(actions.last == .close(silent))
    }
}

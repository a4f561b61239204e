import Glibc
import Testing
@testable import Transport

/// The relay over real sockets: an in-process ``RelayHost`` on 127.0.0.1 and raw-frame clients.
/// Every exchange checks the frames themselves: ids, senders, bytes, order, request ids.
@Suite("Relay end to end", .timeLimit(.minutes(1)))
struct RelayEndToEndTests {
    static let device = RelayTestHost.device

    static func wallClock() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return UInt64(spec.tv_sec) * 1000 + UInt64(spec.tv_nsec) / 1_000_000
    }

    @Test func anEnvelopeIsAcceptedDeliveredToTheOnlineRecipientAndAcknowledged() throws {
        let relay = try RelayTestHost()
        let (alice, alicePhone, _) = try relay.registeredClient()
        let (bob, bobPhone, bobToken) = try relay.registeredClient()
        let ciphertext = SystemTestSupport.bytes(count: 1000, seed: 1)

        let before = Self.wallClock()
        let id = alice.makeRequestID()
        try alice.write(.send(OutgoingEnvelope(recipient: bobPhone, clientMessageID: 41, kind: .user, ciphertext: ciphertext)), requestID: id)
        let reply = try alice.requireFrame()
        let after = Self.wallClock()
        #expect(reply.requestID == id)
        guard case let .accepted(clientMessageID, envelopeID, time) = reply.frame else {
            Issue.record("expected accepted, got \(reply)")
            return
        }
        #expect(clientMessageID == 41)
        #expect(time >= before && time <= after)

        let delivered = try bob.deliveries(1)
        #expect(delivered == [DeliveredEnvelope(id: envelopeID, sender: alicePhone, serverTimeMilliseconds: time, kind: .user, ciphertext: ciphertext)])
        try bob.acknowledge([envelopeID])
        #expect(relay.waitUntil { $0.queuedCount == 0 })
        let statistics = try #require(relay.statistics)
        #expect(statistics.accepted == 1 && statistics.deliveries == 1 && statistics.acknowledged == 1)

        // Acknowledged: a new connection of Bob's gets nothing.
        bob.close()
        let again = try RelayTestClient(relay.address)
        #expect(try again.hello(bobPhone, device: Self.device, token: bobToken) == .welcome)
        #expect(try again.framesBeforePong() == [])
        #expect(try alice.framesBeforePong() == [])
    }

    @Test func anOfflineRecipientGetsItsQueueInOrderAfterHello() throws {
        let relay = try RelayTestHost()
        let (alice, alicePhone, _) = try relay.registeredClient()
        let (bob, bobPhone, bobToken) = try relay.registeredClient()
        bob.close()
        #expect(relay.waitUntil { $0.onlineCount == 1 })

        let messages = (0..<5).map { SystemTestSupport.bytes(count: 20 + $0, seed: 100 + UInt64($0)) }
        var accepted: [EnvelopeID] = []
        for (index, message) in messages.enumerated() {
            accepted.append(try alice.sendAccepted(to: bobPhone, clientMessageID: UInt64(index + 1), ciphertext: message).id)
        }
        #expect(Set(accepted).count == 5)
        #expect(relay.queuedCount == 5)

        let back = try RelayTestClient(relay.address)
        #expect(try back.hello(bobPhone, device: Self.device, token: bobToken) == .welcome)
        let delivered = try back.deliveries(5)
        #expect(delivered.map(\.id) == accepted)
        #expect(delivered.map(\.ciphertext) == messages)
        #expect(delivered.allSatisfy { $0.sender == alicePhone && $0.kind == .user })
        #expect(delivered.map(\.serverTimeMilliseconds) == delivered.map(\.serverTimeMilliseconds).sorted())
        #expect(try back.framesBeforePong() == [])
    }

    @Test func unacknowledgedEnvelopesAreDeliveredAgainOnReconnect() throws {
        let relay = try RelayTestHost()
        let (alice, _, _) = try relay.registeredClient()
        let (firstBob, bobPhone, bobToken) = try relay.registeredClient()
        var bob = firstBob
        let messages = (0..<3).map { SystemTestSupport.bytes(count: 64, seed: 200 + UInt64($0)) }
        var ids: [EnvelopeID] = []
        for (index, message) in messages.enumerated() {
            ids.append(try alice.sendAccepted(to: bobPhone, clientMessageID: UInt64(index), ciphertext: message).id)
        }
        #expect(try bob.deliveries(3).map(\.id) == ids)
        try bob.acknowledge([ids[1]])
        #expect(try bob.framesBeforePong() == [])   // the ack was processed before the close
        bob.close()

        bob = try RelayTestClient(relay.address)
        #expect(try bob.hello(bobPhone, device: Self.device, token: bobToken) == .welcome)
        let again = try bob.deliveries(2)
        #expect(again.map(\.id) == [ids[0], ids[2]])
        #expect(again.map(\.ciphertext) == [messages[0], messages[2]])
        #expect(try bob.framesBeforePong() == [])
        try bob.acknowledge([ids[0], ids[2]])
        #expect(relay.waitUntil { $0.queuedCount == 0 })
        bob.close()

        bob = try RelayTestClient(relay.address)
        #expect(try bob.hello(bobPhone, device: Self.device, token: bobToken) == .welcome)
        #expect(try bob.framesBeforePong() == [])
        #expect(relay.statistics?.deliveries == 5)
    }

    @Test func aRepeatedSendGetsTheSameEnvelopeAndIsDeliveredOnce() throws {
        let relay = try RelayTestHost()
        let (alice, _, _) = try relay.registeredClient()
        let (bob, bobPhone, _) = try relay.registeredClient()
        let ciphertext = SystemTestSupport.bytes(count: 77, seed: 7)
        let first = try alice.send(to: bobPhone, clientMessageID: 7, ciphertext: ciphertext)
        let second = try alice.send(to: bobPhone, clientMessageID: 7, ciphertext: ciphertext)
        // Even with other bytes the key is (sender, client message id): the first answer stands.
        let third = try alice.send(to: bobPhone, clientMessageID: 7, ciphertext: [1, 2, 3])
        guard case let .accepted(_, id, _) = first else {
            Issue.record("expected accepted, got \(first)")
            return
        }
        #expect(second == first)
        #expect(third == first)
        let delivered = try bob.deliveries(1)
        #expect(delivered.map(\.id) == [id])
        #expect(delivered.first?.ciphertext == ciphertext)
        #expect(try bob.framesBeforePong() == [])
        let statistics = try #require(relay.statistics)
        #expect(statistics.accepted == 1 && statistics.duplicates == 2 && statistics.deliveries == 1)
        // Another client message id is another envelope.
        let other = try alice.sendAccepted(to: bobPhone, clientMessageID: 8, ciphertext: ciphertext)
        #expect(other.id != id)
        #expect(try bob.deliveries(1).map(\.id) == [other.id])
    }

    @Test func acknowledgementsOfUnknownOrOthersEnvelopesAreIgnored() throws {
        let relay = try RelayTestHost()
        let (alice, _, _) = try relay.registeredClient()
        let (bob, bobPhone, _) = try relay.registeredClient()
        let (carol, carolPhone, carolToken) = try relay.registeredClient()
        let toBob = try alice.sendAccepted(to: bobPhone, clientMessageID: 1, ciphertext: [1])
        let toCarol = try alice.sendAccepted(to: carolPhone, clientMessageID: 2, ciphertext: [2])
        #expect(try bob.deliveries(1).map(\.id) == [toBob.id])
        #expect(try carol.deliveries(1).map(\.id) == [toCarol.id])
        // Bob acknowledges Carol's envelope and an id that never existed: no reply, nothing deleted.
        try bob.acknowledge([toCarol.id, EnvelopeID(high: 0xDEAD, low: 0xBEEF)])
        #expect(try bob.framesBeforePong() == [])
        #expect(relay.queuedCount == 2)
        carol.close()
        let carolAgain = try RelayTestClient(relay.address)
        #expect(try carolAgain.hello(carolPhone, device: Self.device, token: carolToken) == .welcome)
        #expect(try carolAgain.deliveries(1).map(\.id) == [toCarol.id])
        #expect(relay.statistics?.acknowledged == 0)
    }

    @Test func aQueueLongerThanTheDeliveryWindowIsDeliveredAsAcknowledgementsComeIn() throws {
        let relay = try RelayTestHost()
        let (alice, _, _) = try relay.registeredClient()
        let (bob, bobPhone, bobToken) = try relay.registeredClient()
        bob.close()
        #expect(relay.waitUntil { $0.onlineCount == 1 })
        let count = 600, window = RelayLimits().deliveryWindow
        // Pipelined: all sends in one write, then their answers.
        var stream: [UInt8] = []
        for index in 0..<count {
            let envelope = OutgoingEnvelope(recipient: bobPhone, clientMessageID: UInt64(index), kind: .user,
                                            ciphertext: RelayTestClient.bigEndian(UInt32(index)))
            stream += try FrameEncoder().encode(.send(envelope), requestID: RequestID(rawValue: UInt32(index + 1)))
        }
        try alice.writeRaw(stream)
        var ids: [EnvelopeID] = []
        for index in 0..<count {
            let reply = try alice.requireFrame()
            guard case let .accepted(clientMessageID, id, _) = reply.frame, clientMessageID == UInt64(index),
                  reply.requestID == RequestID(rawValue: UInt32(index + 1)) else {
                Issue.record("answer \(index): \(reply)")
                return
            }
            ids.append(id)
        }

        let back = try RelayTestClient(relay.address)
        #expect(try back.hello(bobPhone, device: Self.device, token: bobToken) == .welcome)
        var delivered = try back.framesBeforePong().compactMap { frame -> EnvelopeID? in
            if case let .deliver(envelope) = frame { return envelope.id }
            return nil
        }
        #expect(delivered == Array(ids.prefix(window)))
        try back.acknowledge(Array(ids[0..<100]))
        delivered += try back.deliveries(count - window).map(\.id)
        #expect(delivered == ids)
        #expect(try back.framesBeforePong() == [])
        for start in stride(from: 100, to: count, by: 256) {
            try back.acknowledge(Array(ids[start..<min(count, start + 256)]))
        }
        #expect(relay.waitUntil { $0.queuedCount == 0 })
        #expect(relay.statistics?.deliveries == count)
    }

    @Test func aReportIsAnsweredOkAndCounted() throws {
        let relay = try RelayTestHost()
        let (shop, shopPhone, _) = try relay.registeredClient()
        let (alice, alicePhone, _) = try relay.registeredClient()
        let spam = try shop.sendAccepted(to: alicePhone, clientMessageID: 1, ciphertext: [7], kind: .business(.marketing))
        #expect(try alice.deliveries(1).map(\.kind) == [.business(.marketing)])
        #expect(try alice.request(.report(SpamReport(business: shopPhone, reason: .spam, envelopeID: spam.id))) == .ok)
        #expect(try alice.request(.report(SpamReport(business: shopPhone, reason: .other, envelopeID: nil))) == .ok)
        #expect(relay.statistics?.reports == 2)
    }

    @Test func anUnknownRecipientGets400AndTheConnectionStays() throws {
        let relay = try RelayTestHost()
        let (alice, _, _) = try relay.registeredClient()
        let (bob, bobPhone, _) = try relay.registeredClient()
        let id = alice.makeRequestID()
        try alice.write(.send(OutgoingEnvelope(recipient: RelayTestHost.phone(999), clientMessageID: 1, kind: .user, ciphertext: [9])), requestID: id)
        let reply = try alice.requireFrame()
        #expect(reply.requestID == id)
        #expect(reply.frame.relayTestErrorCode == 400)
        #expect(relay.statistics?.accepted == 0)
        // Still open and authenticated; the refused id was not remembered.
        let accepted = try alice.sendAccepted(to: bobPhone, clientMessageID: 1, ciphertext: [9])
        #expect(try bob.deliveries(1).map(\.id) == [accepted.id])
    }

    @Test func helloWithAWrongTokenGets302AndTheConnectionCloses() throws {
        let relay = try RelayTestHost()
        let (_, alicePhone, token) = try relay.registeredClient()
        var wrong = token.bytes
        wrong[31] ^= 0x01
        let attempts: [Frame] = [
            .hello(phone: alicePhone, device: Self.device, token: try #require(RelayToken(bytes: wrong))),
            .hello(phone: alicePhone, device: try #require(DeviceID(rawValue: 2)), token: token),
            .hello(phone: RelayTestHost.phone(999), device: Self.device, token: token),
        ]
        for attempt in attempts {
            let client = try RelayTestClient(relay.address)
            try client.write(attempt, requestID: 77)
            let frames = try client.framesUntilClosed()
            #expect(frames.count == 1, "\(attempt)")
            #expect(frames.first?.requestID == 77)
            #expect(frames.first?.frame.relayTestErrorCode == 302)
        }
        let right = try RelayTestClient(relay.address)
        #expect(try right.hello(alicePhone, device: Self.device, token: token) == .welcome)
    }

    @Test func registeringAgainReplacesTheEarlierDeviceWith303() throws {
        let relay = try RelayTestHost()
        let (first, phone, oldToken) = try relay.registeredClient()
        let second = try RelayTestClient(relay.address)
        let newToken = try second.register(phone, device: try #require(DeviceID(rawValue: 2)))
        #expect(newToken != oldToken)
        let frames = try first.framesUntilClosed()
        #expect(frames.map(\.frame.relayTestErrorCode) == [303])
        #expect(frames.map(\.requestID) == [.zero])
        let stale = try RelayTestClient(relay.address)
        #expect(try stale.hello(phone, device: Self.device, token: oldToken).relayTestErrorCode == 302)
    }

    @Test func aBlockedSendersEnvelopesAreAcceptedButNeverDelivered() throws {
        let relay = try RelayTestHost()
        let (spammer, spammerPhone, _) = try relay.registeredClient()
        let (firstBob, bobPhone, bobToken) = try relay.registeredClient()
        var bob = firstBob
        let (friend, friendPhone, _) = try relay.registeredClient()
        #expect(try bob.request(.block(blocked: spammerPhone, reason: .spam)) == .ok)

        let dropped = try spammer.sendAccepted(to: bobPhone, clientMessageID: 1, ciphertext: [0xAA, 0xBB])
        // The repeat is answered the same way, so the block stays invisible to the sender.
        #expect(try spammer.send(to: bobPhone, clientMessageID: 1, ciphertext: [0xAA, 0xBB])
            == .accepted(clientMessageID: 1, envelopeID: dropped.id, serverTimeMilliseconds: dropped.time))
        let kept = try friend.sendAccepted(to: bobPhone, clientMessageID: 1, ciphertext: [0xCC])
        let delivered = try bob.deliveries(1)
        #expect(delivered.map(\.id) == [kept.id])
        #expect(delivered.first?.sender == friendPhone)
        #expect(try bob.framesBeforePong() == [])
        bob.close()

        bob = try RelayTestClient(relay.address)
        #expect(try bob.hello(bobPhone, device: Self.device, token: bobToken) == .welcome)
        #expect(try bob.deliveries(1).map(\.id) == [kept.id])
        #expect(try bob.framesBeforePong() == [])
        let statistics = try #require(relay.statistics)
        #expect(statistics.accepted == 2 && statistics.droppedByBlock == 1 && statistics.blocks == 1)
        #expect(relay.queuedCount == 1)
    }

    @Test func preKeysAreHandedOutOldestFirstAndTheLastOneIsKept() throws {
        let relay = try RelayTestHost()
        let (alice, alicePhone, _) = try relay.registeredClient()
        let (bob, _, _) = try relay.registeredClient()
        #expect(try bob.request(.fetchPreKeys(owner: alicePhone)).relayTestErrorCode == 401)
        #expect(try bob.request(.fetchPreKeys(owner: RelayTestHost.phone(999))).relayTestErrorCode == 400)

        let bundles = (1...3).map { SystemTestSupport.bytes(count: 100 * $0, seed: 300 + UInt64($0)) }
        #expect(try alice.request(.publishPreKeys(bundles: bundles)) == .ok)
        var fetched: [[UInt8]] = []
        for _ in 0..<5 {
            let reply = try bob.request(.fetchPreKeys(owner: alicePhone))
            guard case let .preKeyBundle(owner, bundle) = reply, owner == alicePhone else {
                Issue.record("expected alice's bundle, got \(reply)")
                return
            }
            fetched.append(bundle)
        }
        #expect(fetched == [bundles[0], bundles[1], bundles[2], bundles[2], bundles[2]])

        // Publishing replaces the list, and survives a restart.
        let fresh = [[UInt8](repeating: 4, count: 2048), [5]]
        #expect(try alice.request(.publishPreKeys(bundles: fresh)) == .ok)
        #expect(try bob.request(.fetchPreKeys(owner: alicePhone)) == .preKeyBundle(owner: alicePhone, bundle: fresh[0]))
        try relay.restart()
        let later = try RelayTestClient(relay.address)
        _ = try later.register(RelayTestHost.phone(50), device: Self.device)
        #expect(try later.request(.fetchPreKeys(owner: alicePhone)) == .preKeyBundle(owner: alicePhone, bundle: fresh[1]))
        #expect(try later.request(.fetchPreKeys(owner: alicePhone)) == .preKeyBundle(owner: alicePhone, bundle: fresh[1]))
    }

    @Test func receiptsAreForwardedWithTheAuthorAsCounterpart() throws {
        let relay = try RelayTestHost()
        let (firstAlice, alicePhone, aliceToken) = try relay.registeredClient()
        var alice = firstAlice
        let (bob, bobPhone, _) = try relay.registeredClient()
        let first = try alice.sendAccepted(to: bobPhone, clientMessageID: 1, ciphertext: [1])
        let second = try alice.sendAccepted(to: bobPhone, clientMessageID: 2, ciphertext: [2])
        #expect(try bob.deliveries(2).map(\.id) == [first.id, second.id])

        try bob.write(.receipt(Receipt(kind: .delivered, counterpart: alicePhone, envelopeIDs: [first.id, second.id])))
        let forwarded = try alice.requireFrame()
        #expect(forwarded.requestID == .zero)
        #expect(forwarded.frame == .receipt(Receipt(kind: .delivered, counterpart: bobPhone, envelopeIDs: [first.id, second.id])))

        // Held while the counterpart is offline, forwarded after its hello.
        alice.close()
        #expect(relay.waitUntil { $0.onlineCount == 1 })
        try bob.write(.receipt(Receipt(kind: .read, counterpart: alicePhone, envelopeIDs: [second.id])))
        #expect(try bob.framesBeforePong() == [])
        alice = try RelayTestClient(relay.address)
        #expect(try alice.hello(alicePhone, device: Self.device, token: aliceToken) == .welcome)
        #expect(try alice.requireFrame() == DecodedFrame(
            requestID: .zero, frame: .receipt(Receipt(kind: .read, counterpart: bobPhone, envelopeIDs: [second.id]))
        ))
        #expect(try alice.framesBeforePong() == [])

        // A receipt for an unknown counterpart is refused with 400, echoing its request id.
        let refused = try bob.request(.receipt(Receipt(kind: .read, counterpart: RelayTestHost.phone(999), envelopeIDs: [first.id])))
        #expect(refused.relayTestErrorCode == 400)
    }

    @Test func aRestartKeepsRegistrationsTheQueueBlocksAndIdempotency() throws {
        let relay = try RelayTestHost()
        let (alice, alicePhone, aliceToken) = try relay.registeredClient()
        let (bob, bobPhone, bobToken) = try relay.registeredClient()
        let (spammer, spammerPhone, _) = try relay.registeredClient()
        #expect(try bob.request(.block(blocked: spammerPhone, reason: .offensive)) == .ok)
        bob.close()
        #expect(relay.waitUntil { $0.onlineCount == 2 })
        let messages = (0..<3).map { SystemTestSupport.bytes(count: 500, seed: 400 + UInt64($0)) }
        var accepted: [(id: EnvelopeID, time: UInt64)] = []
        for (index, message) in messages.enumerated() {
            accepted.append(try alice.sendAccepted(to: bobPhone, clientMessageID: UInt64(index + 1), ciphertext: message))
        }
        _ = try spammer.sendAccepted(to: bobPhone, clientMessageID: 1, ciphertext: [0xEE])

        try relay.restart()
        #expect(relay.queuedCount == 3)
        #expect(try alice.framesUntilClosed().map(\.frame.relayTestErrorCode) == [501])

        let bobAgain = try RelayTestClient(relay.address)
        #expect(try bobAgain.hello(bobPhone, device: Self.device, token: bobToken) == .welcome)
        let delivered = try bobAgain.deliveries(3)
        #expect(delivered.map(\.id) == accepted.map(\.id))
        #expect(delivered.map(\.ciphertext) == messages)
        #expect(delivered.map(\.serverTimeMilliseconds) == accepted.map(\.time))
        #expect(delivered.allSatisfy { $0.sender == alicePhone })

        let aliceAgain = try RelayTestClient(relay.address)
        #expect(try aliceAgain.hello(alicePhone, device: Self.device, token: aliceToken) == .welcome)
        #expect(try aliceAgain.send(to: bobPhone, clientMessageID: 2, ciphertext: messages[1])
            == .accepted(clientMessageID: 2, envelopeID: accepted[1].id, serverTimeMilliseconds: accepted[1].time))
        let spammerAgain = try RelayTestClient(relay.address)
        _ = try spammerAgain.register(spammerPhone, device: Self.device)
        _ = try spammerAgain.sendAccepted(to: bobPhone, clientMessageID: 2, ciphertext: [0xEF])
        #expect(try bobAgain.framesBeforePong() == [])
        #expect(relay.statistics?.accepted == 1)
        #expect(relay.statistics?.droppedByBlock == 1)
    }
}

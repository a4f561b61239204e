import Client
import Crypto
import Foundation
import Testing
import Transport

/// Phones against a real relay (`RelayHost` on 127.0.0.1, ephemeral port, temporary data
/// directory). Every wait is bounded by a few seconds.
@Suite(.serialized) struct PhoneRelayTests {
    let relay: TestRelay
    let directory: Fixture.TemporaryDirectory
    let alice: PhoneNumber
    let bob: PhoneNumber

    init() throws {
        relay = try TestRelay()
        directory = try Fixture.TemporaryDirectory()
        alice = try Fixture.phone("+14155550101")
        bob = try Fixture.phone("+14155550102")
    }

    func register(_ phone: PhoneNumber, _ name: String, device: UInt32 = 1) throws -> Phone {
        try Phone.register(
            phone: phone, device: try Fixture.device(device), relay: relay.address,
            stateFile: StateFile(path: directory.file(name)), options: Fixture.options)
    }

    func reopen(_ name: String) throws -> Phone {
        try Phone.open(stateFile: StateFile(path: directory.file(name)), relay: relay.address, options: Fixture.options)
    }

    @Test func twoPhonesExchangeEncryptedMessagesBothWays() throws {
        let a = try register(alice, "alice.state")
        let b = try register(bob, "bob.state")
        let sent = try a.send(text: "hello bob", to: bob)
        let first = try #require(try b.nextMessage())
        #expect(first.text == "hello bob")
        #expect(first.sender == alice)
        #expect(first.envelopeID == sent.envelopeID)
        #expect(first.kind == .user)
        #expect(first.serverTimeMilliseconds == sent.serverTimeMilliseconds)
        let reply = try b.send(text: "hi alice", to: alice)
        let second = try #require(try a.nextMessage())
        #expect(second.text == "hi alice")
        #expect(second.sender == bob)
        #expect(second.envelopeID == reply.envelopeID)
        // A few more rounds, with ratchet steps, and a business-labelled message.
        for round in 0..<3 {
            try a.send(text: "a\(round)", to: bob)
            #expect(try b.nextMessage()?.text == "a\(round)")
            try b.send(Array("b\(round)".utf8), to: alice, kind: .business(.service))
            let message = try #require(try a.nextMessage())
            #expect(message.text == "b\(round)")
            #expect(message.kind == .business(.service))
        }
        // Sessions survive a restart of both phones.
        a.close()
        b.close()
        let a2 = try reopen("alice.state")
        let b2 = try reopen("bob.state")
        try a2.connect()
        try b2.connect()
        try a2.send(text: "after restart", to: bob)
        #expect(try b2.nextMessage()?.text == "after restart")
        try b2.send(text: "still here", to: alice)
        #expect(try a2.nextMessage()?.text == "still here")
    }

    @Test func theRelayNeverSeesPlaintext() throws {
        let a = try register(alice, "alice.state")
        _ = try register(bob, "bob.state")
        let secret = "the vault code is 4711"
        let sent = try a.send(text: secret, to: bob)
        _ = sent
        // Everything the relay stored on disk: no trace of the plaintext.
        let enumerator = FileManager.default.enumerator(atPath: relay.directory.path)
        var checked = 0
        while let name = enumerator?.nextObject() as? String {
            let path = relay.directory.file(name)
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            checked += 1
            #expect(data.range(of: Data(secret.utf8)) == nil, "\(name) holds the plaintext")
        }
        #expect(checked > 0)
    }

    @Test func anOfflineRecipientGetsQueuedMessagesInOrderExactlyOnce() throws {
        let b = try register(bob, "bob.state")
        b.close() // Bob goes offline (and releases his state file)
        let a = try register(alice, "alice.state")
        let texts = (1...5).map { "queued \($0)" }
        var sentIDs: [EnvelopeID] = []
        for text in texts { sentIDs.append(try a.send(text: text, to: bob).envelopeID) }

        let b2 = try reopen("bob.state")
        try b2.connect()
        var received: [ReceivedMessage] = []
        while let message = try b2.nextMessage(timeout: .seconds(2)) { received.append(message) }
        #expect(received.map(\.text) == texts)
        #expect(received.map(\.envelopeID) == sentIDs)
        #expect(received.allSatisfy { $0.sender == alice })
        b2.close()

        // Everything was acknowledged after being recorded: nothing comes again.
        #expect(relay.waitUntil { relay.queuedCount == 0 }, "the relay still holds \(relay.queuedCount) envelopes")
        let b3 = try reopen("bob.state")
        try b3.connect()
        #expect(try b3.receive(timeout: .milliseconds(500)) == nil)
        #expect(b3.state.seen.ids.suffix(5) == sentIDs[...])
    }

    @Test func bundlesMadeButNeverPublishedArePublishedOnConnect() throws {
        let b = try register(bob, "bob.state") // bundles 1…5, published
        #expect(b.state.preKeysPublished)
        b.close()
        // Bob's phone makes and records new bundles, then dies before the relay confirms them.
        let file = StateFile(path: directory.file("bob.state"))
        var state = try file.load()
        _ = try state.makePreKeyBundles(count: 2) // ids 6, 7
        #expect(!state.preKeysPublished)
        try file.save(state)
        let b2 = try reopen("bob.state")
        try b2.connect()
        #expect(b2.state.preKeysPublished)
        #expect(b2.state.nextPreKeyID == 13) // 8…12 made and published
        let a = try register(alice, "alice.state")
        #expect(try a.fetchPreKeyBundle(of: bob).signedPreKeyID == 8)
        try a.send(text: "fresh keys", to: bob)
        #expect(try b2.nextMessage()?.text == "fresh keys")
    }

    @Test func anEnvelopeRecordedButNotAcknowledgedIsNotShownAgain() throws {
        let b = try register(bob, "bob.state")
        b.close()
        let a = try register(alice, "alice.state")
        let sent = try a.send(text: "once", to: bob)
        // Bob's phone records the envelope, then dies before its `ack` goes out.
        let file = StateFile(path: directory.file("bob.state"))
        var state = try file.load()
        let raw = try RelayConnection(connectingTo: relay.address, timeout: .seconds(3))
        let welcome = try raw.request(.hello(phone: bob, device: state.device, token: state.token), timeout: .seconds(3))
        #expect(welcome == .welcome)
        guard case let .deliver(delivered)? = try raw.nextEvent(timeout: .seconds(3)) else {
            Issue.record("the relay must deliver the queued envelope"); return
        }
        #expect(delivered.id == sent.envelopeID)
        guard case let .message(message) = state.open(delivered) else { Issue.record("the envelope must open"); return }
        #expect(message.text == "once")
        try file.save(state)
        raw.close()
        #expect(relay.queuedCount == 1)
        // On restart the relay delivers it again; the phone recognises it, acknowledges it, shows nothing.
        let b2 = try reopen("bob.state")
        try b2.connect()
        #expect(try b2.receive(timeout: .seconds(1)) == nil) // no message, and no undecryptable replay either
        #expect(relay.waitUntil { relay.queuedCount == 0 }, "the redelivery was not acknowledged")
    }

    @Test func receiptsReachTheSender() throws {
        let a = try register(alice, "alice.state")
        let b = try register(bob, "bob.state")
        let first = try a.send(text: "one", to: bob)
        let second = try a.send(text: "two", to: bob)
        let m1 = try #require(try b.nextMessage())
        let m2 = try #require(try b.nextMessage())
        try b.sendReceipt(.delivered, for: [m1.envelopeID, m2.envelopeID], to: alice)
        try b.sendReceipt(.read, for: m2)
        let delivered = try #require(try a.nextReceipt())
        #expect(delivered.kind == .delivered)
        #expect(delivered.counterpart == bob)
        #expect(delivered.envelopeIDs == [first.envelopeID, second.envelopeID])
        let read = try #require(try a.nextReceipt())
        #expect(read.kind == .read)
        #expect(read.counterpart == bob)
        #expect(read.envelopeIDs == [second.envelopeID])
    }

    @Test func receiptsForAnOfflineSenderArriveWhenItReconnects() throws {
        let a = try register(alice, "alice.state")
        let b = try register(bob, "bob.state")
        let sent = try a.send(text: "read me later", to: bob)
        a.close()
        let message = try #require(try b.nextMessage())
        try b.sendReceipt(.read, for: message)
        let a2 = try reopen("alice.state")
        try a2.connect()
        let receipt = try #require(try a2.nextReceipt())
        #expect(receipt.kind == .read)
        #expect(receipt.envelopeIDs == [sent.envelopeID])
    }

    @Test func aPendingSendResentAfterACrashKeepsItsEnvelopeID() throws {
        let a = try register(alice, "alice.state")
        let b = try register(bob, "bob.state")
        // Record the send (as `send` does before transmitting) and keep the file as it was then.
        let pending = try a.queue(Array("exactly once".utf8), to: bob)
        let file = directory.file("alice.state")
        let snapshot = try Data(contentsOf: URL(fileURLWithPath: file))
        let outcomes = try a.flushPendingSends()
        guard case let .accepted(first)? = outcomes.first, outcomes.count == 1 else {
            Issue.record("expected one accepted send, got \(outcomes)"); return
        }
        #expect(first.clientMessageID == pending.clientMessageID)
        #expect(a.state.pendingSends.isEmpty)
        // The crash: the process dies before it records `accepted`; the file still has the send.
        a.close()
        try snapshot.write(to: URL(fileURLWithPath: file))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file)
        let restarted = try reopen("alice.state")
        #expect(restarted.state.pendingSends == [pending])
        let resent = try restarted.connect()
        #expect(resent == [.accepted(first)]) // same client message id → same envelope id and time
        #expect(restarted.state.pendingSends.isEmpty)
        #expect(relay.statistics?.duplicates == 1)
        // Bob gets it once.
        #expect(try b.nextMessage()?.text == "exactly once")
        #expect(try b.nextMessage(timeout: .milliseconds(500)) == nil)
    }

    @Test func aBlockedSendersMessagesAreAcceptedButNotDelivered() throws {
        let a = try register(alice, "alice.state")
        let b = try register(bob, "bob.state")
        try a.send(text: "before the block", to: bob)
        #expect(try b.nextMessage()?.text == "before the block")
        try b.block(alice, reason: .spam)
        let hidden = try a.send(text: "after the block", to: bob) // accepted: the block is not revealed
        #expect(try b.nextMessage(timeout: .seconds(1)) == nil)
        b.close()
        let b2 = try reopen("bob.state")
        try b2.connect()
        let late = try b2.nextMessage(timeout: .milliseconds(500))
        #expect(late == nil, "delivered \(hidden.envelopeID) despite the block")
        #expect(relay.statistics?.droppedByBlock == 1)
    }

    @Test func reportsAreAcknowledged() throws {
        let a = try register(alice, "alice.state")
        let business = try Fixture.phone("+14155550999")
        let shop = try register(business, "shop.state")
        try shop.send(Array("50% off!".utf8), to: alice, kind: .business(.marketing))
        let message = try #require(try a.nextMessage())
        #expect(message.kind == .business(.marketing))
        try a.report(business: business, reason: .spam, envelope: message.envelopeID)
        try a.report(business: business, reason: .other)
    }

    @Test func relayRefusalsSurfaceWithTheirCode() throws {
        let a = try register(alice, "alice.state")
        let stranger = try Fixture.phone("+14155550777")
        do {
            try a.send(text: "anyone there?", to: stranger)
            Issue.record("sending to an unregistered number must fail")
        } catch {
            guard case .refused(.fetchPreKeys, .unknownRecipient, _) = error else { Issue.record("expected 400, got \(error)"); return }
            #expect(!error.isRetryable)
        }
        #expect(a.state.pendingSends.isEmpty)
        #expect(!a.state.hasSession(with: stranger))
    }

    @Test func aReplacedInstallationIsRefused() throws {
        let a = try register(alice, "alice.state")
        a.close()
        // The number registers again on another device with a fresh state file.
        let other = try register(alice, "alice-new.state", device: 2)
        defer { other.close() }
        let old = try reopen("alice.state")
        do {
            try old.connect()
            Issue.record("the replaced installation must be refused")
        } catch {
            guard case .refused(.hello, .authenticationFailed, _) = error else {
                Issue.record("expected 302, got \(error)"); return
            }
        }
    }

    @Test func theStateFileIsLockedWhileAPhoneUsesIt() throws {
        let a = try register(alice, "alice.state")
        #expect(throws: ClientError.state(StateFileError(path: directory.file("alice.state"), reason: .inUse))) {
            _ = try reopen("alice.state")
        }
        a.close()
        _ = try reopen("alice.state")
    }

    @Test func registeringNeverOverwritesAStateFile() throws {
        let a = try register(alice, "alice.state")
        a.close()
        #expect(throws: ClientError.state(StateFileError(path: directory.file("alice.state"), reason: .alreadyExists))) {
            _ = try register(alice, "alice.state")
        }
    }
}

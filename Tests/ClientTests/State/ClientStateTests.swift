import Client
import Crypto
import Testing
import Transport

/// The pure steps of `ClientState`: prekeys, sessions, sends, opening delivered envelopes.
@Suite struct ClientStateTests {
    @Test func bundlesHaveFreshIdsAndOnlyTheLastLacksAOneTimePreKey() throws {
        var state = try Fixture.state()
        let bundles = try state.makePreKeyBundles(count: 4)
        #expect(bundles.map(\.signedPreKeyID) == [1, 2, 3, 4])
        #expect(bundles.map { $0.oneTimePreKey?.id } == [1, 2, 3, nil])
        #expect(state.nextPreKeyID == 5)
        #expect(state.party.preKeys.signedPreKeys.keys.sorted() == [1, 2, 3, 4])
        #expect(state.party.preKeys.oneTimePreKeys.keys.sorted() == [1, 2, 3])
        let more = try state.makePreKeyBundles(count: 1)
        #expect(more.map(\.signedPreKeyID) == [5])
        #expect(more[0].oneTimePreKey == nil)
    }

    @Test func bundleCountsOutsideTheWireLimitsAreRefused() throws {
        var state = try Fixture.state()
        #expect(throws: ClientError.self) { try state.makePreKeyBundles(count: 0) }
        #expect(throws: ClientError.self) { try state.makePreKeyBundles(count: 101) }
        #expect(state.nextPreKeyID == 1)
    }

    @Test func queueingEncryptsAllocatesAnIdAndRecordsThePendingSend() throws {
        var (alice, bob) = try Self.pair()
        let first = try alice.queueMessage(Array("one".utf8), to: bob.phone, kind: .user)
        let second = try alice.queueMessage(Array("two".utf8), to: bob.phone, kind: .business(.utility))
        #expect(first.clientMessageID == 1001)
        #expect(second.clientMessageID == 1002)
        #expect(alice.nextClientMessageID == 1003)
        #expect(alice.pendingSends == [first, second])
        #expect(second.kind == .business(.utility))
        #expect(first.ciphertext != second.ciphertext)
        #expect(alice.completeSend(clientMessageID: 1001) == first)
        #expect(alice.completeSend(clientMessageID: 1001) == nil)
        #expect(alice.pendingSends == [second])
        // The recipient decrypts both, in either order of completion.
        guard case let .message(opened) = bob.open(Self.delivered(first, from: alice.phone, id: 1)) else {
            Issue.record("the first message must open"); return
        }
        #expect(opened.text == "one")
        guard case let .message(next) = bob.open(Self.delivered(second, from: alice.phone, id: 2)) else {
            Issue.record("the second message must open"); return
        }
        #expect(next.plaintext == Array("two".utf8))
        #expect(next.kind == .business(.utility))
    }

    @Test func queueingWithoutASessionFailsAndChangesNothing() throws {
        var state = try Fixture.state()
        let before = try state.serializedImage()
        #expect(throws: ClientError.self) { try state.queueMessage([1], to: try Fixture.phone("+14155550199"), kind: .user) }
        #expect(Array(try state.serializedImage()) == Array(before))
    }

    @Test func emptyMessagesAreRefused() throws {
        var (alice, bob) = try Self.pair()
        #expect(throws: ClientError.invalidArgument("a message needs at least one byte")) {
            try alice.queueMessage([], to: bob.phone, kind: .user)
        }
    }

    @Test func aRedeliveryIsADuplicateAndDamageIsUndecryptable() throws {
        var (alice, bob) = try Self.pair()
        let pending = try alice.queueMessage(Array("hello".utf8), to: bob.phone, kind: .user)
        let delivered = Self.delivered(pending, from: alice.phone, id: 9)
        guard case .message = bob.open(delivered) else { Issue.record("first delivery must open"); return }
        #expect(bob.open(delivered) == .duplicate)
        #expect(bob.seen.contains(delivered.id))
        // A damaged envelope: recorded (so it is acknowledged once), never shown, session intact.
        let next = try alice.queueMessage(Array("second".utf8), to: bob.phone, kind: .user)
        var damaged = Self.delivered(next, from: alice.phone, id: 10)
        damaged.ciphertext[damaged.ciphertext.count - 1] ^= 1
        guard case .undecryptable = bob.open(damaged) else { Issue.record("a damaged envelope must not open"); return }
        #expect(bob.seen.contains(damaged.id))
        #expect(bob.open(damaged) == .duplicate)
        guard case let .message(intact) = bob.open(Self.delivered(next, from: alice.phone, id: 11)) else {
            Issue.record("the intact copy must still open"); return
        }
        #expect(intact.text == "second")
    }

    @Test func theSameCiphertextUnderANewEnvelopeIDIsADuplicate() throws {
        // The relay delivers to online phones before its commit; if it crashes there, the sender
        // resends the same bytes and the relay gives them a new envelope id.
        var (alice, bob) = try Self.pair()
        let first = try alice.queueMessage(Array("once".utf8), to: bob.phone, kind: .user)
        let second = try alice.queueMessage(Array("twice".utf8), to: bob.phone, kind: .user)
        guard case .message = bob.open(Self.delivered(first, from: alice.phone, id: 20)) else { Issue.record("must open"); return }
        guard case .message = bob.open(Self.delivered(second, from: alice.phone, id: 21)) else { Issue.record("must open"); return }
        #expect(bob.open(Self.delivered(first, from: alice.phone, id: 30)) == .duplicate)   // the prekey message again
        #expect(bob.open(Self.delivered(second, from: alice.phone, id: 31)) == .duplicate)
        #expect(bob.seen.contains(Fixture.envelopeID(30)) && bob.seen.contains(Fixture.envelopeID(31)))
        // The session is unchanged: Alice's next message opens.
        let third = try alice.queueMessage(Array("next".utf8), to: bob.phone, kind: .user)
        guard case let .message(next) = bob.open(Self.delivered(third, from: alice.phone, id: 32)) else {
            Issue.record("the next message must open"); return
        }
        #expect(next.text == "next")
    }

    @Test func initialClientMessageIDsAreRandomAndInRange() throws {
        let a = try ClientState.initialClientMessageID(using: SeededRandom(seed: 1))
        let b = try ClientState.initialClientMessageID(using: SeededRandom(seed: 2))
        #expect(a != b)
        #expect((1..<(UInt64(1) << 62)).contains(a))
        #expect((1..<(UInt64(1) << 62)).contains(b))
    }

    // MARK: Helpers

    /// Alice (+…101) has a session with Bob (+…102) from one of Bob's bundles.
    static func pair() throws -> (alice: ClientState, bob: ClientState) {
        var alice = try Fixture.state("+14155550101", seed: 1)
        var bob = try Fixture.state("+14155550102", seed: 2)
        let bundles = try bob.makePreKeyBundles(count: 2)
        try alice.startSession(with: bob.phone, bundle: bundles[0])
        #expect(alice.hasSession(with: bob.phone))
        #expect(!bob.hasSession(with: alice.phone))
        return (alice, bob)
    }

    static func delivered(_ pending: PendingSend, from sender: PhoneNumber, id: UInt64) -> DeliveredEnvelope {
        DeliveredEnvelope(
            id: Fixture.envelopeID(id), sender: sender, serverTimeMilliseconds: 1_700_000_000_000 + id, kind: pending.kind,
            ciphertext: pending.ciphertext)
    }
}

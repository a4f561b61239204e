import Testing
@testable import Crypto

/// Seeded randomized conversations: reordering, drops, duplicates, tampering, limits, storage.
@Suite struct RatchetPropertyTests {
    /// A one-way conversation Alice → Bob after the handshake, with Bob's prekey message delivered.
    static func established(seed: UInt64) throws -> (alice: Conversation, bob: Conversation, random: SeededRandom) {
        var pair = try ConversationTests.pair(seed: seed)
        let hello = try pair.alice.encrypt([0], for: "bob")
        _ = try pair.bob.decrypt(hello, from: "alice")
        let reply = try pair.bob.encrypt([1], for: "alice")
        _ = try pair.alice.decrypt(reply, from: "bob")
        return (try unwrap(pair.alice.conversations["bob"]), try unwrap(pair.bob.conversations["alice"]), SeededRandom(seed: seed &* 31))
    }

    struct Missing: Error {}
    static func unwrap<T>(_ value: T?) throws -> T {
        guard let value else { throw Missing() }
        return value
    }

    @Test(arguments: 1...12 as ClosedRange<UInt64>)
    func anyDeliveryOrderWithDropsAndDuplicates(seed: UInt64) throws {
        var (alice, bob, random) = try Self.established(seed: seed)
        var generator = SystemRandomNumberGeneratorFromSeed(seed: seed)
        // Alice sends 60 messages over several of Bob's replies (DH ratchet steps in between).
        var inFlight: [(text: [UInt8], envelope: SessionEnvelope)] = []
        for index in 0..<60 {
            let text = Array("m\(index)".utf8)
            inFlight.append((text, try alice.encrypt(text)))
            if index % 15 == 14 {
                // Bob answers from time to time; Alice receives it, which ratchets her sending chain.
                _ = try alice.decrypt(try bob.encrypt([9]), random: random)
            }
        }
        inFlight.shuffle(using: &generator)
        var delivered = 0
        for (index, message) in inFlight.enumerated() {
            if index % 7 == 3 { continue } // dropped
            let plaintext = try bob.decrypt(message.envelope, random: random)
            #expect(plaintext == message.text, "seed \(seed)")
            delivered += 1
            if index % 5 == 0 {
                // A duplicate is refused and leaves the session as it was.
                let before = Array(bob.serialized())
                #expect(throws: ProtocolError.self, "seed \(seed)") { try bob.decrypt(message.envelope, random: random) }
                #expect(Array(bob.serialized()) == before, "seed \(seed)")
            }
        }
        #expect(delivered > 45)
    }

    @Test(arguments: 1...6 as ClosedRange<UInt64>)
    func tamperingIsRejectedAndChangesNothing(seed: UInt64) throws {
        var (alice, bob, random) = try Self.established(seed: seed)
        var generator = SystemRandomNumberGeneratorFromSeed(seed: seed)
        for _ in 0..<20 {
            let envelope = try alice.encrypt(Array("secret payload".utf8))
            var bytes = envelope.encoded
            let before = Array(bob.serialized())
            // Flip a bit in the header, the ciphertext or the tag, or truncate.
            switch Int.random(in: 0..<4, using: &generator) {
            case 0: bytes[Int.random(in: 1..<42, using: &generator)] ^= 1 << UInt8.random(in: 0..<8, using: &generator)
            case 1: bytes[Int.random(in: 42..<(bytes.count - 16), using: &generator)] ^= 0x80
            case 2: bytes[bytes.count - 1 - Int.random(in: 0..<16, using: &generator)] ^= 0x01
            default: bytes.removeLast(Int.random(in: 1...20, using: &generator))
            }
            if let tampered = try? SessionEnvelope(encoded: bytes) {
                #expect(throws: ProtocolError.self, "seed \(seed)") { try bob.decrypt(tampered, random: random) }
            }
            #expect(Array(bob.serialized()) == before, "seed \(seed)")
            // The genuine message still decrypts afterwards.
            #expect(try bob.decrypt(envelope, random: random) == Array("secret payload".utf8), "seed \(seed)")
        }
    }

    @Test func associatedDataIsBound() throws {
        var (alice, bob, random) = try Self.established(seed: 77)
        let envelope = try alice.encrypt([1, 2, 3])
        // The same session state under another identity pair's AD must not open it.
        var other = bob
        other.session = DoubleRatchetSession(copying: bob.session, associatedData: [UInt8](repeating: 5, count: 66))
        #expect(throws: ProtocolError.self) { try other.decrypt(envelope, random: random) }
        #expect(try bob.decrypt(envelope, random: random) == [1, 2, 3])
    }

    @Test func forwardJumpLimitIsEnforced() throws {
        var (alice, bob, random) = try Self.established(seed: 5)
        var last: SessionEnvelope?
        for _ in 0...25_001 { last = try alice.encrypt([7]) }
        let before = Array(bob.serialized())
        #expect(throws: ProtocolError.tooFarAhead(requested: 25_001, limit: 25_000)) {
            try bob.decrypt(try Self.unwrap(last), random: random)
        }
        #expect(Array(bob.serialized()) == before)
    }

    @Test func skippedKeysAreBoundedAndOldestEvicted() throws {
        var (alice, bob, random) = try Self.established(seed: 6)
        var envelopes: [SessionEnvelope] = []
        for index in 0..<2_100 { envelopes.append(try alice.encrypt(Array("\(index)".utf8))) }
        // Deliver only the last: 2 099 keys are skipped, only the newest 2 000 are kept.
        #expect(try bob.decrypt(envelopes[2_099], random: random) == Array("2099".utf8))
        #expect(bob.session.skipped.count == SkippedMessageKeys.maximumKeysPerChain)
        #expect(throws: ProtocolError.self) { try bob.decrypt(envelopes[0], random: random) }
        #expect(throws: ProtocolError.self) { try bob.decrypt(envelopes[98], random: random) }
        #expect(try bob.decrypt(envelopes[99], random: random) == Array("99".utf8))
        #expect(try bob.decrypt(envelopes[2_098], random: random) == Array("2098".utf8))
    }

    @Test(arguments: 1...4 as ClosedRange<UInt64>)
    func sessionsSurviveSerializationMidConversation(seed: UInt64) throws {
        var (alice, bob, random) = try Self.established(seed: seed)
        var pendingForBob: [SessionEnvelope] = []
        for round in 0..<10 {
            pendingForBob.append(try alice.encrypt(Array("a\(round)".utf8)))
            pendingForBob.append(try alice.encrypt(Array("b\(round)".utf8)))
            // Deliver the second first, keep the first skipped across a save/restore.
            #expect(try bob.decrypt(pendingForBob[pendingForBob.count - 1], random: random) == Array("b\(round)".utf8))
            bob = try Conversation(serialized: bob.serialized())
            alice = try Conversation(serialized: alice.serialized())
            #expect(try bob.decrypt(pendingForBob[pendingForBob.count - 2], random: random) == Array("a\(round)".utf8))
            _ = try alice.decrypt(try bob.encrypt([UInt8(round)]), random: random)
        }
    }

    @Test func corruptSerializationsAreRefused() throws {
        let (_, bob, _) = try Self.established(seed: 9)
        let bytes = Array(bob.serialized())
        #expect(throws: ProtocolError.self) { try Conversation(serialized: bytes.dropLast()) }
        #expect(throws: ProtocolError.self) { try Conversation(serialized: bytes + [0]) }
        var version = bytes
        version[0] = 9
        #expect(throws: ProtocolError.unsupportedVersion("serialized conversation", found: 9)) { try Conversation(serialized: version) }
    }

    /// Found by the `state-image` fuzz harness (Fuzz/regressions/state-image): a one-time prekey
    /// flag without its record was ignored on reading, so the record did not re-serialize to itself.
    @Test func oneTimePreKeyFlagsWithoutTheirRecordAreRefused() throws {
        let (alice, _, _) = try Self.established(seed: 9)
        let bytes = Array(alice.serialized())
        // Alice has heard back: no pending prekey (8) and, as the initiator, no responder base (32).
        #expect(bytes[1] & (8 | 32) == 0)
        for orphan: UInt8 in [16, 64] {
            var flagged = bytes
            flagged[1] |= orphan
            #expect(throws: ProtocolError.malformed(
                "serialized conversation", reason: "a one-time prekey flag without its record in flags \(flagged[1])")) {
                try Conversation(serialized: flagged)
            }
        }
    }
}

/// A seeded `RandomNumberGenerator` for shuffles and choices in tests.
struct SystemRandomNumberGeneratorFromSeed: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

extension DoubleRatchetSession {
    /// The same state under different associated data (to prove AD is authenticated).
    init(copying other: DoubleRatchetSession, associatedData: [UInt8]) {
        self.init(associatedData: associatedData, rootKey: other.rootKey, sendingRatchetKey: other.sendingRatchetKey)
        receivingRatchetKey = other.receivingRatchetKey
        sendingChainKey = other.sendingChainKey
        receivingChainKey = other.receivingChainKey
        sendCount = other.sendCount
        receiveCount = other.receiveCount
        previousSendCount = other.previousSendCount
        skipped = other.skipped
    }
}

@Suite struct SkippedChainLimitTests {
    /// Every DH ratchet step opens a receiving chain; only the five newest keep skipped keys.
    @Test func theSixthChainDropsTheOldestKeys() throws {
        var (alice, bob, random) = try RatchetPropertyTests.established(seed: 31)
        var early: [SessionEnvelope] = []
        for round in 0..<6 {
            // Alice sends two messages on a fresh chain; Bob gets only the second one.
            early.append(try alice.encrypt(Array("skip\(round)".utf8)))
            _ = try bob.decrypt(try alice.encrypt([UInt8(round)]), random: random)
            // Bob answers, so Alice's next messages open a new receiving chain at Bob.
            _ = try alice.decrypt(try bob.encrypt([0xB0]), random: random)
        }
        #expect(bob.session.skipped.chains.count == SkippedMessageKeys.maximumChains)
        // The first chain's skipped key was dropped with its chain; the second's is still there.
        #expect(throws: ProtocolError.self) { try bob.decrypt(early[0], random: random) }
        #expect(try bob.decrypt(early[2], random: random) == Array("skip2".utf8))
    }
}

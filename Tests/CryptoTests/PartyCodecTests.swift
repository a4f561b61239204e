import Testing
import Crypto

/// `Party.serialized()` / `Party(serialized:)`: a restored party carries on every conversation and
/// still accepts prekey messages for the prekeys it published; malformed images are refused.
@Suite struct PartyCodecTests {
    /// Alice has talked with Bob both ways; Bob has published three bundles (two with one-time
    /// prekeys) of which Alice used the first; Carol has initiated with Bob but not yet sent.
    static func parties() throws -> (alice: Party, bob: Party, bundles: [PreKeyBundle]) {
        var alice = try Party(random: SeededRandom(seed: 11))
        var bob = try Party(random: SeededRandom(seed: 12))
        let bundles = [
            try bob.makeBundle(signedPreKeyID: 1, oneTimePreKeyID: 101),
            try bob.makeBundle(signedPreKeyID: 2, oneTimePreKeyID: 102),
            try bob.makeBundle(signedPreKeyID: 3, oneTimePreKeyID: nil),
        ]
        try alice.initiate(with: "+14155550102", bundle: bundles[0])
        _ = try bob.decrypt(try alice.encrypt(Array("hello".utf8), for: "+14155550102"), from: "+14155550101")
        _ = try alice.decrypt(try bob.encrypt(Array("hi".utf8), for: "+14155550101"), from: "+14155550102")
        // A second conversation that is still pending (Alice keeps sending prekey messages).
        var dave = try Party(random: SeededRandom(seed: 13))
        try alice.initiate(with: "+14155550104", bundle: try dave.makeBundle(signedPreKeyID: 9, oneTimePreKeyID: 900))
        return (alice, bob, bundles)
    }

    @Test func roundTripIsCanonicalAndKeepsEveryPart() throws {
        let (alice, bob, _) = try Self.parties()
        for party in [alice, bob] {
            let bytes = Array(party.serialized())
            let restored = try Party(serialized: bytes, random: SeededRandom(seed: 99))
            #expect(Array(restored.serialized()) == bytes)
            #expect(restored.identity.publicKey == party.identity.publicKey)
            #expect(Set(restored.conversations.keys) == Set(party.conversations.keys))
            #expect(Set(restored.preKeys.signedPreKeys.keys) == Set(party.preKeys.signedPreKeys.keys))
            #expect(Set(restored.preKeys.oneTimePreKeys.keys) == Set(party.preKeys.oneTimePreKeys.keys))
        }
        #expect(bob.preKeys.signedPreKeys.keys.sorted() == [1, 2, 3])
        #expect(bob.preKeys.oneTimePreKeys.keys.sorted() == [102]) // 101 was consumed by Alice's message
        #expect(alice.conversations.keys.sorted() == ["+14155550102", "+14155550104"])
    }

    @Test func restoredPartiesCarryOnTheirConversations() throws {
        let (alice, bob, _) = try Self.parties()
        var alice2 = try Party(serialized: alice.serialized(), random: SeededRandom(seed: 21))
        var bob2 = try Party(serialized: bob.serialized(), random: SeededRandom(seed: 22))
        for round in 0..<5 {
            let there = Array("a\(round)".utf8)
            #expect(try bob2.decrypt(try alice2.encrypt(there, for: "+14155550102"), from: "+14155550101") == there)
            let back = Array("b\(round)".utf8)
            #expect(try alice2.decrypt(try bob2.encrypt(back, for: "+14155550101"), from: "+14155550102") == back)
            // Restore again mid-conversation.
            alice2 = try Party(serialized: alice2.serialized(), random: SeededRandom(seed: 30 + UInt64(round)))
            bob2 = try Party(serialized: bob2.serialized(), random: SeededRandom(seed: 40 + UInt64(round)))
        }
    }

    @Test func restoredPartyAcceptsNewSessionsOnItsPublishedPreKeys() throws {
        let (_, bob, bundles) = try Self.parties()
        var restored = try Party(serialized: bob.serialized(), random: SeededRandom(seed: 23))
        var carol = try Party(random: SeededRandom(seed: 24))
        try carol.initiate(with: "bob", bundle: bundles[1]) // signed prekey 2, one-time prekey 102
        #expect(try restored.decrypt(try carol.encrypt(Array("hey".utf8), for: "bob"), from: "carol") == Array("hey".utf8))
        #expect(restored.preKeys.oneTimePreKeys[102] == nil)
        // The consumed one-time prekey stays consumed across another restore.
        let again = try Party(serialized: restored.serialized())
        #expect(again.preKeys.oneTimePreKeys.isEmpty)
        #expect(again.conversations["carol"] != nil)
    }

    @Test func freshPartyRoundTrips() throws {
        let party = try Party(random: SeededRandom(seed: 5))
        let bytes = Array(party.serialized())
        #expect(bytes.count == 1 + 64 + 4 + 4 + 4)
        #expect(bytes[0] == Party.serializationVersion)
        #expect(Array(try Party(serialized: bytes).serialized()) == bytes)
    }

    @Test func wrongVersionIsRefused() throws {
        var bytes = Array(try Party(random: SeededRandom(seed: 5)).serialized())
        bytes[0] = 2
        #expect(throws: ProtocolError.unsupportedVersion("serialized party", found: 2)) { try Party(serialized: bytes) }
    }

    @Test func everyTruncationAndATrailingByteAreRefused() throws {
        let (alice, _, _) = try Self.parties()
        let bytes = Array(alice.serialized())
        // Every prefix must fail (sampled densely at the front, where the structure is).
        for length in Array(0..<200) + Array(stride(from: 200, to: bytes.count, by: 37)) {
            #expect(throws: ProtocolError.self, "prefix of \(length) bytes") { try Party(serialized: bytes.prefix(length)) }
        }
        #expect(throws: ProtocolError.self) { try Party(serialized: bytes + [0]) }
    }

    @Test func nonCanonicalImagesAreRefused() throws {
        var bob = try Party(random: SeededRandom(seed: 7))
        _ = try bob.makeBundle(signedPreKeyID: 1, oneTimePreKeyID: nil)
        _ = try bob.makeBundle(signedPreKeyID: 2, oneTimePreKeyID: nil)
        let bytes = Array(bob.serialized())
        // Swap the two signed-prekey records: ids 2 then 1.
        let first = 1 + 64 + 4
        var swapped = bytes
        swapped.replaceSubrange(first..<(first + 72), with: bytes[(first + 36)..<(first + 72)] + bytes[first..<(first + 36)])
        #expect(throws: ProtocolError.self) { try Party(serialized: swapped) }
        // A count far larger than the bytes can hold is refused before any allocation.
        var huge = bytes
        huge.replaceSubrange((1 + 64)..<(1 + 64 + 4), with: [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(throws: ProtocolError.self) { try Party(serialized: huge) }
    }

    @Test func duplicateAndEmptyPeerNamesAreRefused() throws {
        let (alice, _, _) = try Self.parties()
        let bytes = Array(alice.serialized())
        // Locate the conversations section: after identity and two empty prekey lists.
        let start = 1 + 64 + 4 + 4
        #expect(bytes[start..<(start + 4)] == [0, 0, 0, 2])
        let nameLength = Int(bytes[start + 4]) << 8 | Int(bytes[start + 5])
        let stateLengthAt = start + 6 + nameLength
        let stateLength = bytes[stateLengthAt..<(stateLengthAt + 4)].reduce(0) { $0 << 8 | Int($1) }
        let firstRecord = Array(bytes[(start + 4)..<(stateLengthAt + 4 + stateLength)])
        // The first record twice.
        let doubled = Array(bytes[..<start]) + [0, 0, 0, 2] + firstRecord + firstRecord
        #expect(throws: ProtocolError.self) { try Party(serialized: doubled) }
        // A record whose name is empty.
        var empty = Array(bytes[..<start]) + [0, 0, 0, 1, 0, 0]
        empty += firstRecord[(2 + nameLength)...]
        #expect(throws: ProtocolError.self) { try Party(serialized: empty) }
        // The first record alone is fine.
        let single = Array(bytes[..<start]) + [0, 0, 0, 1] + firstRecord
        #expect(try Party(serialized: single).conversations.count == 1)
    }
}

import Testing
@testable import Crypto

@Suite struct BundleAndHandshakeTests {
    @Test func bundleRoundTripsAndVerifies() throws {
        var party = try Party(random: SeededRandom(seed: 3))
        for oneTime: UInt32? in [nil, 42] {
            let bundle = try party.makeBundle(signedPreKeyID: 1, oneTimePreKeyID: oneTime)
            let decoded = try PreKeyBundle(encoded: bundle.encoded)
            #expect(decoded == bundle)
            #expect(decoded.oneTimePreKey?.id == oneTime)
            #expect(bundle.encoded.count == 1 + 129 + 4 + 32 + 64 + 1 + (oneTime == nil ? 0 : 36))
        }
    }

    @Test func forgedBundlesAreRefusedBeforeUse() throws {
        var party = try Party(random: SeededRandom(seed: 4))
        let bytes = try party.makeBundle(signedPreKeyID: 1, oneTimePreKeyID: 2).encoded
        // Swap in another signed prekey: the signature no longer verifies.
        var swapped = bytes
        swapped[134] ^= 0x40
        #expect(throws: ProtocolError.invalidSignedPreKeySignature) { try PreKeyBundle(encoded: swapped) }
        // Damage the identity certificate.
        var identity = bytes
        identity[1 + 65 + 3] ^= 1
        #expect(throws: ProtocolError.self) { try PreKeyBundle(encoded: identity) }
        #expect(throws: ProtocolError.self) { try PreKeyBundle(encoded: bytes.dropLast()) }
        #expect(throws: ProtocolError.self) { try PreKeyBundle(encoded: bytes + [0]) }
        var version = bytes
        version[0] = 2
        #expect(throws: ProtocolError.unsupportedVersion("prekey bundle", found: 2)) { try PreKeyBundle(encoded: version) }
    }

    @Test func bothSidesDeriveTheSameSecretWithAndWithoutOneTimePreKeys() throws {
        let random = SeededRandom(seed: 8)
        let alice = try IdentityKeyPair(using: random)
        let bob = try IdentityKeyPair(using: random)
        for oneTime: UInt32? in [nil, 5] {
            var store = PreKeyStore()
            let bundle = try store.makeBundle(identity: bob, signedPreKeyID: 1, oneTimePreKeyID: oneTime, random: random)
            let initiation = try X3DH.initiate(identity: alice, bundle: bundle, random: random)
            let response = try X3DH.respond(
                identity: bob, signedPreKey: try #require(store.signedPreKeys[1]),
                oneTimePreKey: oneTime.flatMap { store.oneTimePreKeys[$0] },
                initiator: alice.publicKey, ephemeralKey: initiation.ephemeralKey)
            #expect(Array(initiation.sharedSecret.secureBytes) == Array(response.sharedSecret.secureBytes))
            #expect(initiation.associatedData == response.associatedData)
            #expect(initiation.associatedData == alice.publicKey.rawRepresentation + bob.publicKey.rawRepresentation)
        }
    }

    @Test func unknownOrUsedOneTimePreKeysAreRefused() throws {
        var (alice, bob) = try ConversationTests.pair(seed: 10)
        let first = try alice.encrypt([1], for: "bob")
        _ = try bob.decrypt(first, from: "alice")
        // A second initiator using the same, now consumed, one-time prekey.
        var carol = try Party(random: SeededRandom(seed: 11))
        guard case let .preKey(message) = first else { Issue.record("expected a prekey message"); return }
        _ = message
        var bobAgain = bob
        let bundle = try PreKeyBundle(
            identity: bob.identity.publicKey, signedPreKeyID: 1,
            signedPreKey: try #require(bob.preKeys.signedPreKeys[1]).publicKey,
            signedPreKeySignature: bob.identity.signature(for: try #require(bob.preKeys.signedPreKeys[1]).publicKey.typedRepresentation),
            oneTimePreKey: .init(id: 7, key: try Curve25519.KeyAgreement.PrivateKey(using: SeededRandom(seed: 12)).publicKey))
        try carol.initiate(with: "bob", bundle: bundle)
        #expect(throws: ProtocolError.unknownPreKey(signedPreKeyID: 1, oneTimePreKeyID: 7)) {
            try bobAgain.decrypt(try carol.encrypt([2], for: "bob"), from: "carol")
        }
    }

    @Test func envelopesDecodeStrictly() throws {
        #expect(throws: ProtocolError.self) { try SessionEnvelope(encoded: []) }
        #expect(throws: ProtocolError.malformed("envelope", reason: "unknown kind 3")) { try SessionEnvelope(encoded: [3, 0]) }
        #expect(throws: ProtocolError.self) { try SessionEnvelope(encoded: [2] + [UInt8](repeating: 1, count: 41)) } // no tag
    }

    /// A prekey message naming a known (verified) identity byte for byte takes it as it is; any
    /// other identity is verified, known identity or not.
    @Test func aKnownIdentityIsTakenAsItIsAndNoOtherIsTrusted() throws {
        var (alice, bob) = try ConversationTests.pair(seed: 31)
        let first = try alice.encrypt([1], for: "bob")
        _ = try bob.decrypt(first, from: "alice")
        let known = try #require(bob.conversations["alice"]?.remoteIdentity)
        // The same message decodes to the same envelope either way.
        let second = try alice.encrypt([2], for: "bob")
        #expect(try SessionEnvelope(encoded: second.encoded, knownIdentity: known) == second)
        #expect(try SessionEnvelope(encoded: second.encoded, knownIdentity: nil) == second)
        #expect(try bob.envelope(decoding: second.encoded, from: "alice") == second)
        #expect(try bob.decrypt(try SessionEnvelope(encoded: second.encoded, knownIdentity: known), from: "alice") == [2])

        // An identity whose certificate does not verify, built without the check: known, it is
        // taken without one (the proof that the check is skipped); unknown, it is refused.
        guard case let .preKey(message) = second else {
            Issue.record("expected a prekey message")
            return
        }
        var certificate = known.certificate
        certificate[5] ^= 1
        let unverifiable = IdentityPublicKey(verified: known.signingKey, agreementKey: known.agreementKey, certificate: certificate)
        let forged = SessionEnvelope.preKey(PreKeyMessage(
            identity: unverifiable, ephemeralKey: message.ephemeralKey, signedPreKeyID: message.signedPreKeyID,
            oneTimePreKeyID: message.oneTimePreKeyID, message: message.message))
        #expect(try SessionEnvelope(encoded: forged.encoded, knownIdentity: unverifiable) == forged)
        #expect(throws: ProtocolError.self) { try SessionEnvelope(encoded: forged.encoded, knownIdentity: nil) }
        #expect(throws: ProtocolError.self) { try SessionEnvelope(encoded: forged.encoded, knownIdentity: known) }
        #expect(throws: ProtocolError.self) { try bob.envelope(decoding: forged.encoded, from: "alice") }
        // Another valid identity than the known one is verified and decoded as itself.
        let carol = try Party(random: SeededRandom(seed: 32)).identity.publicKey
        let fromCarol = SessionEnvelope.preKey(PreKeyMessage(
            identity: carol, ephemeralKey: message.ephemeralKey, signedPreKeyID: message.signedPreKeyID,
            oneTimePreKeyID: message.oneTimePreKeyID, message: message.message))
        let decoded = try SessionEnvelope(encoded: fromCarol.encoded, knownIdentity: known)
        guard case let .preKey(decodedMessage) = decoded else {
            Issue.record("expected a prekey message")
            return
        }
        #expect(decodedMessage.identity == carol)
        #expect(decodedMessage.identity != known)
        // The known identity's certificate on other keys is not the known identity: verified, refused.
        let borrowed = IdentityPublicKey(verified: carol.signingKey, agreementKey: carol.agreementKey, certificate: known.certificate)
        let withBorrowedCertificate = SessionEnvelope.preKey(PreKeyMessage(
            identity: borrowed, ephemeralKey: message.ephemeralKey, signedPreKeyID: message.signedPreKeyID,
            oneTimePreKeyID: message.oneTimePreKeyID, message: message.message))
        #expect(throws: ProtocolError.self) { try SessionEnvelope(encoded: withBorrowedCertificate.encoded, knownIdentity: known) }
    }
}

@Suite struct IdentityBindingTests {
    /// Mallory certifies Alice's X25519 identity key with her own signing key and relabels Alice's
    /// prekey message as hers: with the full identities in AD, Bob cannot decrypt it as Mallory's.
    @Test func relabelledPrekeyMessagesFailToDecrypt() throws {
        var (alice, bob) = try ConversationTests.pair(seed: 21)
        guard case let .preKey(original) = try alice.encrypt(Array("from alice".utf8), for: "bob") else {
            Issue.record("expected a prekey message")
            return
        }
        let mallorySigning = try Curve25519.Signing.PrivateKey(using: SeededRandom(seed: 22))
        let agreement = alice.identity.publicKey.agreementKey
        let forged = try IdentityPublicKey(
            signingKey: mallorySigning.publicKey, agreementKey: agreement,
            certificate: mallorySigning.signature(for: IdentityKey.certificateMessage(for: agreement)))
        let relabelled = PreKeyMessage(
            identity: forged, ephemeralKey: original.ephemeralKey, signedPreKeyID: original.signedPreKeyID,
            oneTimePreKeyID: original.oneTimePreKeyID, message: original.message)
        #expect(throws: ProtocolError.self) { try bob.decrypt(.preKey(relabelled), from: "mallory") }
        #expect(bob.conversations["mallory"] == nil)
        #expect(try bob.decrypt(.preKey(original), from: "alice") == Array("from alice".utf8))
    }

    /// A repeated prekey message of an existing session must repeat its prekey ids.
    @Test func repeatedPrekeyMessagesMustMatchTheirSession() throws {
        var (alice, bob) = try ConversationTests.pair(seed: 23)
        _ = try bob.decrypt(try alice.encrypt([1], for: "bob"), from: "alice")
        guard case let .preKey(second) = try alice.encrypt([2], for: "bob") else {
            Issue.record("expected a prekey message")
            return
        }
        let altered = PreKeyMessage(
            identity: second.identity, ephemeralKey: second.ephemeralKey, signedPreKeyID: second.signedPreKeyID,
            oneTimePreKeyID: nil, message: second.message)
        #expect(throws: ProtocolError.self) { try bob.decrypt(.preKey(altered), from: "alice") }
        #expect(try bob.decrypt(.preKey(second), from: "alice") == [2])
    }
}

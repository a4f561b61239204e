import Crypto
import Testing

/// The Ed25519-certifies-X25519 identity construction.
@Suite("Identity keys")
struct IdentityKeyTests {
    @Test func encodingRoundTrip() throws {
        let identity = try IdentityKeyPair(using: SeededRandom(seed: 21))
        let encoded = identity.publicKey.rawRepresentation
        #expect(encoded.count == 129)
        #expect(encoded[0] == 0x01)
        #expect(Array(encoded[1..<33]) == identity.signingKey.publicKey.rawRepresentation)
        #expect(Array(encoded[33..<65]) == identity.agreementKey.publicKey.rawRepresentation)
        #expect(Array(encoded[65...]) == identity.publicKey.certificate)
        let decoded = try IdentityPublicKey(rawRepresentation: encoded)
        #expect(decoded == identity.publicKey)
        #expect(try IdentityPublicKey.isValidCertificate(
            decoded.certificate, signingKey: decoded.signingKey, agreementKey: decoded.agreementKey))
    }

    /// The same seed gives the identity the independent Python implementation
    /// (Tests/interop/signal_peer.py: `IdentityKeyPair.generate(TestRandom(seed))`) gives: same
    /// test stream, same draw order, same certificate message and encoding.
    @Test func matchesIndependentImplementation() throws {
        let identity = try IdentityKeyPair(using: SeededRandom(seed: 21))
        #expect(identity.publicKey.rawRepresentation.hex == """
            013b2cdf6ec3638a30ad41ea5dfbc8bf38f755fd510d2725ab05fad7ef2c7f015986761571c5683fe2968ac23453c5d4\
            3ab4d791e45f2ee2b5c59265007376a0761133e3e064aab024db5179f69ce250f1fd749335d65d45dc2a0e67e4e9e6e3\
            1a3325fe7ccddd5b4af1b961bd1742b6088d5eef4c87369910d81e6786fab1200b
            """)
    }

    /// The certificate is the Ed25519 signature over "VigilIdentityV1" ‖ IK.public (47 bytes).
    @Test func certificateMessage() throws {
        let identity = try IdentityKeyPair(using: SeededRandom(seed: 22))
        let message = IdentityKey.certificateMessage(for: identity.agreementKey.publicKey)
        #expect(message.count == 47)
        #expect(message == Array("VigilIdentityV1".utf8) + identity.agreementKey.publicKey.rawRepresentation)
        #expect(try identity.signingKey.publicKey.isValidSignature(identity.publicKey.certificate, for: message))
    }

    /// Deterministic from a seeded source, and from the 64-byte private encoding.
    @Test func deterministicAndRestorable() throws {
        let a = try IdentityKeyPair(using: SeededRandom(seed: 23))
        let b = try IdentityKeyPair(using: SeededRandom(seed: 23))
        #expect(a.publicKey == b.publicKey)
        let restored = try IdentityKeyPair(rawRepresentation: a.rawRepresentation)
        #expect(restored.publicKey == a.publicKey)
        #expect(a.rawRepresentation.count == 64)
        #expect(throws: CryptoError.incorrectSize(.identityKey, expected: 64...64, actual: 63)) {
            try IdentityKeyPair(rawRepresentation: [UInt8](repeating: 1, count: 63))
        }
    }

    /// Substituting another agreement key, another signing key, or a flipped certificate bit is
    /// refused.
    @Test func forgeriesRejected() throws {
        let alice = try IdentityKeyPair(using: SeededRandom(seed: 24))
        let mallory = try IdentityKeyPair(using: SeededRandom(seed: 25))
        #expect(throws: CryptoError.invalidIdentityCertificate) {
            try IdentityPublicKey(signingKey: alice.publicKey.signingKey, agreementKey: mallory.publicKey.agreementKey,
                                  certificate: alice.publicKey.certificate)
        }
        #expect(throws: CryptoError.invalidIdentityCertificate) {
            try IdentityPublicKey(signingKey: mallory.publicKey.signingKey, agreementKey: alice.publicKey.agreementKey,
                                  certificate: alice.publicKey.certificate)
        }
        var encoded = alice.publicKey.rawRepresentation
        for index in stride(from: 1, to: encoded.count, by: 5) {
            encoded[index] ^= 0x01
            #expect(throws: CryptoError.self, "byte \(index)") { try IdentityPublicKey(rawRepresentation: encoded) }
            encoded[index] ^= 0x01
        }
        #expect(throws: CryptoError.invalidEncoding(.identityKey, reason: "unknown identity version 2")) {
            try IdentityPublicKey(rawRepresentation: [0x02] + alice.publicKey.rawRepresentation.dropFirst())
        }
        #expect(throws: CryptoError.incorrectSize(.identityKey, expected: 129...129, actual: 128)) {
            try IdentityPublicKey(rawRepresentation: alice.publicKey.rawRepresentation.dropLast())
        }
    }

    /// Signed prekeys: signature over the 33-byte typed encoding verifies; messages carrying the
    /// certificate label can neither be signed nor verified through the identity API.
    @Test func signedPrekeysAndDomainSeparation() throws {
        let random = SeededRandom(seed: 26)
        let identity = try IdentityKeyPair(using: random)
        let prekey = try Curve25519.KeyAgreement.PrivateKey(using: random)
        let signature = try identity.signature(for: prekey.publicKey.typedRepresentation)
        #expect(try identity.publicKey.isValidSignature(signature, for: prekey.publicKey.typedRepresentation))
        let forgedCertificateMessage = IdentityKey.certificateMessage(for: prekey.publicKey)
        #expect(throws: CryptoError.self) { try identity.signature(for: forgedCertificateMessage) }
        let rawSignature = try identity.signingKey.signature(for: forgedCertificateMessage)
        #expect(try !identity.publicKey.isValidSignature(rawSignature, for: forgedCertificateMessage))
    }

    /// The identity agreement key does X25519 with peers.
    @Test func agreement() throws {
        let alice = try IdentityKeyPair(using: SeededRandom(seed: 27))
        let bob = try IdentityKeyPair(using: SeededRandom(seed: 28))
        let ab = try alice.sharedSecretFromKeyAgreement(with: bob.publicKey.agreementKey)
        let ba = try bob.sharedSecretFromKeyAgreement(with: alice.publicKey.agreementKey)
        #expect(ConstantTime.equals(ab.secureBytes, ba.secureBytes))
    }
}

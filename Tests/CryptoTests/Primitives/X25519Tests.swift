import Crypto
import Testing

/// RFC 7748 §5.2 and §6.1, the zero-secret rule and key-size errors.
@Suite("X25519")
struct X25519Tests {
    static func x25519(_ scalar: [UInt8], _ u: [UInt8]) throws -> [UInt8] {
        let key = try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: scalar)
        let peer = try Curve25519.KeyAgreement.PublicKey(rawRepresentation: u)
        return Array(try key.sharedSecretFromKeyAgreement(with: peer).secureBytes)
    }

    @Test func rfc7748Section5_2() throws {
        #expect(try Self.x25519(
            [UInt8](hex: "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"),
            [UInt8](hex: "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c")).hex
            == "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552")
        #expect(try Self.x25519(
            [UInt8](hex: "4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d"),
            [UInt8](hex: "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493")).hex
            == "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957")
    }

    /// k = u = 9; repeat (k, u) = (X25519(k, u), k). 1 000 000 iterations is too slow for a unit
    /// test; 1 and 1 000 are checked.
    @Test func rfc7748Iterated() throws {
        var k = [UInt8](repeating: 0, count: 32)
        k[0] = 9
        var u = k
        for iteration in 1...1000 {
            (k, u) = (try Self.x25519(k, u), k)
            if iteration == 1 {
                #expect(k.hex == "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079")
            }
        }
        #expect(k.hex == "684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51")
    }

    @Test func rfc7748Section6_1() throws {
        let alice = try Curve25519.KeyAgreement.PrivateKey(
            rawRepresentation: [UInt8](hex: "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"))
        let bob = try Curve25519.KeyAgreement.PrivateKey(
            rawRepresentation: [UInt8](hex: "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"))
        #expect(alice.publicKey.rawRepresentation.hex == "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")
        #expect(bob.publicKey.rawRepresentation.hex == "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f")
        let shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"
        #expect(try alice.sharedSecretFromKeyAgreement(with: bob.publicKey).secureBytes.hexString == shared)
        #expect(try bob.sharedSecretFromKeyAgreement(with: alice.publicKey).secureBytes.hexString == shared)
    }

    /// Small-order points (u = 0, u = 1, and the order-8 point of RFC 7748's "check" example) give
    /// the all-zero secret, refused with a typed error.
    @Test(arguments: [
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
    ])
    func zeroSharedSecretRejected(point: String) throws {
        let key = try Curve25519.KeyAgreement.PrivateKey(using: SeededRandom(seed: 1))
        let peer = try Curve25519.KeyAgreement.PublicKey(rawRepresentation: [UInt8](hex: point))
        #expect(throws: CryptoError.zeroSharedSecret) { try key.sharedSecretFromKeyAgreement(with: peer) }
    }

    @Test func keySizes() throws {
        #expect(throws: CryptoError.incorrectSize(.x25519Key, expected: 32...32, actual: 31)) {
            try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: [UInt8](repeating: 1, count: 31))
        }
        #expect(throws: CryptoError.incorrectSize(.x25519Key, expected: 32...32, actual: 33)) {
            try Curve25519.KeyAgreement.PublicKey(rawRepresentation: [UInt8](repeating: 1, count: 33))
        }
    }

    /// Generation from a seeded source is reproducible; agreement is symmetric; raw round trip.
    @Test func generationAndAgreement() throws {
        let a1 = try Curve25519.KeyAgreement.PrivateKey(using: SeededRandom(seed: 99))
        let a2 = try Curve25519.KeyAgreement.PrivateKey(using: SeededRandom(seed: 99))
        #expect(a1.publicKey == a2.publicKey)
        let b = try Curve25519.KeyAgreement.PrivateKey()
        let ab = try a1.sharedSecretFromKeyAgreement(with: b.publicKey)
        let ba = try b.sharedSecretFromKeyAgreement(with: a1.publicKey)
        #expect(ConstantTime.equals(ab.secureBytes, ba.secureBytes))
        let restored = try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: a1.rawRepresentation)
        #expect(restored.publicKey == a1.publicKey)
        #expect(try Curve25519.KeyAgreement.PublicKey(typedRepresentation: a1.publicKey.typedRepresentation) == a1.publicKey)
        #expect(a1.publicKey.typedRepresentation == [0x05] + a1.publicKey.rawRepresentation)
        #expect(throws: CryptoError.invalidEncoding(.typedPublicKey, reason: "type byte 6, expected 5")) {
            try Curve25519.KeyAgreement.PublicKey(typedRepresentation: [0x06] + a1.publicKey.rawRepresentation)
        }
        #expect(throws: CryptoError.incorrectSize(.typedPublicKey, expected: 33...33, actual: 32)) {
            try Curve25519.KeyAgreement.PublicKey(typedRepresentation: a1.publicKey.rawRepresentation)
        }
        #expect(ab.description == "SharedSecret(32 bytes)")
    }
}

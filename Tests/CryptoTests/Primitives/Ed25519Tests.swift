import Crypto
import Testing

/// RFC 8032 §7.1 TEST 1, 2, 3 and 1024, plus strictness checks.
@Suite("Ed25519")
struct Ed25519Tests {
    struct Case: Sendable, CustomStringConvertible {
        let name: String
        let secret: String
        let publicKey: String
        let message: String
        let signature: String
        var description: String { name }
    }

    static let rfc8032Cases: [Case] = [
        Case(name: "TEST 1",
             secret: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
             publicKey: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
             message: "",
             signature: "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
                + "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
        Case(name: "TEST 2",
             secret: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
             publicKey: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
             message: "72",
             signature: "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
                + "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
        Case(name: "TEST 3",
             secret: "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
             publicKey: "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
             message: "af82",
             signature: "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
                + "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"),
        Case(name: "TEST 1024",
             secret: "f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5",
             publicKey: "278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e",
             message: RFC8032Test1024.message,
             signature: "0aab4c900501b3e24d7cdf4663326a3a87df5e4843b2cbdb67cbf6e460fec350"
                + "aa5371b1508f9f4528ecea23c436d94b5e8fcd4f681e30a6ac00a9704a188a03"),
    ]

    @Test(arguments: rfc8032Cases) func rfc8032(_ test: Case) throws {
        let key = try Curve25519.Signing.PrivateKey(rawRepresentation: [UInt8](hex: test.secret))
        #expect(key.publicKey.rawRepresentation.hex == test.publicKey)
        let message = [UInt8](hex: test.message)
        let signature = try key.signature(for: message)
        #expect(signature.hex == test.signature)
        let publicKey = try Curve25519.Signing.PublicKey(rawRepresentation: [UInt8](hex: test.publicKey))
        #expect(try publicKey.isValidSignature(signature, for: message))
        #expect(try !publicKey.isValidSignature(signature, for: message + [0]))
    }

    /// S + L verifies under a lax verifier (same scalar mod L) and must be rejected (RFC 8032
    /// §5.1.7); so must signatures of the wrong length.
    @Test func malleableSignatureRejected() throws {
        let key = try Curve25519.Signing.PrivateKey(rawRepresentation: [UInt8](hex: Self.rfc8032Cases[0].secret))
        let signature = try key.signature(for: [UInt8]())
        let order: [UInt8] = [UInt8](hex: "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010")
        var malleated = signature
        var carry: UInt16 = 0
        for index in 0..<32 {
            let sum = UInt16(malleated[32 + index]) + UInt16(order[index]) + carry
            malleated[32 + index] = UInt8(truncatingIfNeeded: sum)
            carry = sum >> 8
        }
        #expect(carry == 0)
        #expect(try !key.publicKey.isValidSignature(malleated, for: [UInt8]()))
        #expect(try !key.publicKey.isValidSignature(signature.dropLast(), for: [UInt8]()))
        #expect(try !key.publicKey.isValidSignature(signature + [0], for: [UInt8]()))
        #expect(try key.publicKey.isValidSignature(signature, for: [UInt8]()))
    }

    /// Non-canonical public-key encodings are refused at construction: y ≥ p, and x = 0 with the
    /// sign bit set (y = 1 and y = -1).
    @Test(arguments: [
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // y = p
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // y = p + 1
        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",  // y = 2^255 - 1, sign set
        "0100000000000000000000000000000000000000000000000000000000000080",  // y = 1, sign set
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",  // y = -1, sign set
    ])
    func nonCanonicalPublicKeyRejected(encoding: String) {
        #expect(throws: CryptoError.self) {
            try Curve25519.Signing.PublicKey(rawRepresentation: [UInt8](hex: encoding))
        }
    }

    @Test func sizesAndRoundTrips() throws {
        #expect(throws: CryptoError.incorrectSize(.ed25519Key, expected: 32...32, actual: 64)) {
            try Curve25519.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: 1, count: 64))
        }
        #expect(throws: CryptoError.incorrectSize(.ed25519Key, expected: 32...32, actual: 0)) {
            try Curve25519.Signing.PublicKey(rawRepresentation: [UInt8]())
        }
        let key = try Curve25519.Signing.PrivateKey(using: SeededRandom(seed: 5))
        let again = try Curve25519.Signing.PrivateKey(rawRepresentation: key.rawRepresentation)
        #expect(again.publicKey == key.publicKey)
        #expect(try Curve25519.Signing.PublicKey(rawRepresentation: key.publicKey.rawRepresentation) == key.publicKey)
    }

    /// Any single-bit change of message or signature invalidates (seeded, reproducible).
    @Test func tamperingRejected() throws {
        let random = SeededRandom(seed: 11)
        let key = try Curve25519.Signing.PrivateKey(using: random)
        for trial in 0..<40 {
            let message = try random.bytes(count: trial + 1)
            let signature = try key.signature(for: message)
            let bit = UInt8(1) << (try random.bytes(count: 1)[0] & 7)
            var badSignature = signature
            badSignature[(trial * 7) % 64] ^= bit
            var badMessage = message
            badMessage[trial % message.count] ^= bit
            #expect(try !key.publicKey.isValidSignature(badSignature, for: message), "trial \(trial)")
            #expect(try !key.publicKey.isValidSignature(signature, for: badMessage), "trial \(trial)")
        }
    }
}

import Crypto
import Testing

/// RFC 8439 §2.8.2 and Appendix A.5, typed errors, and tampering.
@Suite("ChaCha20-Poly1305")
struct ChaChaPolyTests {
    @Test func rfc8439Section2_8_2() throws {
        let key = SymmetricKey(data: [UInt8](hex: "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"))
        let nonce = try AEADNonce(rawRepresentation: [UInt8](hex: "070000004041424344454647"))
        let aad = [UInt8](hex: "50515253c0c1c2c3c4c5c6c7")
        let plaintext = Array(("Ladies and Gentlemen of the class of '99: If I could offer you only one tip "
            + "for the future, sunscreen would be it.").utf8)
        let box = try ChaChaPoly.seal(plaintext, using: key, nonce: nonce, authenticating: aad)
        #expect(box.ciphertext.hex == """
            d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b\
            1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc\
            3ff4def08e4b7a9de576d26586cec64b6116
            """)
        #expect(box.tag.hex == "1ae10b594f09e26a7e902ecbd0600691")
        #expect(try ChaChaPoly.open(box, using: key, authenticating: aad) == plaintext)
    }

    /// Appendix A.5: decryption of a published ciphertext and tag.
    @Test func rfc8439AppendixA5() throws {
        let key = SymmetricKey(data: [UInt8](hex: "1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0"))
        let box = try AEADSealedBox(
            nonce: AEADNonce(rawRepresentation: [UInt8](hex: "000000000102030405060708")),
            ciphertext: [UInt8](hex: """
                64a0861575861af460f062c79be643bd5e805cfd345cf389f108670ac76c8cb24c6cfc18755d43eea09ee94e382d26b0\
                bdb7b73c321b0100d4f03b7f355894cf332f830e710b97ce98c8a84abd0b948114ad176e008d33bd60f982b1ff37c855\
                9797a06ef4f0ef61c186324e2b3506383606907b6a7c02b0f9f6157b53c867e4b9166c767b804d46a59b5216cde7a4e9\
                9040c5a40433225ee282a1b0a06c523eaf4534d7f83fa1155b0047718cbc546a0d072b04b3564eea1b422273f548271a\
                0bb2316053fa76991955ebd63159434ecebb4e466dae5a1073a6727627097a1049e617d91d361094fa68f0ff77987130\
                305beaba2eda04df997b714d6c6f2c29a6ad5cb4022b02709b
                """),
            tag: [UInt8](hex: "eead9d67890cbb22392336fea1851f38"))
        let plaintext = try ChaChaPoly.open(box, using: key, authenticating: [UInt8](hex: "f33388860000000000004e91"))
        let text = String(decoding: plaintext, as: UTF8.self)
        #expect(plaintext.count == 265)
        #expect(text.hasPrefix("Internet-Drafts are draft documents valid for a maximum of six months"))
        #expect(text.hasSuffix("/\u{201C}work in progress./\u{201D}"))
    }

    @Test func typedErrors() throws {
        let nonce = try AEADNonce(using: SeededRandom(seed: 1))
        #expect(throws: CryptoError.incorrectSize(.key, expected: 32...32, actual: 16)) {
            try ChaChaPoly.seal([1, 2, 3], using: SymmetricKey(data: [UInt8](repeating: 0, count: 16)), nonce: nonce)
        }
        #expect(throws: CryptoError.incorrectSize(.nonce, expected: 12...12, actual: 8)) {
            try AEADNonce(rawRepresentation: [UInt8](repeating: 0, count: 8))
        }
        #expect(throws: CryptoError.incorrectSize(.tag, expected: 16...16, actual: 15)) {
            try AEADSealedBox(nonce: nonce, ciphertext: [UInt8](), tag: [UInt8](repeating: 0, count: 15))
        }
        #expect(throws: CryptoError.incorrectSize(.sealedBox, expected: 28...Int.max, actual: 27)) {
            try AEADSealedBox(combined: [UInt8](repeating: 0, count: 27))
        }
        let key = try SymmetricKey(size: .bits256, using: SeededRandom(seed: 2))
        let box = try ChaChaPoly.seal([UInt8](), using: key, nonce: nonce)
        #expect(try ChaChaPoly.open(box, using: key) == [])
        #expect(throws: CryptoError.authenticationFailure) {
            try ChaChaPoly.open(box, using: SymmetricKey(size: .bits256), authenticating: [UInt8]())
        }
    }

    @Test func combinedRoundTrip() throws {
        let random = SeededRandom(seed: 8)
        let key = try SymmetricKey(size: .bits256, using: random)
        let message = try random.bytes(count: 1000)
        let box = try ChaChaPoly.seal(message, using: key, nonce: AEADNonce(using: random), authenticating: [9])
        #expect(box.combined.count == 12 + 1000 + 16)
        let parsed = try AEADSealedBox(combined: box.combined)
        #expect(parsed == box)
        #expect(try ChaChaPoly.open(parsed, using: key, authenticating: [9]) == message)
    }

    @Test func tamperingRejected() throws {
        try AEADTampering.check(
            seal: { (m, k, n, a) throws(CryptoError) in try ChaChaPoly.seal(m, using: k, nonce: n, authenticating: a) },
            open: { (b, k, a) throws(CryptoError) in try ChaChaPoly.open(b, using: k, authenticating: a) })
    }
}

/// Shared tampering check for both AEADs: seeded random messages; every single-bit flip in
/// ciphertext, tag, nonce or AAD, and any truncation or extension, must fail to open with
/// `authenticationFailure`.
enum AEADTampering {
    typealias Seal = ([UInt8], SymmetricKey, AEADNonce, [UInt8]) throws(CryptoError) -> AEADSealedBox
    typealias Open = (AEADSealedBox, SymmetricKey, [UInt8]) throws(CryptoError) -> [UInt8]

    static func check(seal: Seal, open: Open) throws {
        for seed in UInt64(0)..<60 {
            let random = SeededRandom(seed: seed)
            let key = try SymmetricKey(size: .bits256, using: random)
            let nonce = try AEADNonce(using: random)
            let draw = try random.bytes(count: 4)
            let message = try random.bytes(count: Int(draw[0]) + 1)
            let aad = try random.bytes(count: Int(draw[1] % 40))
            let box = try seal(message, key, nonce, aad)
            #expect(try open(box, key, aad) == message, "seed \(seed)")
            let bit = UInt8(1) << (draw[2] & 7)

            var ciphertext = box.ciphertext
            ciphertext[Int(draw[3]) % ciphertext.count] ^= bit
            var tag = box.tag
            tag[Int(draw[3]) % tag.count] ^= bit
            var nonceBytes = nonce.rawRepresentation
            nonceBytes[Int(draw[3]) % nonceBytes.count] ^= bit
            var tamperedAAD = aad.isEmpty ? [0] : aad
            if !aad.isEmpty { tamperedAAD[Int(draw[3]) % aad.count] ^= bit }

            let variants: [(String, AEADSealedBox, [UInt8])] = [
                ("ciphertext", try AEADSealedBox(nonce: nonce, ciphertext: ciphertext, tag: box.tag), aad),
                ("tag", try AEADSealedBox(nonce: nonce, ciphertext: box.ciphertext, tag: tag), aad),
                ("nonce", try AEADSealedBox(nonce: AEADNonce(rawRepresentation: nonceBytes), ciphertext: box.ciphertext, tag: box.tag), aad),
                ("aad", box, tamperedAAD),
                ("truncated", try AEADSealedBox(nonce: nonce, ciphertext: box.ciphertext.dropLast(), tag: box.tag), aad),
                ("extended", try AEADSealedBox(nonce: nonce, ciphertext: box.ciphertext + [0], tag: box.tag), aad),
            ]
            for (name, variant, variantAAD) in variants {
                #expect(throws: CryptoError.authenticationFailure, "seed \(seed): \(name)") {
                    try open(variant, key, variantAAD)
                }
            }
        }
    }
}

import Crypto
import Testing

/// AES-256-GCM: a published known answer, restriction to 256-bit keys, tampering.
@Suite("AES-256-GCM")
struct AESGCMTests {
    /// The GCM specification's (McGrew–Viega) Test Case 16: 256-bit key, 96-bit IV, AAD.
    @Test func gcmSpecTestCase16() throws {
        let key = SymmetricKey(data: [UInt8](hex: "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308"))
        let nonce = try AEADNonce(rawRepresentation: [UInt8](hex: "cafebabefacedbaddecaf888"))
        let plaintext = [UInt8](hex: """
            d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525\
            b16aedf5aa0de657ba637b39
            """)
        let aad = [UInt8](hex: "feedfacedeadbeeffeedfacedeadbeefabaddad2")
        let box = try AES.GCM.seal(plaintext, using: key, nonce: nonce, authenticating: aad)
        #expect(box.ciphertext.hex == """
            522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838\
            c5f61e6393ba7a0abcc9f662
            """)
        #expect(box.tag.hex == "76fc6ece0f4e1768cddf8853bb2d551b")
        #expect(try AES.GCM.open(box, using: key, authenticating: aad) == plaintext)
    }

    @Test func onlyAES256Keys() throws {
        let nonce = try AEADNonce(using: SeededRandom(seed: 4))
        for size in [16, 24, 31, 33] {
            #expect(throws: CryptoError.incorrectSize(.key, expected: 32...32, actual: size)) {
                try AES.GCM.seal([1], using: SymmetricKey(data: [UInt8](repeating: 7, count: size)), nonce: nonce)
            }
        }
    }

    @Test func tamperingRejected() throws {
        try AEADTampering.check(
            seal: { (m, k, n, a) throws(CryptoError) in try AES.GCM.seal(m, using: k, nonce: n, authenticating: a) },
            open: { (b, k, a) throws(CryptoError) in try AES.GCM.open(b, using: k, authenticating: a) })
    }

    /// A box sealed with one AEAD never opens with the other under the same key and nonce.
    @Test func algorithmsAreNotInterchangeable() throws {
        let key = try SymmetricKey(size: .bits256, using: SeededRandom(seed: 6))
        let box = try AES.GCM.seal(Array("at rest".utf8), using: key, nonce: AEADNonce(using: SeededRandom(seed: 7)))
        #expect(throws: CryptoError.authenticationFailure) { try ChaChaPoly.open(box, using: key) }
    }
}

import Crypto
import Testing

/// Every chacha20_poly1305_test.json and aes_gcm_test.json case.
///
/// Vigil's AEADs take only 32-byte keys, 12-byte nonces and 16-byte tags. Cases with those
/// parameters run in full (valid: seal reproduces ct ‖ tag and open returns msg; invalid: open
/// fails). Cases with other parameters are counted as unsupported and must be refused with a
/// typed `incorrectSize` error — never silently accepted.
@Suite("Wycheproof AEAD")
struct WycheproofAEADTests {
    struct Tally {
        var ran = 0
        var passed = 0
        var unsupported = 0
    }

    typealias Seal = (_ message: [UInt8], _ key: SymmetricKey, _ nonce: AEADNonce, _ aad: [UInt8]) throws(CryptoError) -> AEADSealedBox
    typealias Open = (_ box: AEADSealedBox, _ key: SymmetricKey, _ aad: [UInt8]) throws(CryptoError) -> [UInt8]

    static func run(_ name: String, seal: Seal, open: Open) throws -> Tally {
        let file = try Wycheproof.load(name, as: Wycheproof.AEADGroup.self)
        var tally = Tally()
        for group in file.testGroups {
            for test in group.tests {
                let key = SymmetricKey(data: [UInt8](hex: test.key))
                let iv = [UInt8](hex: test.iv), aad = [UInt8](hex: test.aad)
                let msg = [UInt8](hex: test.msg), ct = [UInt8](hex: test.ct), tag = [UInt8](hex: test.tag)
                guard group.keySize == 256, group.ivSize == 96, group.tagSize == 128 else {
                    tally.unsupported += 1
                    let refused = Result { () throws(CryptoError) -> [UInt8] in
                        let box = try AEADSealedBox(nonce: AEADNonce(rawRepresentation: iv), ciphertext: ct, tag: tag)
                        return try open(box, key, aad)
                    }
                    if case .failure(.incorrectSize) = refused {} else {
                        Issue.record("tc \(test.tcId): unsupported parameters not refused: \(refused)")
                    }
                    continue
                }
                tally.ran += 1
                let nonce = try AEADNonce(rawRepresentation: iv)
                let opened = Result { () throws(CryptoError) -> [UInt8] in
                    try open(AEADSealedBox(nonce: nonce, ciphertext: ct, tag: tag), key, aad)
                }
                switch test.result {
                case .valid, .acceptable:
                    let box = try seal(msg, key, nonce, aad)
                    let ok = box.ciphertext == ct && box.tag == tag && (try? opened.get()) == msg
                    #expect(ok, "tc \(test.tcId) \(test.comment)")
                    if ok { tally.passed += 1 }
                case .invalid:
                    let rejected: Bool
                    if case .failure(.authenticationFailure) = opened { rejected = true } else { rejected = false }
                    #expect(rejected, "tc \(test.tcId) \(test.comment) \(test.flags)")
                    if rejected { tally.passed += 1 }
                }
            }
        }
        #expect(tally.ran + tally.unsupported == file.numberOfTests)
        return tally
    }

    @Test func chaCha20Poly1305() throws {
        let tally = try Self.run(
            "chacha20_poly1305_test.json",
            seal: { (m, k, n, a) throws(CryptoError) in try ChaChaPoly.seal(m, using: k, nonce: n, authenticating: a) },
            open: { (b, k, a) throws(CryptoError) in try ChaChaPoly.open(b, using: k, authenticating: a) })
        print("Wycheproof chacha20_poly1305: ran \(tally.ran), passed \(tally.passed), unsupported (refused) \(tally.unsupported)")
        #expect(tally.passed == tally.ran)
        #expect(tally.ran >= 316)
    }

    @Test func aes256GCM() throws {
        let tally = try Self.run(
            "aes_gcm_test.json",
            seal: { (m, k, n, a) throws(CryptoError) in try AES.GCM.seal(m, using: k, nonce: n, authenticating: a) },
            open: { (b, k, a) throws(CryptoError) in try AES.GCM.open(b, using: k, authenticating: a) })
        print("Wycheproof aes_gcm: ran \(tally.ran), passed \(tally.passed), unsupported (refused) \(tally.unsupported)")
        #expect(tally.passed == tally.ran)
        #expect(tally.ran >= 60)
    }
}

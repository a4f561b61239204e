import Crypto
import Testing

/// Every hmac_sha256_test.json and hkdf_sha256_test.json case.
@Suite("Wycheproof HMAC and HKDF")
struct WycheproofMACTests {
    /// HMAC-SHA-256 with the group's tag size: 256-bit groups use the full-code check, 128-bit
    /// groups the truncated check with the length fixed by the verifier.
    @Test func hmacSHA256() throws {
        let file = try Wycheproof.load("hmac_sha256_test.json", as: Wycheproof.MACGroup.self)
        var ran = 0, passed = 0
        for group in file.testGroups {
            let tagBytes = group.tagSize / 8
            for test in group.tests {
                ran += 1
                let key = SymmetricKey(data: [UInt8](hex: test.key))
                let msg = [UInt8](hex: test.msg), tag = [UInt8](hex: test.tag)
                let valid = tagBytes == HMAC.byteCount
                    ? try HMAC.isValidAuthenticationCode(tag, authenticating: msg, using: key)
                    : try HMAC.isValidAuthenticationCode(tag, truncatedTo: tagBytes, authenticating: msg, using: key)
                switch test.result {
                case .valid, .acceptable:
                    let code = try HMAC.authenticationCode(for: msg, using: key)
                    let ok = valid && Array(code.bytes.prefix(tagBytes)) == tag
                    #expect(ok, "tc \(test.tcId) \(test.comment)")
                    if ok { passed += 1 }
                case .invalid:
                    #expect(!valid, "tc \(test.tcId) \(test.comment)")
                    if !valid { passed += 1 }
                }
            }
        }
        print("Wycheproof hmac_sha256: ran \(ran), passed \(passed)")
        #expect(ran == file.numberOfTests)
        #expect(passed == ran)
    }

    /// HKDF-SHA-256: valid cases reproduce OKM; invalid ones (output longer than 255 × 32) are
    /// refused with `invalidOutputByteCount`.
    @Test func hkdfSHA256() throws {
        let file = try Wycheproof.load("hkdf_sha256_test.json", as: Wycheproof.HKDFGroup.self)
        var ran = 0, passed = 0
        for group in file.testGroups {
            for test in group.tests {
                ran += 1
                let derived = Result { () throws(CryptoError) -> [UInt8] in
                    Array(try HKDF.deriveKey(
                        inputKeyMaterial: SymmetricKey(data: [UInt8](hex: test.ikm)), salt: [UInt8](hex: test.salt),
                        info: [UInt8](hex: test.info), outputByteCount: test.size).secureBytes)
                }
                switch test.result {
                case .valid, .acceptable:
                    let ok = (try? derived.get()) == [UInt8](hex: test.okm)
                    #expect(ok, "tc \(test.tcId) \(test.comment)")
                    if ok { passed += 1 }
                case .invalid:
                    var refused = false
                    if case .failure(.invalidOutputByteCount) = derived { refused = true }
                    #expect(refused, "tc \(test.tcId) \(test.comment)")
                    if refused { passed += 1 }
                }
            }
        }
        print("Wycheproof hkdf_sha256: ran \(ran), passed \(passed)")
        #expect(ran == file.numberOfTests)
        #expect(passed == ran)
    }
}

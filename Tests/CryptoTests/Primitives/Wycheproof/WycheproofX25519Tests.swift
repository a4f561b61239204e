import Crypto
import Testing

/// Every x25519_test.json case.
///
/// Decision for "acceptable" cases: Vigil follows RFC 7748 §5 and accepts every 32-byte public
/// key (top bit masked, non-canonical u reduced, twist points allowed), so an acceptable case must
/// produce exactly the listed shared secret — except when that secret is all zeros
/// (ZeroSharedSecret: small-order public keys), which Vigil rejects with `zeroSharedSecret`.
@Suite("Wycheproof X25519")
struct WycheproofX25519Tests {
    @Test func allCases() throws {
        let file = try Wycheproof.load("x25519_test.json", as: Wycheproof.XDHGroup.self)
        var ran = 0, matched = 0, rejectedZero = 0
        for group in file.testGroups {
            #expect(group.curve == "curve25519")
            for test in group.tests {
                ran += 1
                let expected = [UInt8](hex: test.shared)
                let outcome = Result { () throws(CryptoError) -> [UInt8] in
                    let key = try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: [UInt8](hex: test.private))
                    let peer = try Curve25519.KeyAgreement.PublicKey(rawRepresentation: [UInt8](hex: test.public))
                    return Array(try key.sharedSecretFromKeyAgreement(with: peer).secureBytes)
                }
                if expected.allSatisfy({ $0 == 0 }) {
                    #expect(test.flags.contains("ZeroSharedSecret"), "tc \(test.tcId)")
                    #expect(throws: CryptoError.zeroSharedSecret, "tc \(test.tcId) \(test.comment)") { try outcome.get() }
                    if case .failure(.zeroSharedSecret) = outcome { rejectedZero += 1 }
                    continue
                }
                switch test.result {
                case .valid, .acceptable:
                    #expect(throws: Never.self, "tc \(test.tcId)") { try outcome.get() }
                    if case .success(let shared) = outcome {
                        #expect(shared == expected, "tc \(test.tcId) \(test.comment)")
                        if shared == expected { matched += 1 }
                    }
                case .invalid:
                    #expect(throws: CryptoError.self, "tc \(test.tcId)") { try outcome.get() }
                }
            }
        }
        print("Wycheproof x25519: ran \(ran), matched \(matched), zero-secret rejected \(rejectedZero)")
        #expect(ran == file.numberOfTests)
        #expect(matched + rejectedZero == ran)
        #expect(rejectedZero == 31)
    }
}

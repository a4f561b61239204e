import Crypto
import Testing

/// Every ed25519_test.json case: all "valid" verify, all "invalid" are rejected (by the strict
/// public-key parser or by verification). The file has no "acceptable" cases.
@Suite("Wycheproof Ed25519")
struct WycheproofEd25519Tests {
    @Test func allCases() throws {
        let file = try Wycheproof.load("ed25519_test.json", as: Wycheproof.EdDSAGroup.self)
        var ran = 0, passed = 0
        for group in file.testGroups {
            let key = Result { () throws(CryptoError) in
                try Curve25519.Signing.PublicKey(rawRepresentation: [UInt8](hex: group.publicKey.pk))
            }
            for test in group.tests {
                ran += 1
                let verified = Result { () throws(CryptoError) -> Bool in
                    try key.get().isValidSignature([UInt8](hex: test.sig), for: [UInt8](hex: test.msg))
                }
                let accepted = (try? verified.get()) ?? false
                switch test.result {
                case .valid:
                    #expect(accepted, "tc \(test.tcId) \(test.comment)")
                    if accepted { passed += 1 }
                case .invalid, .acceptable:
                    #expect(!accepted, "tc \(test.tcId) \(test.comment) \(test.flags)")
                    if !accepted { passed += 1 }
                }
            }
        }
        print("Wycheproof ed25519: ran \(ran), passed \(passed)")
        #expect(ran == file.numberOfTests)
        #expect(passed == ran)
    }
}

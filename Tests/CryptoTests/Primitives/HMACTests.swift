import Crypto
import Testing

/// RFC 4231 §4.2–4.8 (HMAC-SHA-256 column) and the truncation rules.
@Suite("HMAC-SHA-256")
struct HMACTests {
    struct Case: Sendable, CustomStringConvertible {
        let name: String
        let key: [UInt8]
        let data: [UInt8]
        let mac: String
        var description: String { name }
    }

    static let rfc4231Cases: [Case] = [
        Case(name: "4.2 test case 1", key: [UInt8](repeating: 0x0b, count: 20), data: Array("Hi There".utf8),
             mac: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        Case(name: "4.3 test case 2", key: Array("Jefe".utf8), data: Array("what do ya want for nothing?".utf8),
             mac: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        Case(name: "4.4 test case 3", key: [UInt8](repeating: 0xaa, count: 20), data: [UInt8](repeating: 0xdd, count: 50),
             mac: "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        Case(name: "4.5 test case 4", key: [UInt8](hex: "0102030405060708090a0b0c0d0e0f10111213141516171819"),
             data: [UInt8](repeating: 0xcd, count: 50),
             mac: "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        Case(name: "4.7 test case 6", key: [UInt8](repeating: 0xaa, count: 131),
             data: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
             mac: "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        Case(name: "4.8 test case 7", key: [UInt8](repeating: 0xaa, count: 131),
             data: Array(("This is a test using a larger than block-size key and a larger than block-size data. "
                 + "The key needs to be hashed before being used by the HMAC algorithm.").utf8),
             mac: "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
    ]

    @Test(arguments: rfc4231Cases) func rfc4231(_ test: Case) throws {
        let key = SymmetricKey(data: test.key)
        let code = try HMAC.authenticationCode(for: test.data, using: key)
        #expect(code.bytes.hex == test.mac)
        #expect(try HMAC.isValidAuthenticationCode([UInt8](hex: test.mac), authenticating: test.data, using: key))
    }

    /// RFC 4231 §4.6 test case 5: output truncated to 128 bits.
    @Test func rfc4231TruncatedCase5() throws {
        let key = SymmetricKey(data: [UInt8](repeating: 0x0c, count: 20))
        let data = Array("Test With Truncation".utf8)
        let truncated = [UInt8](hex: "a3b6167473100ee06e0c796c2955552b")
        #expect(Array(try HMAC.authenticationCode(for: data, using: key).bytes.prefix(16)) == truncated)
        #expect(try HMAC.isValidAuthenticationCode(truncated, truncatedTo: 16, authenticating: data, using: key))
        // The full-length check never accepts a truncated code...
        #expect(try !HMAC.isValidAuthenticationCode(truncated, authenticating: data, using: key))
        // ...and the truncated check only accepts the length the verifier asked for.
        #expect(try !HMAC.isValidAuthenticationCode(truncated.prefix(8), truncatedTo: 16, authenticating: data, using: key))
        #expect(try HMAC.isValidAuthenticationCode(truncated.prefix(8), truncatedTo: 8, authenticating: data, using: key))
        #expect(throws: CryptoError.incorrectSize(.tag, expected: 8...32, actual: 4)) {
            try HMAC.isValidAuthenticationCode(truncated.prefix(4), truncatedTo: 4, authenticating: data, using: key)
        }
    }

    /// The ratchet's shape: 32-byte key, one-byte messages 0x01 / 0x02, output used as a key.
    @Test func chainKeyShape() throws {
        let chainKey = try SymmetricKey(size: .bits256, using: SeededRandom(seed: 7))
        let messageSeed = try HMAC.authenticationCode(for: [0x01], using: chainKey)
        let nextChainKey = try HMAC.authenticationCode(for: [0x02], using: chainKey).symmetricKey
        #expect(nextChainKey.byteCount == 32)
        #expect(!ConstantTime.equals(messageSeed.secureBytes, nextChainKey.secureBytes))
        #expect(messageSeed.description == "HMAC-SHA-256 code (32 bytes)")
    }

    /// An empty key is legal HMAC (zero-padded to the block size, so equal to 64 zero bytes).
    @Test func emptyKey() throws {
        let message = Array("message".utf8)
        let empty = try HMAC.authenticationCode(for: message, using: SymmetricKey(data: [UInt8]()))
        let zeros = try HMAC.authenticationCode(for: message, using: SymmetricKey(data: [UInt8](repeating: 0, count: 64)))
        #expect(empty.bytes == zeros.bytes)
    }

    /// A flipped bit anywhere in code, message or key invalidates.
    @Test func tamperingRejected() throws {
        let random = SeededRandom(seed: 42)
        for trial in 0..<50 {
            let key = try random.bytes(count: 32)
            let message = try random.bytes(count: 1 + trial)
            let code = try HMAC.authenticationCode(for: message, using: SymmetricKey(data: key)).bytes
            let bit = Int(try random.bytes(count: 1)[0] & 7)
            var badCode = code
            badCode[trial % 32] ^= 1 << bit
            var badMessage = message
            badMessage[trial % message.count] ^= 1 << bit
            var badKey = key
            badKey[trial % 32] ^= 1 << bit
            #expect(try !HMAC.isValidAuthenticationCode(badCode, authenticating: message, using: SymmetricKey(data: key)))
            #expect(try !HMAC.isValidAuthenticationCode(code, authenticating: badMessage, using: SymmetricKey(data: key)))
            #expect(try !HMAC.isValidAuthenticationCode(code, authenticating: message, using: SymmetricKey(data: badKey)))
        }
    }
}

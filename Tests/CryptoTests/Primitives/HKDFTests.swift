import Crypto
import Testing

/// RFC 5869 Appendix A.1–A.3 (the SHA-256 cases) and the length rules.
@Suite("HKDF-SHA-256")
struct HKDFTests {
    struct Case: Sendable, CustomStringConvertible {
        let name: String
        let ikm: [UInt8]
        let salt: [UInt8]
        let info: [UInt8]
        let length: Int
        let prk: String
        let okm: String
        var description: String { name }
    }

    static let rfc5869Cases: [Case] = [
        Case(name: "A.1", ikm: [UInt8](repeating: 0x0b, count: 22), salt: Array(0x00...0x0c), info: Array(0xf0...0xf9),
             length: 42,
             prk: "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
             okm: "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"),
        Case(name: "A.2", ikm: Array(0x00...0x4f), salt: Array(0x60...0xaf), info: Array(0xb0...0xff), length: 82,
             prk: "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
             okm: "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
                + "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
                + "cc30c58179ec3e87c14c01d5c1f3434f1d87"),
        Case(name: "A.3", ikm: [UInt8](repeating: 0x0b, count: 22), salt: [], info: [], length: 42,
             prk: "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
             okm: "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"),
    ]

    @Test(arguments: rfc5869Cases) func rfc5869(_ test: Case) throws {
        let ikm = SymmetricKey(data: test.ikm)
        let prk = try HKDF.extract(inputKeyMaterial: ikm, salt: test.salt)
        #expect(prk.secureBytes.hexString == test.prk)
        let expanded = try HKDF.expand(pseudoRandomKey: prk, info: test.info, outputByteCount: test.length)
        #expect(expanded.secureBytes.hexString == test.okm)
        let derived = try HKDF.deriveKey(inputKeyMaterial: ikm, salt: test.salt, info: test.info, outputByteCount: test.length)
        #expect(derived.secureBytes.hexString == test.okm)
    }

    /// An empty salt is HashLen zero bytes (RFC 5869 §2.2).
    @Test func emptySaltIsZeros() throws {
        let ikm = SymmetricKey(data: [UInt8](repeating: 0x0b, count: 22))
        let empty = try HKDF.deriveKey(inputKeyMaterial: ikm, salt: [UInt8](), info: [UInt8](), outputByteCount: 42)
        let zeros = try HKDF.deriveKey(
            inputKeyMaterial: ikm, salt: [UInt8](repeating: 0, count: 32), info: [UInt8](), outputByteCount: 42)
        #expect(ConstantTime.equals(empty.secureBytes, zeros.secureBytes))
    }

    @Test func outputLengthLimits() throws {
        let ikm = SymmetricKey(data: [UInt8](repeating: 1, count: 32))
        #expect(try HKDF.deriveKey(inputKeyMaterial: ikm, salt: [UInt8](), info: [UInt8](), outputByteCount: 8160).byteCount == 8160)
        #expect(throws: CryptoError.invalidOutputByteCount(requested: 8161, allowed: 1...8160)) {
            try HKDF.deriveKey(inputKeyMaterial: ikm, salt: [UInt8](), info: [UInt8](), outputByteCount: 8161)
        }
        #expect(throws: CryptoError.invalidOutputByteCount(requested: 0, allowed: 1...8160)) {
            try HKDF.expand(pseudoRandomKey: ikm, info: [UInt8](), outputByteCount: 0)
        }
        #expect(throws: CryptoError.incorrectSize(.pseudoRandomKey, expected: 32...Int.max, actual: 16)) {
            try HKDF.expand(pseudoRandomKey: SymmetricKey(data: [UInt8](repeating: 1, count: 16)), info: [UInt8](), outputByteCount: 32)
        }
    }

    /// X3DH's shape: F ‖ DH1 ‖ DH2 ‖ DH3 concatenated in SecureBytes, salt 32 zeros, info
    /// "WhisperText", 64 bytes out — equal to deriving over the same bytes held in an array.
    @Test func x3dhShape() throws {
        let random = SeededRandom(seed: 3)
        let parts = try (0..<3).map { _ in try random.secureBytes(count: 32) }
        let ikm = SecureBytes(concatenating: [SecureBytes(repeating: 0xff, count: 32)] + parts)
        #expect(ikm.count == 128)
        let viaSecure = try HKDF.deriveKey(
            inputKeyMaterial: SymmetricKey(secureBytes: ikm), salt: [UInt8](repeating: 0, count: 32),
            info: Array("WhisperText".utf8), outputByteCount: 64)
        let flat = [UInt8](repeating: 0xff, count: 32) + parts.flatMap { Array($0) }
        let viaArray = try HKDF.deriveKey(
            inputKeyMaterial: SymmetricKey(data: flat), salt: [UInt8](), info: Array("WhisperText".utf8),
            outputByteCount: 64)
        #expect(ConstantTime.equals(viaSecure.secureBytes, viaArray.secureBytes))
    }
}

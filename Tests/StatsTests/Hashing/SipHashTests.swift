import Testing
@testable import Stats

@Suite struct SipHashTests {
    struct Vectors: Decodable { let sip64: [String]; let sip128: [String] }

    private let hasher = SipHash24(k0: 0x0706_0504_0302_0100, k1: 0x0f0e_0d0c_0b0a_0908)

    @Test func sixtyFourBitOutputMatchesReferenceVectors() throws {
        let vectors = try Fixtures.json(Vectors.self, "siphash-vectors.json")
        #expect(vectors.sip64.count == 64)
        for (length, expected) in vectors.sip64.enumerated() {
            let message = (0..<length).map { UInt8($0) }
            var out = hasher.hash64(message).littleEndian
            let bytes = withUnsafeBytes(of: &out) { [UInt8]($0) }
            #expect(bytes.hex == expected, "message length \(length)")
        }
    }

    @Test func hundredTwentyEightBitOutputMatchesReferenceVectors() throws {
        let vectors = try Fixtures.json(Vectors.self, "siphash-vectors.json")
        #expect(vectors.sip128.count == 64)
        for (length, expected) in vectors.sip128.enumerated() {
            let message = (0..<length).map { UInt8($0) }
            #expect(hasher.hash128Bytes(message).hex == expected, "message length \(length)")
        }
    }

    @Test func keyFromBytesEqualsKeyFromWords() throws {
        let fromBytes = try SipHash24(key: (0..<16).map { UInt8($0) })
        #expect(fromBytes.k0 == hasher.k0)
        #expect(fromBytes.k1 == hasher.k1)
        #expect(throws: SipHash24.InvalidKeyLength(byteCount: 15)) { try SipHash24(key: [UInt8](repeating: 0, count: 15)) }
    }

    @Test func oneWordMatchesTheReferenceVectorAndTheByteForm() throws {
        let vectors = try Fixtures.json(Vectors.self, "siphash-vectors.json")
        // The reference message of length 8 is the bytes 0…7: the word 0x0706050403020100.
        let (first, second) = hasher.hash128(word: 0x0706_0504_0302_0100)
        let bytes = withUnsafeBytes(of: (first.littleEndian, second.littleEndian)) { [UInt8]($0) }
        #expect(bytes.hex == vectors.sip128[8])
        var random = SplitMix64(seed: 7)
        for _ in 0..<1000 {
            let word = random.next()
            let expected = withUnsafeBytes(of: word.littleEndian) { hasher.hash128($0) }
            #expect(hasher.hash128(word: word) == expected, "word \(word)")
        }
    }
}

import Crypto
import Testing

/// FIPS 180-4 examples (NIST CSRC "Examples with intermediate values") and incremental hashing.
@Suite("SHA-2")
struct SHA2Tests {
    static let abc = Array("abc".utf8)
    static let twoBlock448 = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
    static let twoBlock896 = Array(
        "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu".utf8)

    @Test func sha256KnownAnswers() throws {
        #expect(try SHA256.hash(data: Self.abc).hexString
            == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(try SHA256.hash(data: [UInt8]()).hexString
            == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(try SHA256.hash(data: Self.twoBlock448).hexString
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    /// `hexString(_:)` (webhook signatures, digest descriptions): lowercase, two digits a byte,
    /// in order, for contiguous input and for a sequence without contiguous storage.
    @Test func hexStringWritesEveryByteInLowercase() throws {
        #expect(hexString([0x00, 0x0F, 0xA5, 0xFF, 0x10, 0x9A]) == "000fa5ff109a")
        #expect(hexString([UInt8]()) == "")
        let every = (0...255).map { UInt8($0) }
        let digits = Array("0123456789abcdef")
        let expected = String(every.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] })
        #expect(hexString(every) == expected)
        #expect(hexString(every[128...]) == String(expected.dropFirst(256)))
        #expect(hexString(every.lazy.map { $0 }) == expected, "no contiguous storage")
        #expect(String(describing: try SHA256.hash(data: Self.abc)).hasSuffix("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"))
    }

    @Test func sha512KnownAnswers() throws {
        #expect(try SHA512.hash(data: Self.abc).hexString
            == "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            + "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f")
        #expect(try SHA512.hash(data: [UInt8]()).hexString
            == "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
            + "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e")
        #expect(try SHA512.hash(data: Self.twoBlock448).hexString
            == "204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c335"
            + "96fd15c13b1b07f9aa1d3bea57789ca031ad85c7a71dd70354ec631238ca3445")
        #expect(try SHA512.hash(data: Self.twoBlock896).hexString
            == "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018"
            + "501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909")
    }

    /// Feeding a message in random splits (seeded, reproducible) always gives the one-shot digest.
    @Test(arguments: 0..<20) func incrementalMatchesOneShot(seed: UInt64) throws {
        let random = SeededRandom(seed: seed)
        let length = Int(try random.bytes(count: 1)[0]) * 3
        let message = try random.bytes(count: length)
        var hasher = try SHA256()
        var offset = 0
        while offset < message.count {
            let step = min(message.count - offset, Int(try random.bytes(count: 1)[0] % 70))
            try hasher.update(data: message[offset..<(offset + step)])
            offset += step
        }
        #expect(try hasher.finalize() == SHA256.hash(data: message), "seed \(seed)")
    }

    /// Copies fork the state; finalize leaves the hasher usable.
    @Test func valueSemantics() throws {
        var first = try SHA256()
        try first.update(data: Array("ab".utf8))
        var second = first
        try second.update(data: Array("c".utf8))
        #expect(try second.finalize() == SHA256.hash(data: Self.abc))
        #expect(try first.finalize() == SHA256.hash(data: Array("ab".utf8)))
        try first.update(data: Array("c".utf8))
        #expect(try first.finalize() == second.finalize())
    }

    @Test func digestRawRepresentation() throws {
        let digest = try SHA256.hash(data: Self.abc)
        #expect(try SHA256Digest(rawRepresentation: digest.bytes) == digest)
        #expect(digest.count == 32 && digest.bytes.count == 32)
        #expect(Set([digest, digest]).count == 1)
        #expect(throws: CryptoError.incorrectSize(.digest, expected: 32...32, actual: 31)) {
            try SHA256Digest(rawRepresentation: [UInt8](repeating: 0, count: 31))
        }
        let long = try SHA512.hash(data: Self.abc)
        #expect(try SHA512Digest(rawRepresentation: long.bytes) == long)
        #expect(long.description.hasSuffix(long.hexString))
    }
}

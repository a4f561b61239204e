import Crypto
import Testing

@Suite("Random sources")
struct RandomSourceTests {
    @Test func systemRandomProducesFreshBytes() throws {
        let random = SystemRandom()
        let a = try random.bytes(count: 32), b = try random.bytes(count: 32)
        #expect(a.count == 32 && a != b)
        #expect(try random.bytes(count: 0).isEmpty)
        #expect(try SymmetricKey(size: .bits256).byteCount == 32)
    }

    /// The same seed gives the same stream, however the draws are split; different seeds differ.
    @Test func seededRandomIsDeterministic() throws {
        let whole = try SeededRandom(seed: 1234).bytes(count: 100)
        let split = SeededRandom(seed: 1234)
        let parts = try split.bytes(count: 1) + split.bytes(count: 31) + split.bytes(count: 33) + split.bytes(count: 35)
        #expect(whole == parts)
        #expect(try SeededRandom(seed: 1235).bytes(count: 100) != whole)
        #expect(try SeededRandom(seedBytes: [0, 0, 0, 0, 0, 0, 0x04, 0xd2]).bytes(count: 100) == whole)
    }

    /// Pin the stream to its definition, HMAC-SHA256(seed, "VigilTestRNG" ‖ u64be(i)), and to the
    /// bytes Tests/interop/signal_peer.py's `TestRandom(bytes([1, 2, 3]))` draws first.
    @Test func seededRandomDefinition() throws {
        let seed: [UInt8] = [1, 2, 3]
        let block0 = try HMAC.authenticationCode(
            for: Array("VigilTestRNG".utf8) + [UInt8](repeating: 0, count: 8), using: SymmetricKey(data: seed))
        let drawn = try SeededRandom(seedBytes: seed).bytes(count: 40)
        #expect(Array(drawn.prefix(32)) == block0.bytes)
        #expect(drawn.hex == "a0a7235154059651f35c16f29431179c4f5b8eb69ce0f8c17f210b0db5a2105dad4048187af1b88f")
    }
}

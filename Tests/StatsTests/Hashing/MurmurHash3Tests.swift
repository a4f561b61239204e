import Testing
@testable import Stats

@Suite struct MurmurHash3Tests {
    struct ByteCase: Decodable { let hex: String; let seed: UInt64; let h1: String; let h2: String }
    struct IntCase: Decodable { let value: String; let h1: String; let h2: String }
    struct File: Decodable { let bytes: [ByteCase]; let int64: [IntCase] }

    @Test func matchesIndependentImplementationOnBytes() throws {
        let file = try Fixtures.json(File.self, "hash/murmur3.json")
        #expect(file.bytes.count > 100)
        for c in file.bytes {
            let bytes = [UInt8](hex: c.hex)
            let hash = bytes.withUnsafeBytes { MurmurHash3.hash128($0, seed: c.seed) }
            #expect(hash.h1 == UInt64(c.h1), "len \(bytes.count) seed \(c.seed)")
            #expect(hash.h2 == UInt64(c.h2), "len \(bytes.count) seed \(c.seed)")
        }
    }

    @Test func int64ItemsHashTheirLittleEndianBytes() throws {
        let file = try Fixtures.json(File.self, "hash/murmur3.json")
        for c in file.int64 {
            let value = try #require(Int64(c.value))
            let hash = try #require(value.sketchHash(seed: 9001))
            #expect(hash.h1 == UInt64(c.h1))
            #expect(hash.h2 == UInt64(c.h2))
            var le = value.littleEndian
            let viaBytes = withUnsafeBytes(of: &le) { MurmurHash3.hash128($0, seed: 9001) }
            #expect(viaBytes == hash)
        }
    }

    @Test func canonicalizationFollowsDataSketches() {
        let seed = MurmurHash3.defaultSeed
        #expect(Int32(-5).sketchHash(seed: seed) == Int64(-5).sketchHash(seed: seed))
        #expect(Int8(-1).sketchHash(seed: seed) == Int64(-1).sketchHash(seed: seed))
        #expect(UInt32(0xFFFF_FFFF).sketchHash(seed: seed) == Int64(-1).sketchHash(seed: seed))
        #expect(UInt16(0x8000).sketchHash(seed: seed) == Int64(Int16.min).sketchHash(seed: seed))
        #expect(Double(-0.0).sketchHash(seed: seed) == Double(0.0).sketchHash(seed: seed))
        #expect(Double.nan.sketchHash(seed: seed) == Double(bitPattern: 0x7ff8_0000_0000_0001).sketchHash(seed: seed))
        #expect(Double.nan.sketchHash(seed: seed) == MurmurHash3.hash128(word: 0x7ff8_0000_0000_0000, seed: seed))
        #expect(Float(1.5).sketchHash(seed: seed) == Double(1.5).sketchHash(seed: seed))
        #expect("".sketchHash(seed: seed) == nil)
        #expect(SketchBytes([]).sketchHash(seed: seed) == nil)
        #expect("héllo".sketchHash(seed: seed) == SketchBytes(Array("héllo".utf8)).sketchHash(seed: seed))
        #expect("héllo".dropFirst().sketchHash(seed: seed) == "éllo".sketchHash(seed: seed))
    }

    @Test func seedHashOf9001IsDataSketches() {
        #expect(MurmurHash3.seedHash(9001) == 0x93cc)
    }
}

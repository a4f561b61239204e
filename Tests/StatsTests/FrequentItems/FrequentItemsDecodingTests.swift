import Testing
@testable import Stats

/// Every corruption class is refused with the right typed error, and no input traps.
@Suite struct FrequentItemsDecodingTests {
    static let name = FrequentItemsFormat.sketchName

    /// An lg 3 sketch holding "a" ×3 and "βγ" ×1: 32 + 2·8 + (4+1) + (4+4) = 61 bytes.
    static func smallImage() throws -> [UInt8] {
        var sketch = try FrequentItemsSketch(lgMaxMapSize: 3)
        sketch.update("a", weight: 3)
        sketch.update("βγ")
        return sketch.serialized()
    }

    static func decode(_ bytes: [UInt8]) -> Result<FrequentItemsSketch, SketchDecodingError> {
        Result { () throws(SketchDecodingError) in try FrequentItemsSketch(serialized: bytes) }
    }

    static func expectCorrupt(_ bytes: [UInt8], _ what: String) {
        guard case .failure(.corrupt) = decode(bytes) else {
            Issue.record("\(what) was not reported as corrupt: \(decode(bytes))")
            return
        }
    }

    @Test func everyTruncationIsReported() throws {
        let full = try Self.smallImage()
        #expect(full.count == 61)
        for image in [full, try FrequentItemsSketch(lgMaxMapSize: 3).serialized()] {
            for length in 0..<image.count {
                guard case .failure(.truncated) = Self.decode(Array(image.prefix(length))) else {
                    Issue.record("prefix of \(length) of \(image.count) bytes was not reported as truncated")
                    continue
                }
            }
        }
    }

    @Test func headerCorruptionsAreTyped() throws {
        let image = try Self.smallImage()
        var bytes = image
        bytes[2] = 18
        #expect(throws: SketchDecodingError.wrongFamily(sketch: Self.name, expected: 10, found: 18)) {
            try FrequentItemsSketch(serialized: bytes)
        }
        bytes = image
        bytes[1] = 3
        #expect(throws: SketchDecodingError.unsupportedSerialVersion(sketch: Self.name, found: 3)) {
            try FrequentItemsSketch(serialized: bytes)
        }
        bytes = image
        bytes[0] = 1  // non-empty needs 4 preamble longs
        #expect(throws: SketchDecodingError.parameterOutOfRange(sketch: Self.name, name: "preamble longs", value: 1, allowed: 4...4)) {
            try FrequentItemsSketch(serialized: bytes)
        }
        bytes = [4, 1, 10, 3, 3, 5, 0, 0]  // empty needs 1
        #expect(throws: SketchDecodingError.parameterOutOfRange(sketch: Self.name, name: "preamble longs", value: 4, allowed: 1...1)) {
            try FrequentItemsSketch(serialized: bytes)
        }
        bytes = image
        bytes[5] = 0x02
        #expect(throws: SketchDecodingError.corrupt(sketch: Self.name, reason: "unknown flag bits 0x2")) {
            try FrequentItemsSketch(serialized: bytes)
        }
        // Either historical empty bit alone still means empty.
        #expect(try FrequentItemsSketch(serialized: [1, 1, 10, 3, 3, 1, 0, 0]).isEmpty)
        #expect(try FrequentItemsSketch(serialized: [1, 1, 10, 3, 3, 4, 0, 0]).isEmpty)
    }

    @Test func badMapSizesAreRejected() throws {
        let image = try Self.smallImage()
        for (offset, value, field, allowed) in [
            (3, UInt8(2), "lg_max_map_size", 3...26), (3, 27, "lg_max_map_size", 3...26),
            (4, 2, "lg_cur_map_size", 3...3), (4, 4, "lg_cur_map_size", 3...3),
        ] {
            var bytes = image
            bytes[offset] = value
            #expect(throws: SketchDecodingError.parameterOutOfRange(sketch: Self.name, name: field, value: Int(value), allowed: allowed)) {
                try FrequentItemsSketch(serialized: bytes)
            }
        }
        // A large empty image is accepted without allocating its map.
        let big = try FrequentItemsSketch(serialized: [1, 1, 10, 26, 26, 5, 0, 0])
        #expect(big.lgCurMapSize == 26 && big.isEmpty && big.map.keys.isEmpty)
    }

    @Test func impossibleCountsAreRejected() throws {
        let image = try Self.smallImage()
        var bytes = image
        bytes[8] = 0  // no items in a non-empty image
        #expect(throws: SketchDecodingError.parameterOutOfRange(sketch: Self.name, name: "number of items", value: 0, allowed: 1...6)) {
            try FrequentItemsSketch(serialized: bytes)
        }
        bytes = image
        bytes[8] = 7  // more than an lg 3 map holds
        #expect(throws: SketchDecodingError.parameterOutOfRange(sketch: Self.name, name: "number of items", value: 7, allowed: 1...6)) {
            try FrequentItemsSketch(serialized: bytes)
        }
        bytes = image
        bytes[32..<40] = [0, 0, 0, 0, 0, 0, 0, 0]
        Self.expectCorrupt(bytes, "a zero weight")
        bytes = image
        bytes[16] = 3  // total weight 3 < 3 + 1
        Self.expectCorrupt(bytes, "weights beyond the total")
        bytes = image
        bytes[24] = 200  // offset far beyond the total
        Self.expectCorrupt(bytes, "an offset beyond the total")
        bytes = image
        let greek = try #require((0..<image.count - 3).first { Array(image[$0..<$0 + 4]) == Array("βγ".utf8) })
        bytes[greek..<greek + 4] = [0x61, 0xFF, 0xFE, 0x61]  // invalid UTF-8 of the same length
        Self.expectCorrupt(bytes, "invalid UTF-8")
        // The same item twice.
        var twice = Array(image[0..<48])
        twice.replaceSubrange(48..<48, with: [1, 0, 0, 0, 0x61, 1, 0, 0, 0, 0x61])
        twice[16] = 10
        Self.expectCorrupt(twice, "a duplicate item")
    }

    @Test func trailingBytesAreReported() throws {
        #expect(throws: SketchDecodingError.trailingBytes(sketch: Self.name, count: 2)) {
            try FrequentItemsSketch(serialized: try Self.smallImage() + [0, 0])
        }
        #expect(throws: SketchDecodingError.trailingBytes(sketch: Self.name, count: 1)) {
            try FrequentItemsSketch(serialized: [1, 1, 10, 3, 3, 5, 0, 0, 9])
        }
    }

    /// Random truncations and byte flips of a real image: decoding throws or yields a sketch that
    /// round-trips. Never a trap.
    @Test(arguments: [UInt64(21), 22, 23, 24])
    func randomDamageNeverTraps(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let file = try FrequentItemsFixtureFile.load()
        let image = try #require(file.cases.first { $0.name == "stream1_lg4" }).imageBytes()
        for round in 0..<300 {
            var bytes = image
            if rng.next() % 4 == 0 {
                bytes.removeLast(Int(rng.next() % UInt64(bytes.count)))
            }
            for _ in 0..<Int(rng.next() % 3 + 1) where !bytes.isEmpty {
                let index = Int(rng.next() % UInt64(bytes.count))
                bytes[index] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
            }
            if case let .success(sketch) = Self.decode(bytes) {
                #expect(try FrequentItemsSketch(serialized: sketch.serialized()) == sketch, "seed \(seed) round \(round): \(bytes.hex)")
            }
        }
    }
}

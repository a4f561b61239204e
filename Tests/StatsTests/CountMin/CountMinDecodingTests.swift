import Testing
@testable import Stats

/// Every corruption class is refused with the right typed error, and no input traps.
@Suite struct CountMinDecodingTests {
    static let name = CountMinFormat.sketchName

    /// A small non-empty image (3 × 5, seed 9001): 16 + 8 + 15 × 8 = 144 bytes.
    static func smallImage() throws -> [UInt8] {
        var sketch = try CountMinSketch(numHashes: 3, numBuckets: 5)
        for (index, item) in ["a", "b", "c", "ü", "a"].enumerated() { sketch.update(item, weight: Double(index) + 0.5) }
        return sketch.serialized()
    }

    static func decode(_ bytes: [UInt8], seed: UInt64 = 9001) -> Result<CountMinSketch, SketchDecodingError> {
        Result { () throws(SketchDecodingError) in try CountMinSketch(serialized: bytes, seed: seed) }
    }

    @Test func everyTruncationIsReported() throws {
        let full = try Self.smallImage()
        #expect(full.count == 144)
        let empty = try CountMinSketch(numHashes: 3, numBuckets: 5).serialized()
        for image in [full, empty] {
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
        bytes[2] = 7
        #expect(throws: SketchDecodingError.wrongFamily(sketch: Self.name, expected: 18, found: 7)) {
            try CountMinSketch(serialized: bytes)
        }
        bytes = image
        bytes[1] = 2
        #expect(throws: SketchDecodingError.unsupportedSerialVersion(sketch: Self.name, found: 2)) {
            try CountMinSketch(serialized: bytes)
        }
        bytes = image
        bytes[0] = 3
        #expect(throws: SketchDecodingError.parameterOutOfRange(sketch: Self.name, name: "preamble longs", value: 3, allowed: 2...2)) {
            try CountMinSketch(serialized: bytes)
        }
        bytes = image
        bytes[3] = 0x81
        #expect(throws: SketchDecodingError.corrupt(sketch: Self.name, reason: "unknown flag bits 0x81")) {
            try CountMinSketch(serialized: bytes)
        }
    }

    @Test func impossibleShapesAreRejected() throws {
        let image = try Self.smallImage()
        var bytes = image
        bytes[8] = 2  // num_buckets = 2
        #expect(throws: SketchDecodingError.parameterOutOfRange(sketch: Self.name, name: "num_buckets", value: 2, allowed: 3...Int(UInt32.max))) {
            try CountMinSketch(serialized: bytes)
        }
        bytes = image
        bytes[12] = 0  // num_hashes = 0
        #expect(throws: SketchDecodingError.parameterOutOfRange(sketch: Self.name, name: "num_hashes", value: 0, allowed: 1...255)) {
            try CountMinSketch(serialized: bytes)
        }
        bytes = image
        bytes[8...11] = [0, 0, 0, 0x40]  // 2^30 buckets
        guard case .failure(.parameterOutOfRange(_, "num_hashes × num_buckets", _, _)) = Self.decode(bytes) else {
            Issue.record("2^30 cells accepted")
            return
        }
        bytes = image
        bytes[8] = 6  // a shape that the rest of the image is too short for
        guard case .failure(.truncated) = Self.decode(bytes) else {
            Issue.record("short table accepted")
            return
        }
    }

    @Test func impossibleWeightsAreRejected() throws {
        let image = try Self.smallImage()
        func withDouble(_ value: Double, at offset: Int) -> [UInt8] {
            var bytes = image
            var encoded: [UInt8] = []
            encoded.appendLittleEndian(value)
            bytes.replaceSubrange(offset..<offset + 8, with: encoded)
            return bytes
        }
        for total in [0.0, -3.0, .nan, .infinity] {
            guard case .failure(.corrupt) = Self.decode(withDouble(total, at: 16)) else {
                Issue.record("total weight \(total) accepted")
                continue
            }
        }
        for cell in [1e9, -1e9, .nan, .infinity] {
            guard case .failure(.corrupt) = Self.decode(withDouble(cell, at: 24 + 8 * 7)) else {
                Issue.record("cell \(cell) accepted")
                continue
            }
        }
    }

    @Test func seedHashMismatchIsReported() throws {
        let file = try CountMinFixtureFile.load()
        let fixture = try #require(file.cases.first { $0.name == "seed1234_3x5" })
        let python = try fixture.imageBytes()
        #expect(throws: SketchDecodingError.seedHashMismatch(sketch: Self.name, expected: 0x93cc, found: MurmurHash3.seedHash(1234))) {
            try CountMinSketch(serialized: python)
        }
        #expect(try CountMinSketch(serialized: python, seed: 1234).seed == 1234)
    }

    @Test func trailingBytesAreReported() throws {
        let image = try Self.smallImage()
        #expect(throws: SketchDecodingError.trailingBytes(sketch: Self.name, count: 1)) {
            try CountMinSketch(serialized: image + [0])
        }
        let empty = try CountMinSketch(numHashes: 3, numBuckets: 5).serialized()
        #expect(throws: SketchDecodingError.trailingBytes(sketch: Self.name, count: 8)) {
            try CountMinSketch(serialized: empty + [UInt8](repeating: 0, count: 8))
        }
    }

    /// Random truncations and byte flips: decoding either throws or yields a sketch whose image
    /// is the input with its unused bytes cleared. Never a trap.
    @Test(arguments: [UInt64(11), 12, 13, 14])
    func randomDamageNeverTraps(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let image = try Self.smallImage()
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
                var canonical = bytes
                for unused in [4, 5, 6, 7, 15] where unused < canonical.count { canonical[unused] = 0 }
                #expect(sketch.serialized() == canonical, "seed \(seed) round \(round): \(bytes.hex)")
            }
        }
    }
}

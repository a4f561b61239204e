import Testing
@testable import Stats

/// Every malformed image is refused with an error that says what is wrong, never a trap.
@Suite struct HLLDecodingTests {
    private func image(lgK: Int = 10, count: Int) throws -> [UInt8] {
        var sketch = try HLLSketch(lgK: lgK)
        for i in 0..<count { sketch.update(Int64(i)) }
        return sketch.serialized()
    }

    @Test func rejectsTruncatedImages() throws {
        for count in [0, 3, 100, 5000] {
            let bytes = try image(count: count)
            for length in [0, 1, 7, bytes.count - 1] where length < bytes.count {
                #expect(throws: SketchDecodingError.self) { try HLLSketch(serialized: Array(bytes[0..<length])) }
            }
        }
        #expect(throws: SketchDecodingError.truncated(sketch: "HLL", offset: 0, needed: 8, available: 3)) {
            try HLLSketch(serialized: [2, 1, 7])
        }
    }

    @Test func rejectsWrongFamilyVersionAndLgK() throws {
        var bytes = try image(count: 5)
        bytes[2] = 15
        #expect(throws: SketchDecodingError.wrongFamily(sketch: "HLL", expected: 7, found: 15)) { try HLLSketch(serialized: bytes) }
        bytes = try image(count: 5)
        bytes[1] = 2
        #expect(throws: SketchDecodingError.unsupportedSerialVersion(sketch: "HLL", found: 2)) { try HLLSketch(serialized: bytes) }
        for lgK in [0, 3, 22, 255] {
            bytes = try image(count: 5)
            bytes[3] = UInt8(lgK)
            #expect(throws: SketchDecodingError.parameterOutOfRange(sketch: "HLL", name: "lgK", value: lgK, allowed: 4...21)) {
                try HLLSketch(serialized: bytes)
            }
        }
    }

    @Test func rejectsTrailingGarbage() throws {
        for count in [0, 5, 100, 5000] {
            let bytes = try image(count: count) + [0]
            #expect(throws: SketchDecodingError.trailingBytes(sketch: "HLL", count: 1)) { try HLLSketch(serialized: bytes) }
        }
    }

    /// Found by the `hll` fuzz harness (Fuzz/regressions/hll): an in-order image whose HIP
    /// accumulator is below its non-zero register count decoded, and its estimate fell below its
    /// own lower bound.
    @Test func rejectsHIPAccumulatorBelowTheNonZeroRegisters() throws {
        var sketch = try HLLSketch(lgK: 10)
        for i in 0..<5000 { sketch.update(Int64(i)) }
        #expect(sketch.mode == .hll && !sketch.isOutOfOrder)
        let nonZero = sketch.k - sketch.zeroRegisters
        var bytes = sketch.serialized()
        bytes.replaceSubrange(8..<16, with: withUnsafeBytes(of: 0.5.bitPattern.littleEndian, Array.init))
        #expect(throws: SketchDecodingError.corrupt(
            sketch: "HLL", reason: "HIP accumulator 0.5 below the \(nonZero) non-zero registers of an in-order sketch")) {
            try HLLSketch(serialized: bytes)
        }
        // At the bound it decodes, and the estimate is the HIP accumulator, inside its bounds.
        bytes.replaceSubrange(8..<16, with: withUnsafeBytes(of: Double(nonZero).bitPattern.littleEndian, Array.init))
        let decoded = try HLLSketch(serialized: bytes)
        #expect(decoded.estimate == Double(nonZero))
        #expect(try decoded.lowerBound(standardDeviations: 1) <= decoded.estimate)
    }

    @Test func rejectsImpossibleCountsAndContents() throws {
        var list = try image(count: 5)
        list[6] = 9 // a LIST never holds 8 or more coupons
        #expect(throws: SketchDecodingError.self) { try HLLSketch(serialized: list) }

        list = try image(count: 5)
        list[8..<12] = list[12..<16] // duplicate coupon
        #expect(throws: SketchDecodingError.self) { try HLLSketch(serialized: list) }

        var set = try image(count: 50)
        #expect(set[0] == 3)
        set[8] = 3 // SET coupon count below the LIST limit
        #expect(throws: SketchDecodingError.self) { try HLLSketch(serialized: set) }

        var hll = try image(count: 5000)
        hll[40] = 64 // register above 63
        #expect(throws: SketchDecodingError.self) { try HLLSketch(serialized: hll) }

        hll = try image(count: 5000)
        hll[32] &+= 1 // numAtCurMin disagrees with the registers
        #expect(throws: SketchDecodingError.self) { try HLLSketch(serialized: hll) }

        hll = try image(count: 5000)
        hll[16..<24] = [0, 0, 0, 0, 0, 0, 0xf0, 0x7f][...] // kxq0 = +inf
        #expect(throws: SketchDecodingError.self) { try HLLSketch(serialized: hll) }

        hll = try image(count: 5000)
        hll[5] |= 4 // empty flag on a non-empty sketch
        #expect(throws: SketchDecodingError.self) { try HLLSketch(serialized: hll) }
    }

    @Test(arguments: [UInt64(1), 2, 3, 4])
    func randomDamageNeverTraps(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let images = try [0, 3, 7, 100, 700, 5000].map { try image(lgK: 10, count: $0) }
        var accepted = 0
        for trial in 0..<2000 {
            var bytes = images[trial % images.count]
            switch random.next() % 3 {
            case 0: bytes = Array(bytes[0..<Int(random.next() % UInt64(bytes.count))])
            case 1:
                for _ in 0...(random.next() % 4) {
                    let index = Int(random.next() % UInt64(bytes.count))
                    bytes[index] ^= UInt8(truncatingIfNeeded: random.next() | 1)
                }
            default: bytes += [UInt8(truncatingIfNeeded: random.next())]
            }
            // Either a typed error or a sketch whose estimate is a finite, non-negative number.
            if let sketch = try? HLLSketch(serialized: bytes) {
                accepted += 1
                #expect(sketch.estimate.isFinite && sketch.estimate >= 0, "seed \(seed) trial \(trial)")
                #expect(try HLLSketch(serialized: sketch.serialized()).estimate == sketch.estimate, "seed \(seed) trial \(trial)")
            }
        }
        #expect(accepted < 2000, "seed \(seed): damage must be detected at least sometimes")
    }
}

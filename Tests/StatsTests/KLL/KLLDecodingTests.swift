import Testing
@testable import Stats

/// Every class of bad image is refused with the error that names it, and nothing traps.
@Suite struct KLLDecodingTests {
    static let name = "KLL floats"

    /// The error decoding `bytes` throws, or `nil` if it decodes.
    static func decodingError(_ bytes: [UInt8]) -> SketchDecodingError? {
        do {
            _ = try KLLFloatsSketch(serialized: bytes)
            return nil
        } catch {
            return error
        }
    }

    static func corruptReason(_ bytes: [UInt8]) -> String? {
        if case let .corrupt(_, reason) = decodingError(bytes) { return reason }
        return nil
    }

    /// A full image with several levels: k = 8, 1000 items.
    static func fullImage() throws -> (image: [UInt8], sketch: KLLFloatsSketch) {
        var sketch = try KLLFloatsSketch(k: 8, randomSeed: 11)
        var generator = SplitMix64(seed: 11)
        for _ in 0..<1_000 { sketch.update(Float(generator.next() >> 48)) }
        return (sketch.serialized(), sketch)
    }

    /// Offsets inside a full image.
    struct Layout {
        let numLevels: Int
        var levelOffsets: Int { 20 }
        var minItem: Int { 20 + 4 * numLevels }
        var maxItem: Int { minItem + 4 }
        var firstItem: Int { maxItem + 4 }
    }

    static func patch<T: FixedWidthInteger>(_ bytes: [UInt8], at offset: Int, _ value: T) -> [UInt8] {
        var patched = bytes
        var encoded: [UInt8] = []
        encoded.appendLittleEndian(value)
        patched.replaceSubrange(offset..<(offset + encoded.count), with: encoded)
        return patched
    }

    static func patch(_ bytes: [UInt8], at offset: Int, _ value: Float) -> [UInt8] {
        patch(bytes, at: offset, value.bitPattern)
    }

    static let emptyImage: [UInt8] = [0x02, 0x01, 0x0f, 0x01, 0xc8, 0x00, 0x08, 0x00]
    static let singleImage: [UInt8] = [0x02, 0x02, 0x0f, 0x04, 0xc8, 0x00, 0x08, 0x00, 0x00, 0x00, 0x80, 0x3f]

    @Test func everyPrefixIsTruncated() throws {
        for image in [Self.emptyImage, Self.singleImage, try Self.fullImage().image] {
            for length in 0..<image.count {
                let error = Self.decodingError(Array(image.prefix(length)))
                guard case .truncated? = error else {
                    Issue.record("prefix \(length)/\(image.count): \(String(describing: error))")
                    continue
                }
            }
        }
    }

    @Test func trailingBytesAreRefused() throws {
        for image in [Self.emptyImage, Self.singleImage, try Self.fullImage().image] {
            #expect(Self.decodingError(image + [0]) == .trailingBytes(sketch: Self.name, count: 1))
            #expect(Self.decodingError(image + [1, 2, 3]) == .trailingBytes(sketch: Self.name, count: 3))
        }
    }

    @Test func wrongFamily() throws {
        let image = try Self.fullImage().image
        #expect(Self.decodingError(Self.patch(image, at: 2, UInt8(7))) == .wrongFamily(sketch: Self.name, expected: 15, found: 7))
        #expect(Self.decodingError(Self.patch(Self.emptyImage, at: 2, UInt8(18))) == .wrongFamily(sketch: Self.name, expected: 15, found: 18))
    }

    @Test func serialVersions() throws {
        let image = try Self.fullImage().image
        for version: UInt8 in [0, 3, 255] {
            #expect(Self.decodingError(Self.patch(image, at: 1, version)) == .unsupportedSerialVersion(sketch: Self.name, found: version))
        }
        #expect(Self.corruptReason(Self.patch(image, at: 1, UInt8(2)))?.contains("serial version 2 with a full layout") == true)
        #expect(Self.corruptReason(Self.patch(Self.singleImage, at: 1, UInt8(1)))?.contains("single-item") == true)
        #expect(Self.corruptReason(Self.patch(Self.emptyImage, at: 1, UInt8(2)))?.contains("empty") == true)
    }

    @Test func flagsAndPreamble() throws {
        let image = try Self.fullImage().image
        #expect(Self.corruptReason(Self.patch(image, at: 3, UInt8(0x08)))?.contains("unknown flag bits 0x8") == true)
        #expect(Self.corruptReason(Self.patch(Self.emptyImage, at: 3, UInt8(0x05)))?.contains("both") == true)
        #expect(Self.decodingError(Self.patch(image, at: 0, UInt8(2)))
            == .parameterOutOfRange(sketch: Self.name, name: "preamble ints", value: 2, allowed: 5...5))
        #expect(Self.decodingError(Self.patch(Self.singleImage, at: 0, UInt8(5)))
            == .parameterOutOfRange(sketch: Self.name, name: "preamble ints", value: 5, allowed: 2...2))
    }

    @Test func kAndMOutOfRange() throws {
        let image = try Self.fullImage().image
        for k: UInt16 in [0, 7] {
            #expect(Self.decodingError(Self.patch(image, at: 4, k))
                == .parameterOutOfRange(sketch: Self.name, name: "k", value: Int(k), allowed: 8...65535))
        }
        for m: UInt8 in [0, 4, 9] {
            #expect(Self.decodingError(Self.patch(image, at: 6, m))
                == .parameterOutOfRange(sketch: Self.name, name: "m", value: Int(m), allowed: 8...8))
        }
        // min k must lie in 8...k; this image has k = 8.
        #expect(Self.decodingError(Self.patch(image, at: 16, UInt16(9)))
            == .parameterOutOfRange(sketch: Self.name, name: "min k", value: 9, allowed: 8...8))
    }

    @Test func impossibleLevelCounts() throws {
        let (image, sketch) = try Self.fullImage()
        #expect(Self.decodingError(Self.patch(image, at: 18, UInt8(0)))
            == .parameterOutOfRange(sketch: Self.name, name: "number of levels", value: 0, allowed: 1...61))
        #expect(Self.decodingError(Self.patch(image, at: 18, UInt8(62)))
            == .parameterOutOfRange(sketch: Self.name, name: "number of levels", value: 62, allowed: 1...61))
        #expect(Self.corruptReason(Self.patch(image, at: 18, UInt8(40)))?.contains("impossible for n = 1000") == true)
        #expect(sketch.numLevels > 2)
    }

    @Test func impossibleLevelOffsets() throws {
        let (image, sketch) = try Self.fullImage()
        let layout = Layout(numLevels: sketch.numLevels)
        // Level 1 starting before level 0.
        let early = Self.patch(image, at: layout.levelOffsets + 4, UInt32(sketch.levels[0] - 1))
        #expect(Self.corruptReason(early)?.contains("level 0 starts at") == true)
        // The top level starting beyond the capacity.
        let last = layout.levelOffsets + 4 * (sketch.numLevels - 1)
        let beyond = Self.patch(image, at: last, UInt32(sketch.items.count + 1))
        #expect(Self.corruptReason(beyond)?.contains("after the capacity") == true)
        // Moving level 0's start changes the item count: the image is then short or long.
        let fewer = Self.patch(image, at: layout.levelOffsets, UInt32(sketch.levels[0] + 1))
        #expect(Self.corruptReason(fewer)?.contains("weigh") == true)
    }

    @Test func nInconsistentWithLevels() throws {
        let (image, sketch) = try Self.fullImage()
        #expect(Self.corruptReason(Self.patch(image, at: 8, sketch.n + 1))
            == "the levels weigh \(sketch.n) items but n = \(sketch.n + 1)")
        #expect(Self.corruptReason(Self.patch(image, at: 8, UInt64(0)))?.contains("empty flag") == true)
        #expect(Self.corruptReason(Self.patch(image, at: 8, UInt64.max))?.contains("exceeds") == true)
    }

    @Test func itemsOutOfOrderOrRangeOrNaN() throws {
        let (image, sketch) = try Self.fullImage()
        let layout = Layout(numLevels: sketch.numLevels)
        let minimum = try #require(sketch.minItem)
        let maximum = try #require(sketch.maxItem)

        #expect(Self.corruptReason(Self.patch(image, at: layout.minItem, Float.nan))?.contains("NaN") == true)
        #expect(Self.corruptReason(Self.patch(image, at: layout.minItem, maximum + 1))?.contains("greater than") == true)
        #expect(Self.corruptReason(Self.patch(image, at: layout.firstItem, Float.nan))?.contains("NaN or outside") == true)
        #expect(Self.corruptReason(Self.patch(image, at: layout.firstItem, minimum - 1))?.contains("outside") == true)
        #expect(Self.corruptReason(Self.patch(Self.singleImage, at: 8, Float.nan)) == "the single item is NaN")

        // Swap the first two distinct items of level 1, which must stay sorted.
        let levelOne = sketch.range(ofLevel: 1)
        let first = try #require(levelOne.first { sketch.items[$0] != sketch.items[levelOne.lowerBound] })
        var swapped = image
        let a = layout.firstItem + 4 * (levelOne.lowerBound - sketch.levels[0])
        let b = layout.firstItem + 4 * (first - sketch.levels[0])
        for offset in 0..<4 { swapped.swapAt(a + offset, b + offset) }
        #expect(Self.corruptReason(swapped)?.contains("level 1 is not sorted") == true)

        // Level zero flagged sorted while it is not.
        var unsortedZero = try KLLFloatsSketch(k: 200)
        for value in [3, 1, 2] as [Float] { unsortedZero.update(value) }
        let flagged = Self.patch(unsortedZero.serialized(), at: 3, UInt8(0x02))
        #expect(Self.corruptReason(flagged)?.contains("level 0 is not sorted") == true)
    }

    @Test func errorsDescribeThemselves() throws {
        let image = try Self.fullImage().image
        let error = try #require(Self.decodingError(Self.patch(image, at: 6, UInt8(4))))
        #expect(error.description == "KLL floats image has m = 4, allowed 8…8")
    }

    /// Random truncations, byte flips and extensions of every fixture and a Swift image: decoding
    /// never traps, and whatever it accepts is a sketch that keeps its promises and keeps working.
    @Test(arguments: 0..<4 as Range<UInt64>)
    func randomCorruptionNeverTraps(seed: UInt64) throws {
        var images = try KLLFixtureFile.load().cases.map { try $0.image() }
        images.append(try Self.fullImage().image)
        var generator = SplitMix64(seed: seed)
        var accepted = 0
        for (imageIndex, image) in images.enumerated() {
            for trial in 0..<80 {
                var bytes = image
                switch generator.next() % 4 {
                case 0:
                    bytes.removeLast(Int(generator.next() % UInt64(bytes.count)) + 1)
                case 1:
                    for _ in 0...(generator.next() % 3) {
                        let position = Int(generator.next() % UInt64(bytes.count))
                        bytes[position] ^= UInt8(truncatingIfNeeded: generator.next() % 255 + 1)
                    }
                case 2:
                    let position = Int(generator.next() % UInt64(min(bytes.count, 24)))
                    bytes[position] = UInt8(truncatingIfNeeded: generator.next())
                default:
                    bytes += (0..<(generator.next() % 9 + 1)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
                }
                guard var sketch = try? KLLFloatsSketch(serialized: bytes) else { continue }
                accepted += 1
                let context = "seed \(seed) image \(imageIndex) trial \(trial)"
                #expect(sketch.invariantViolations().isEmpty, "\(context): \(sketch.invariantViolations())")
                if !sketch.isEmpty {
                    _ = try sketch.quantile(rank: 0.5)
                    _ = sketch.rank(of: 0)
                }
                let copy = sketch
                for value in 0..<300 { sketch.update(Float(value)) }
                sketch.merge(copy)
                #expect(sketch.invariantViolations().isEmpty, "\(context) after use")
                #expect(try KLLFloatsSketch(serialized: sketch.serialized()).n == sketch.n, "\(context)")
            }
        }
        // Flipped item bytes often still decode; make sure the "accepted" path was exercised.
        #expect(accepted > 0, "seed \(seed)")
    }
}

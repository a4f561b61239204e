import Stats

extension Harness {
    /// DataSketches HLL images (any mode, layout and target type).
    static let hll = Harness(
        name: "hll",
        summary: """
            HLLSketch(serialized:): an accepted image re-serializes, compact and updatable, to images that decode \
            to an equal sketch; its estimate is finite and non-negative and lies within its 1…3 σ bounds; it \
            merges into a union whose result round-trips too.
            """,
        maximumLength: 8 * 1024 + 64,
        run: { SketchHarnesses.hll($0) },
        seeds: { SketchHarnesses.hllSeeds() }
    )

    /// DataSketches KLL floats images.
    static let kll = Harness(
        name: "kll",
        summary: """
            KLLFloatsSketch(serialized:): an accepted image re-serializes to a fixed point; the median lies in \
            [min, max]; ranks lie in [0, 1]; merging the sketch into a copy of itself keeps it decodable.
            """,
        maximumLength: 16 * 1024,
        run: { SketchHarnesses.kll($0) },
        seeds: { SketchHarnesses.kllSeeds() }
    )

    /// DataSketches Count-Min images (default seed).
    static let countMin = Harness(
        name: "count-min",
        summary: """
            CountMinSketch(serialized:): an accepted image round-trips to an equal sketch; estimates lie within \
            their bounds; merging the sketch with itself doubles its total weight.
            """,
        maximumLength: 16 * 1024,
        run: { SketchHarnesses.countMin($0) },
        seeds: { SketchHarnesses.countMinSeeds() }
    )

    /// DataSketches frequent-items images of strings.
    static let frequentItems = Harness(
        name: "frequent-items",
        summary: """
            FrequentItemsSketch(serialized:): an accepted image round-trips to an equal sketch; every reported \
            row has lower ≤ estimate ≤ upper; merging the sketch with itself keeps it decodable.
            """,
        maximumLength: 16 * 1024,
        run: { SketchHarnesses.frequentItems($0) },
        seeds: { SketchHarnesses.frequentItemsSeeds() }
    )
}

enum SketchHarnesses {
    // MARK: HLL

    static func hll(_ input: UnsafeRawBufferPointer) -> Bool {
        guard let sketch = try? HLLSketch(serialized: Array(input)) else { return false }
        for compact in [true, false] {
            let image = sketch.serialized(compact: compact)
            do {
                let again = try HLLSketch(serialized: image)
                FuzzCheck.require(sameContent(again, sketch), "HLL image (compact: \(compact)) decodes to another sketch")
            } catch {
                FuzzCheck.fail("the re-serialized HLL image (compact: \(compact)) is refused: \(error)")
            }
        }
        checkEstimate(of: sketch)
        var union: HLLUnion
        do { union = try HLLUnion(lgMaxK: sketch.lgK) } catch { FuzzCheck.fail("no union for lgK \(sketch.lgK): \(error)") }
        union.update(sketch)
        union.update(sketch)
        let merged = union.result
        FuzzCheck.require(union.estimate.isFinite && union.estimate >= 0, "union estimate \(union.estimate)")
        FuzzCheck.require((try? HLLSketch(serialized: merged.serialized())).map { sameContent($0, merged) } == true, "a union result does not round-trip")
        return true
    }

    /// Whether two sketches hold the same content. `==` compares storage, and a SET keeps its
    /// coupons in an open-addressing table whose layout depends on the insertion order (a compact
    /// image lists them in table order, so decoding it inserts them in another order): two SETs
    /// are the same when their coupons are, as a set.
    private static func sameContent(_ left: HLLSketch, _ right: HLLSketch) -> Bool {
        guard left != right else { return true }
        guard left.mode == .set, right.mode == .set, left.lgK == right.lgK, left.isOutOfOrder == right.isOutOfOrder else { return false }
        return setCoupons(left) == setCoupons(right)
    }

    /// A SET sketch's coupons, sorted, read from its compact image (u32 LE from byte 12).
    private static func setCoupons(_ sketch: HLLSketch) -> [UInt32] {
        let image = sketch.serialized(compact: true)
        return stride(from: 12, to: image.count - 3, by: 4).map { offset in
            (0..<4).reduce(UInt32(0)) { $0 | UInt32(image[offset + $1]) << (8 * $1) }
        }.sorted()
    }

    private static func checkEstimate(of sketch: HLLSketch) {
        let estimate = sketch.estimate
        FuzzCheck.require(estimate.isFinite && estimate >= 0, "HLL estimate \(estimate)")
        for deviations in 1...3 {
            guard let lower = try? sketch.lowerBound(standardDeviations: deviations),
                  let upper = try? sketch.upperBound(standardDeviations: deviations)
            else { FuzzCheck.fail("no \(deviations) σ bounds") }
            FuzzCheck.require(lower.isFinite && upper.isFinite, "HLL bounds \(lower)…\(upper)")
            FuzzCheck.require(lower <= estimate && estimate <= upper, "HLL estimate \(estimate) outside its \(deviations) σ bounds \(lower)…\(upper)")
        }
    }

    static func hllSeeds() -> [[UInt8]] {
        var images: [[UInt8]] = []
        for (lgK, count) in [(4, 0), (8, 3), (10, 200), (5, 100), (11, 5000)] {
            guard var sketch = try? HLLSketch(lgK: lgK) else { continue }
            for item in 0..<count { sketch.update(UInt64(item)) }
            images.append(sketch.serialized())
            if count == 200 { images.append(sketch.serialized(compact: false)) }
        }
        return images
    }

    // MARK: KLL

    static func kll(_ input: UnsafeRawBufferPointer) -> Bool {
        guard let sketch = try? KLLFloatsSketch(serialized: Array(input)) else { return false }
        let image = sketch.serialized()
        FuzzCheck.require(image.count == sketch.serializedByteCount, "serializedByteCount \(sketch.serializedByteCount) for \(image.count) bytes")
        do {
            let again = try KLLFloatsSketch(serialized: image)
            FuzzCheck.requireEqualBytes(again.serialized(), image, "KLL re-serialization is not a fixed point")
        } catch {
            FuzzCheck.fail("the re-serialized KLL image is refused: \(error)")
        }
        if let minimum = sketch.minItem, let maximum = sketch.maxItem {
            guard let median = try? sketch.quantile(rank: 0.5) else { FuzzCheck.fail("no median for a non-empty sketch") }
            FuzzCheck.require(minimum <= median && median <= maximum, "median \(median) outside [\(minimum), \(maximum)]")
            for item in [minimum, median, maximum] {
                let rank = sketch.rank(of: item)
                FuzzCheck.require((0...1).contains(rank), "rank \(rank) of \(item)")
            }
        }
        // n is at most 2^64 - 1 in an image; two merges of a huge n would overflow a counter.
        guard sketch.n <= UInt64.max / 2 else { return true }
        var merged = sketch
        merged.merge(sketch)
        FuzzCheck.require(merged.n == 2 * sketch.n, "merging a sketch with itself gives n = \(merged.n), not \(2 * sketch.n)")
        FuzzCheck.require((try? KLLFloatsSketch(serialized: merged.serialized())) != nil, "a merged sketch does not decode")
        return true
    }

    static func kllSeeds() -> [[UInt8]] {
        [(8, 0), (8, 1), (8, 50), (20, 400), (200, 30)].compactMap { k, count in
            guard var sketch = try? KLLFloatsSketch(k: UInt16(k)) else { return nil }
            for item in 0..<count { sketch.update(Float(item * 37 % 101) - 20.5) }
            return sketch.serialized()
        }
    }

    // MARK: Count-Min

    static func countMin(_ input: UnsafeRawBufferPointer) -> Bool {
        guard let sketch = try? CountMinSketch(serialized: Array(input)) else { return false }
        do {
            let again = try CountMinSketch(serialized: sketch.serialized())
            FuzzCheck.require(again == sketch, "Count-Min image decodes to another sketch")
        } catch {
            FuzzCheck.fail("the re-serialized Count-Min image is refused: \(error)")
        }
        for item: UInt64 in [0, 1, 42, 1 << 40] {
            let estimate = sketch.estimate(item)
            let lower = sketch.lowerBound(item), upper = sketch.upperBound(item)
            FuzzCheck.require(lower <= estimate && estimate <= upper, "Count-Min estimate \(estimate) outside \(lower)…\(upper)")
        }
        var merged = sketch
        do { try merged.merge(sketch) } catch { FuzzCheck.fail("a sketch does not merge with itself: \(error)") }
        FuzzCheck.require(merged.totalWeight == 2 * sketch.totalWeight, "merged total \(merged.totalWeight) for \(sketch.totalWeight)")
        return true
    }

    static func countMinSeeds() -> [[UInt8]] {
        [(1, 3, 0), (3, 5, 20), (4, 64, 500), (2, 16, 7)].compactMap { hashes, buckets, count in
            guard var sketch = try? CountMinSketch(numHashes: hashes, numBuckets: buckets) else { return nil }
            for item in 0..<count { sketch.update(UInt64(item % 13), weight: Double(item % 3 + 1)) }
            return sketch.serialized()
        }
    }

    // MARK: Frequent items

    static func frequentItems(_ input: UnsafeRawBufferPointer) -> Bool {
        guard let sketch = try? FrequentItemsSketch(serialized: Array(input)) else { return false }
        do {
            let again = try FrequentItemsSketch(serialized: sketch.serialized())
            FuzzCheck.require(again == sketch, "frequent-items image decodes to another sketch")
        } catch {
            FuzzCheck.fail("the re-serialized frequent-items image is refused: \(error)")
        }
        for errorType in FrequentItemsSketch.ErrorType.allCases {
            for row in sketch.frequentItems(errorType: errorType) {
                FuzzCheck.require(row.lowerBound <= row.estimate && row.estimate <= row.upperBound, "row \(row)")
            }
        }
        var merged = sketch
        merged.merge(sketch)
        FuzzCheck.require((try? FrequentItemsSketch(serialized: merged.serialized())) != nil, "a merged sketch does not decode")
        return true
    }

    static func frequentItemsSeeds() -> [[UInt8]] {
        [(3, 0), (3, 5), (4, 40), (6, 300)].compactMap { lgMax, count in
            guard var sketch = try? FrequentItemsSketch(lgMaxMapSize: lgMax) else { return nil }
            for item in 0..<count { sketch.update("item-\(item % 17)", weight: UInt64(item % 5 + 1)) }
            return sketch.serialized()
        }
    }
}

import Foundation
import Testing
@testable import Stats

@Suite struct SlidingDistinctCounterTests {
    private let hour: Int64 = 3_600_000

    @Test func countsOnlyTheWindow() throws {
        var counter = try SlidingDistinctCounter(bucketCount: 24, bucketMilliseconds: hour, lgK: 12)
        // 100 distinct users per hour for 48 hours, each hour a new set.
        for h in 0..<48 {
            for u in 0..<100 { counter.update(Int64(h * 1000 + u), at: Int64(h) * hour + Int64(u) * 1000) }
        }
        let now = 47 * hour + 59 * 60_000
        #expect(abs(counter.estimate(at: now) - 2400) < 2400 * 0.05)
        // An hour later the oldest bucket (hour 24) has left the window.
        #expect(abs(counter.estimate(at: now + hour) - 2300) < 2300 * 0.05)
        // Once every bucket has expired the window is empty.
        #expect(counter.estimate(at: now + 30 * hour) == 0)
    }

    @Test func repeatedItemsCountOnce() throws {
        var counter = try SlidingDistinctCounter(bucketCount: 7, bucketMilliseconds: 24 * hour)
        for day in 0..<7 {
            for u in 0..<50 { counter.update("user-\(u)", at: Int64(day) * 24 * hour) }
        }
        #expect(counter.estimate(at: 6 * 24 * hour).rounded() == 50)
    }

    @Test func lateItemsAreDroppedAndCounted() throws {
        var counter = try SlidingDistinctCounter(bucketCount: 3, bucketMilliseconds: 1000)
        counter.update(Int64(1), at: 10_000)
        counter.update(Int64(2), at: 9_500) // still in the window (bucket 9)
        counter.update(Int64(3), at: 7_999) // bucket 7 left the window when bucket 10 arrived
        #expect(counter.droppedLateItems == 1)
        #expect(counter.estimate(at: 10_000).rounded() == 2)
    }

    /// The update's fast path (an item in the newest bucket, no division) leaves exactly the
    /// buckets a plain model of the documented rules makes: each window bucket's sketch holds the
    /// items of that bucket in arrival order, late items past the window are dropped. Times cross
    /// bucket edges exactly (start, end − 1, end), run backwards inside the window, jump ahead,
    /// and go negative. A counter restored from its state mid-way stays equal to the uninterrupted
    /// one; one restored without the newest bucket's slot (the fast path disabled) rebuilds it.
    @Test(arguments: [(3, Int64(1000)), (24, Int64(3_600_000)), (1, Int64(7))])
    func fastPathMatchesTheModel(bucketCount: Int, width: Int64) throws {
        var random = SplitMix64(seed: UInt64(bucketCount) &* 1_000_003 &+ UInt64(width))
        var counter = try SlidingDistinctCounter(bucketCount: bucketCount, bucketMilliseconds: width, lgK: 8)
        var restored: SlidingDistinctCounter?  // from the state at step 1500, updated alongside
        var model: [Int64: HLLSketch] = [:]
        var newest: Int64?
        var dropped = 0
        var time = -5 * width - 1
        for step in 0..<4000 {
            switch random.next() % 10 {
            case 0: time += width * Int64(1 + random.next() % UInt64(bucketCount + 2))  // a jump ahead
            case 1: time -= Int64(random.next() % UInt64(width * Int64(bucketCount + 1)))  // late, maybe too late
            case 2: time = SlidingDistinctCounter.floorDivide(time, width) * width  // a bucket's first ms
            case 3: time = (SlidingDistinctCounter.floorDivide(time, width) + 1) * width - 1  // its last ms
            case 4: time = (SlidingDistinctCounter.floorDivide(time, width) + 1) * width  // the next one's first
            default: time += Int64(random.next() % UInt64(max(1, width / 3)))
            }
            let hash = MurmurHash3.Hash128(h1: random.next(), h2: random.next())
            let bucket = SlidingDistinctCounter.floorDivide(time, width)
            if let top = newest, bucket <= top - Int64(bucketCount) {
                dropped += 1
            } else {
                newest = max(newest ?? bucket, bucket)
                if model[bucket] == nil { model[bucket] = try HLLSketch(lgK: 8) }
                model[bucket]?.update(hash: hash)
            }
            counter.update(hash: hash, at: time)
            restored?.update(hash: hash, at: time)
            if step == 1500 {
                restored = try SlidingDistinctCounter(
                    bucketCount: bucketCount, bucketMilliseconds: width, lgK: 8, buckets: counter.buckets,
                    newestBucketID: counter.newestBucketID, droppedLateItems: counter.droppedLateItems)
            }
            if step == 2500 {
                #expect(restored == counter, "restored at step 1500, compared at 2500")
                // Restored without the newest bucket's slot: the fast path starts disabled and the
                // next item in that bucket must create the slot anew.
                let newestID = try #require(counter.newestBucketID)
                counter = try SlidingDistinctCounter(
                    bucketCount: bucketCount, bucketMilliseconds: width, lgK: 8,
                    buckets: counter.buckets.filter { $0.id != newestID },
                    newestBucketID: newestID, droppedLateItems: counter.droppedLateItems)
                model.removeValue(forKey: newestID)
                restored = nil
            }
        }
        #expect(counter.droppedLateItems == dropped)
        #expect(counter.newestBucketID == newest)
        let top = try #require(newest)
        let window = counter.buckets.filter { $0.id > top - Int64(bucketCount) }.sorted { $0.id < $1.id }
        let expected = model.filter { $0.key > top - Int64(bucketCount) }.sorted { $0.key < $1.key }
            .map { SlidingDistinctCounter.Bucket(id: $0.key, sketch: $0.value) }
        #expect(window == expected)
        // A bucket newer than the newest is refused.
        #expect(throws: SlidingDistinctCounter.ConfigurationError.self) {
            try SlidingDistinctCounter(bucketCount: bucketCount, bucketMilliseconds: width, lgK: 8,
                                       buckets: [.init(id: top + 1, sketch: try HLLSketch(lgK: 8))],
                                       newestBucketID: top, droppedLateItems: 0)
        }
    }

    @Test func negativeTimesUseFloorBuckets() throws {
        #expect(SlidingDistinctCounter.floorDivide(-1, 1000) == -1)
        #expect(SlidingDistinctCounter.floorDivide(-1000, 1000) == -1)
        #expect(SlidingDistinctCounter.floorDivide(999, 1000) == 0)
        #expect(SlidingDistinctCounter.floorModulo(-1, 24) == 23)
    }

    @Test func rejectsBadConfiguration() {
        #expect(throws: SlidingDistinctCounter.ConfigurationError.self) { try SlidingDistinctCounter(bucketCount: 0, bucketMilliseconds: 1) }
        #expect(throws: SlidingDistinctCounter.ConfigurationError.self) { try SlidingDistinctCounter(bucketCount: 2, bucketMilliseconds: 0) }
        #expect(throws: SlidingDistinctCounter.ConfigurationError.self) { try SlidingDistinctCounter(bucketCount: 2, bucketMilliseconds: 1, lgK: 30) }
    }
}

@Suite struct DecayedRateTests {
    @Test func steadyArrivalsConvergeToTheirRate() {
        var rate = DecayedRate(timeConstantMilliseconds: 60_000)
        // 10 events per second for 10 minutes.
        for i in 0..<6000 { rate.record(at: Int64(i) * 100) }
        let measured = rate.rate(at: 599_900)
        #expect(abs(measured - 10) < 0.2, "\(measured)")
    }

    @Test func decaysByEToTheMinusOneAfterTau() {
        var rate = DecayedRate(timeConstantMilliseconds: 1000)
        rate.record(weight: 5, at: 0)
        let start = rate.rate(at: 0)
        #expect(abs(rate.rate(at: 1000) - start * exp(-1)) < 1e-12)
        // The α update equals the closed form: after Δt, c = (1 − α)·c + w.
        rate.record(weight: 1, at: 500)
        let alpha = 1 - exp(-0.5)
        #expect(abs(rate.rate(at: 500, per: 1000) - ((1 - alpha) * 5 + 1)) < 1e-12)
    }

    @Test func outOfOrderEventsDoNotRewindTime() {
        var rate = DecayedRate(timeConstantMilliseconds: 1000)
        rate.record(at: 1000)
        rate.record(at: 0)
        #expect(abs(rate.rate(at: 1000) - 2) < 1e-12)
    }

    @Test func ewmaWeightsByElapsedTime() {
        var average = IrregularEWMA(timeConstantMilliseconds: 1000)
        #expect(average.value == nil)
        average.observe(10, at: 0)
        average.observe(20, at: 1000)
        let alpha = 1 - exp(-1.0)
        #expect(abs((average.value ?? 0) - (10 + alpha * 10)) < 1e-12)
        average.observe(100, at: 1000) // Δt = 0: no weight
        #expect(abs((average.value ?? 0) - (10 + alpha * 10)) < 1e-12)
    }
}

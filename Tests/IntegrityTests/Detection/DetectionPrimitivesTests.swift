import Foundation
import Testing
@testable import Integrity

/// The counters the detectors are built from.
@Suite struct DetectionPrimitivesTests {
    @Test func windowCounterWeighsThePreviousBucketByItsOverlap() {
        var counter = WindowCounter()
        for second in Int64(0)..<10 { counter.add(at: second * 1000, window: 10_000) }   // 10 in bucket 0
        #expect(counter.estimate(at: 9_999, window: 10_000) == 10)
        counter.add(5, at: 12_000, window: 10_000)                                      // 5 in bucket 1
        #expect(counter.estimate(at: 12_000, window: 10_000) == 5 + 10 * 0.8)
        #expect(counter.estimate(at: 15_000, window: 10_000) == 5 + 10 * 0.5)
        #expect(counter.estimate(at: 25_000, window: 10_000) == 5 * 0.5)                // bucket 2: only bucket 1 overlaps
        #expect(counter.estimate(at: 30_000, window: 10_000) == 0)                      // both gone
        counter.add(at: 41_000, window: 10_000)                                         // a gap of two buckets drops the old ones
        #expect(counter.estimate(at: 41_000, window: 10_000) == 1)
    }

    @Test func decayedPairDecaysBothSumsTogether() {
        let profile = DecayProfile(tau: 256_000)      // steps of 1 s
        var pair = DecayedPair()
        pair.add(events: 2, exposures: 10, at: 0, profile: profile)
        let later = pair.decayed(at: 256_000, profile: profile)
        #expect(close(later.events, 2 * exp(-1), 1e-12) && close(later.exposures, 10 * exp(-1), 1e-12))
        #expect(pair.decayed(at: 999, profile: profile) == (2, 10))                      // within one step: no decay
        pair.add(exposures: 1, at: 256_000, profile: profile)
        #expect(close(pair.exposures, 10 * exp(-1) + 1, 1e-12))
        #expect(pair.decayed(at: 256_000 * 11, profile: profile) == (0, 0))             // past ten time constants
    }

    @Test func wilsonLowerBoundMatchesReferenceValues() {
        // Reference values from the closed form (e.g. statsmodels proportion_confint(method="wilson")).
        #expect(close(WilsonBound.lower(successes: 3, trials: 72, z: 1.96), 0.014_29, 1e-4))
        #expect(close(WilsonBound.lower(successes: 10, trials: 100, z: 1.96), 0.055_23, 1e-4))
        #expect(close(WilsonBound.lower(successes: 0, trials: 50, z: 1.96), 0, 1e-12))
        #expect(WilsonBound.lower(successes: 5, trials: 0, z: 1.96) == 0)
        #expect(WilsonBound.lower(successes: 300, trials: 7000, z: 1.96) > WilsonBound.lower(successes: 3, trials: 70, z: 1.96))
    }
}

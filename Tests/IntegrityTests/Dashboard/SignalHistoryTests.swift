@testable import Integrity
import Stats
import Testing
import Transport

@Suite struct SignalHistoryTests {
    typealias D = DashboardFixture

    @Test func aRingKeepsTheNewestElementsInOrder() {
        var ring = RingBuffer<Int>(capacity: 3)
        #expect(ring.isEmpty && ring.last == nil && ring.elements == [])
        ring.append(1)
        ring.append(2)
        #expect(ring.elements == [1, 2] && ring.last == 2)
        for value in 3...7 { ring.append(value) }
        #expect(ring.count == 3)
        #expect(ring.elements == [5, 6, 7])
        #expect(ring.last == 7)
    }

    @Test func aBusinessKeepsItsLastSamplesOnly() {
        var history = SignalHistory(samplesPerBusiness: 4, maximumBusinesses: 2)
        let b = D.business(1)
        for step in 0..<10 {
            history.record([D.signals(b, rate: Double(step))], at: Int64(step) * 1000)
        }
        let samples = history.samples(for: b)
        #expect(samples.map(\.time) == [6000, 7000, 8000, 9000])
        #expect(samples.map(\.sendRate1h) == [6, 7, 8, 9])
        #expect(history.latest(for: b)?.time == 9000)
        #expect(history.latestTime == 9000)
    }

    @Test func onlyTheLargestSendersAreTrackedUpToTheCap() {
        var history = SignalHistory(samplesPerBusiness: 8, maximumBusinesses: 2)
        let signals = (1...5).map { D.signals(D.business($0), rate: Double($0)) }
        history.record(signals, at: 1000)
        #expect(history.businesses == [D.business(4), D.business(5)])
        #expect(history.samples(for: D.business(3)).isEmpty)
    }

    @Test func alertingBusinessesAreTrackedFirst() {
        var history = SignalHistory(samplesPerBusiness: 8, maximumBusinesses: 2)
        let signals = (1...5).map { D.signals(D.business($0), rate: Double($0)) }
        history.record(signals, at: 1000, alerting: [D.business(1)])
        #expect(history.businesses == [D.business(1), D.business(5)])
    }

    @Test func aNewcomerDisplacesATrackedBusinessOnlyAtOneAndAHalfTimesItsVolume() {
        var history = SignalHistory(samplesPerBusiness: 8, maximumBusinesses: 2)
        let a = D.business(1), b = D.business(2), c = D.business(3)
        func signals(_ volume: Double) -> [BusinessSignals] {
            [D.signals(a, rate: 0, recipients: 400), D.signals(b, rate: 0, recipients: 500), D.signals(c, rate: 9, recipients: volume)]
        }
        history.record(Array(signals(0).prefix(2)), at: 1000)
        history.record(signals(599), at: 2000)
        #expect(history.businesses == [a, b])
        history.record(signals(600), at: 3000)  // a tie keeps the tracked business
        #expect(history.businesses == [a, b])
        #expect(history.samples(for: a).count == 3)
        history.record(signals(601), at: 4000)
        #expect(history.businesses == [b, c])
        #expect(history.samples(for: a).isEmpty)
        #expect(history.samples(for: c).map(\.time) == [4000])
        #expect(history.samples(for: b).count == 4)
    }

    @Test func choosingFromVolumesPicksWhatChoosingFromSignalsPicks() {
        var generator = SplitMix64(seed: 11)
        for trial in 0..<20 {
            var bySignals = SignalHistory(samplesPerBusiness: 8, maximumBusinesses: 5)
            let volumes = (1...30).map { (business: D.business($0), users: Double(generator.next() % 50)) }
            let alerting: Set<PhoneNumber> = trial.isMultiple(of: 2) ? [D.business(7)] : []
            bySignals.record(volumes.map { D.signals($0.business, rate: 0, recipients: $0.users) }, at: 1000, alerting: alerting)
            let byVolumes = SignalHistory(samplesPerBusiness: 8, maximumBusinesses: 5).choose(volumes: volumes, alerting: alerting)
            #expect(Set(byVolumes) == Set(bySignals.businesses), "trial \(trial)")
            #expect(byVolumes.count == 5 && (alerting.isEmpty || byVolumes.contains(D.business(7))))
        }
    }

    @Test func theAnalyzersCheapVolumesAreItsSignalsBusinessInitiatedUsers() {
        typealias F = Fixture
        let analyzer = F.analyzer()
        for index in 0..<40 { analyzer.ingest(F.b2u(F.t0 + Int64(index) * 1000, F.user(index))) }
        for index in 0..<7 { analyzer.ingest(F.b2u(F.t0 + 50_000, F.user(index), business: F.otherBusiness)) }
        let volumes = Dictionary(uniqueKeysWithValues: analyzer.initiatedVolumes().map { ($0.business, $0.users) })
        #expect(volumes.count == 2)
        for business in [F.business, F.otherBusiness] {
            let signals = analyzer.signals(for: business)
            #expect(volumes[business] == signals?.businessInitiated24h)
        }
        #expect(volumes[F.business] ?? 0 > volumes[F.otherBusiness] ?? .infinity)
    }

    @Test func theRankingFollowsTheDaysVolumeNotTheMomentsRate() {
        var history = SignalHistory(samplesPerBusiness: 8, maximumBusinesses: 1)
        let a = D.business(1), b = D.business(2)
        // a sent to many users today but is quiet now; b is busy this minute with few users.
        history.record([D.signals(a, rate: 0, recipients: 5000), D.signals(b, rate: 40, recipients: 300)], at: 1000)
        #expect(history.businesses == [a])
    }

    @Test func aBusinessGoneFromTheSnapshotIsForgotten() {
        var history = SignalHistory(samplesPerBusiness: 8, maximumBusinesses: 4)
        history.record([D.signals(D.business(1), rate: 1), D.signals(D.business(2), rate: 1)], at: 1000)
        history.record([D.signals(D.business(2), rate: 1)], at: 2000)
        #expect(history.businesses == [D.business(2)])
    }

    @Test func aSampleNoLaterThanTheLastIsRefused() {
        var history = SignalHistory()
        let b = D.business(1)
        let first = history.record([D.signals(b, rate: 1)], at: 5000)
        let again = history.record([D.signals(b, rate: 2)], at: 5000)
        let earlier = history.record([D.signals(b, rate: 2)], at: 4000)
        #expect(first && !again && !earlier)
        #expect(history.samples(for: b).map(\.sendRate1h) == [1])
    }

    @Test func aSampleCopiesTheChartedFigures() {
        var signals = D.signals(D.business(1), rate: 3, reached: 120, limit: 2000, rating: .yellow, tier: .tier2K)
        signals.sendRate1m = 4
        signals.blockRate7d = 0.02
        signals.reportRate7d = 0.01
        signals.status = .flagged
        let sample = SignalSample(signals, at: 42)
        #expect(sample == SignalSample(time: 42, sendRate1m: 4, sendRate1h: 3, businessInitiated24h: 120, messagingLimitUsers: 2000,
                                       blockRate7d: 0.02, reportRate7d: 0.01, qualityRating: .yellow, status: .flagged,
                                       messagingLimit: .tier2K))
    }

    @Test func theMemoryBoundIsSmallAtTheDefaults() {
        #expect(MemoryLayout<SignalSample>.stride <= 64, "\(MemoryLayout<SignalSample>.stride)")
        let history = SignalHistory()
        #expect(history.sampleBytesBound == 24 * 240 * MemoryLayout<SignalSample>.stride)
        #expect(history.sampleBytesBound <= 360 * 1024)
    }

    @Test func trackedBusinessesNeverExceedTheCapUnderChurn() {
        // Seeded churn: 40 businesses with random rates and alerts, 300 samples.
        var random = SplitMix64(seed: 11)
        var history = SignalHistory(samplesPerBusiness: 16, maximumBusinesses: 5)
        for step in 1...300 {
            let signals = (0..<40).map { D.signals(D.business($0), rate: Double(random.next() % 1000) / 10) }
            let alerting = Set((0..<3).map { _ in D.business(Int(random.next() % 40)) })
            history.record(signals, at: Int64(step) * 1000, alerting: alerting)
            #expect(history.businesses.count == 5)
            #expect(alerting.isSubset(of: Set(history.businesses)), "step \(step)")
            for business in history.businesses { #expect(history.samples(for: business).count <= 16) }
        }
    }
}

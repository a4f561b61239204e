@testable import Integrity
import Glibc
import Stats
import Testing
import Transport

/// The policy's incremental quality score (``QualityTally``) against the scan of the 7-day table
/// it replaces (``BusinessState/measureQuality(tick:parameters:)``).
@Suite struct QualityTallyTests {
    typealias F = Fixture

    /// One business's state driven directly by pseudonymized events.
    struct Driver {
        var state: BusinessState
        let parameters: SignalParameters
        var changes: [PolicyChange] = []

        init(rules: Rules = Rules(), time: Int64 = F.t0) {
            parameters = SignalParameters(rules: rules)
            state = BusinessState(business: F.business, policy: NumberPolicy(tier: .tier250), time: time, parameters: parameters)
        }

        /// The pseudonym user `index` has in `epoch` (random but fixed).
        static func pseudonym(_ index: Int, epoch: Int64) -> Pseudonym {
            var random = SplitMix64(seed: UInt64(index) &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(epoch))
            return Pseudonym(first: random.next(), second: random.next())
        }

        @discardableResult
        mutating func apply(_ kind: IntegrityEvent.Kind, user: Int, at time: Int64, epoch: Int64 = 0, grace: Bool = false) -> EventOutcome {
            let pair = PseudonymPair(current: Self.pseudonym(user, epoch: epoch),
                                     previous: grace ? Self.pseudonym(user, epoch: epoch - 1) : nil, epoch: epoch)
            return state.apply(PseudonymizedEvent(time: time, business: F.business, user: pair, kind: kind),
                               parameters: parameters, changes: &changes)
        }

        /// The score a scan of the table gives at `tick`.
        func scannedScore(tick: Int64) -> Double? {
            state.measureQuality(tick: tick, parameters: parameters)
                .score(priorUsers: parameters.rules.quality.priorUsers, scale: state.proofs.scale)
        }

        /// The score the tally gives at `tick`, or nil when it does not cover it.
        func tallyScore(tick: Int64) -> Double?? {
            guard state.quality.covers(tick: tick) else { return nil }
            return .some(state.quality.score(tick: tick, priorUsers: parameters.rules.quality.priorUsers,
                                             scale: state.proofs.scale, parameters: parameters))
        }

        /// Whether some field of the table was live at the tally's frame and has expired by `tick`.
        func expiredSinceFrame(tick: Int64) -> Bool {
            let frame = state.quality.frame
            var expired = false
            state.proofs.forEach { entry in
                for age in [entry.deliveredAge(now: tick), entry.blockedAge(now: tick), entry.reportedAge(now: tick)] {
                    if let age, age >= TimeTicks.week, age - Int(tick - frame) < TimeTicks.week { expired = true }
                }
            }
            return expired
        }
    }

    /// Same nil-ness, and values equal to 1e-12 relative.
    static func agree(_ tally: Double?, _ scan: Double?) -> Bool {
        switch (tally, scan) {
        case (nil, nil): true
        case let (a?, b?): abs(a - b) <= 1e-12 * max(abs(a), abs(b), 1e-300)
        default: false
        }
    }

    @Test func aCountedBlockIsScoredFromTheTallyWithoutAScan() throws {
        var driver = Driver()
        for user in 0..<10 { driver.apply(.delivered, user: user, at: F.t0) }
        let frame = driver.state.quality.frame
        #expect(frame == TimeTicks.tick(F.t0))
        #expect(driver.state.lastQualityScore == 0)
        // 20 minutes (2 ticks) later a counted spam block re-measures: no scan, the frame stays.
        let time = F.t0 + 20 * F.minute
        #expect(driver.apply(.block(.spam), user: 3, at: time).feedback == .counted)
        #expect(driver.state.quality.frame == frame)
        // 1 block of weight 1 at age 0 over 10 deliveries aged 2 ticks and 20 prior users.
        let expected = 1 / (10 * exp2(-2.0 / 288) + 20)
        let score = try #require(driver.state.lastQualityScore)
        #expect(abs(score - expected) <= 1e-15)
        #expect(Self.agree(score, driver.scannedScore(tick: TimeTicks.tick(time))))
    }

    @Test func aTableOfYoungFieldsIsCoveredForDays() throws {
        var driver = Driver()
        for user in 0..<10 { driver.apply(.delivered, user: user, at: F.t0) }
        let frame = driver.state.quality.frame
        // Nothing in the table can expire for 7 days: a block 30 hours later needs no scan.
        let time = F.t0 + 30 * F.hour
        #expect(driver.apply(.block(.spam), user: 3, at: time).feedback == .counted)
        #expect(driver.state.quality.frame == frame)
        #expect(Self.agree(driver.state.lastQualityScore, driver.scannedScore(tick: TimeTicks.tick(time))))
        #expect(driver.state.quality.covers(tick: frame + 1007) && !driver.state.quality.covers(tick: frame + 1008))
    }

    @Test func theCoverageEndsWhereAFieldExpiresOutsideTheBuckets() {
        // One delivery expiring 3 ticks after the frame (a bucket), one 12 ticks after (beyond them).
        let start = F.t0 - 7 * F.day + 30 * F.minute
        var driver = Driver(time: start)
        driver.apply(.delivered, user: 1, at: start)
        driver.apply(.delivered, user: 2, at: start + 90 * F.minute)
        driver.apply(.delivered, user: 3, at: F.t0)
        let frame = TimeTicks.tick(F.t0)
        driver.state.quality.rebuild(from: driver.state.proofs, tick: frame, parameters: driver.parameters)
        #expect(driver.state.quality.coverage == 11)
        #expect(driver.state.quality.covers(tick: frame + 11) && !driver.state.quality.covers(tick: frame + 12))
    }

    @Test func atItsFrameTheTallyIsTheScanToTheBit() {
        var driver = Driver()
        var random = SplitMix64(seed: 11)
        var time = F.t0
        for _ in 0..<400 {
            time += Int64(random.next() % 3) * F.hour
            let user = Int(random.next() % 150)
            switch random.next() % 4 {
            case 0: driver.apply(.block(.didntSignUp), user: user, at: time)
            case 1: driver.apply(.report(.scam), user: user, at: time)
            default: driver.apply(.delivered, user: user, at: time)
            }
        }
        let tick = TimeTicks.tick(time) + 100
        driver.state.quality.rebuild(from: driver.state.proofs, tick: tick, parameters: driver.parameters)
        let tally = driver.tallyScore(tick: tick)
        let scan = driver.scannedScore(tick: tick)
        #expect(scan != nil)
        #expect(tally == .some(scan))
    }

    @Test func aTallyWithExpiringFieldsRoundTripsThroughASnapshot() throws {
        // Deliveries and a block 7 days minus 30 minutes before the frame: they expire 3 ticks after it.
        let old = F.t0 - 7 * F.day + 30 * F.minute
        var driver = Driver(time: old)
        for user in 0..<4 { driver.apply(.delivered, user: user, at: old) }
        driver.apply(.block(.offensive), user: 1, at: old)
        for user in 4..<9 { driver.apply(.delivered, user: user, at: F.t0) }
        let frame = TimeTicks.tick(F.t0)
        driver.state.quality.rebuild(from: driver.state.proofs, tick: frame, parameters: driver.parameters)
        var writer = SnapshotWriter()
        driver.state.quality.write(to: &writer)
        var reader = SnapshotReader(writer.bytes)
        let restored = try QualityTally.read(from: &reader, maximumFields: 3 * 512)
        #expect(reader.remaining == 0)
        var again = SnapshotWriter()
        restored.write(to: &again)
        #expect(again.bytes == writer.bytes)
        for ticks in 0...Int64(QualityTally.horizon) {
            let tick = frame + ticks
            let score = restored.score(tick: tick, priorUsers: 20, scale: 1, parameters: driver.parameters)
            #expect(score == driver.tallyScore(tick: tick))
            #expect(Self.agree(score, driver.scannedScore(tick: tick)))
        }
        // Three ticks on, the old deliveries and block have left: 0 blocks over 5 deliveries.
        #expect(restored.score(tick: frame + 3, priorUsers: 20, scale: 1, parameters: driver.parameters) == 0)
        #expect(try #require(restored.score(tick: frame + 2, priorUsers: 20, scale: 1, parameters: driver.parameters)) > 0)
    }

    @Test func aTallyWithACountBeyondTheTableIsRefused() {
        var writer = SnapshotWriter()
        QualityTally(frame: 5, delivered: 1, negative: 0, deliveredCount: 100, negativeCount: 0, coverage: 100,
                     expiring: InlineArray(repeating: QualityTally.Bucket())).write(to: &writer)
        var reader = SnapshotReader(writer.bytes)
        #expect(throws: SnapshotError.self) { try QualityTally.read(from: &reader, maximumFields: 48) }
    }

    /// Random deliveries, blocks and reports over 60 days (gaps of minutes to 9 days, key rotations
    /// with a grace period) into a table of `slots` for a pool of `users`: after every event, at
    /// the event's tick and at a random later tick of the horizon, the tally (when it covers the
    /// tick) agrees with the scan. Returns (comparisons away from the frame, of which across an
    /// expiry, rebuilds).
    static func compare(slots: Int, users: Int, seed: UInt64) -> (incremental: Int, expiring: Int, rebuilds: Int) {
        var rules = Rules()
        rules.signals.contactProofSlots = slots
        var driver = Driver(rules: rules)
        var random = SplitMix64(seed: seed)
        var time = F.t0
        var incremental = 0, expiring = 0, rebuilds = 0, mismatches = 0
        let blocks: [BlockReason] = [.spam, .didntSignUp, .noLongerNeeded, .noReason, .offensive]
        let reports: [ReportReason] = [.spam, .scam, .offensive, .other]
        for step in 0..<40_000 {
            let frameBefore = driver.state.quality.frame
            let gap = random.next() % 1000
            time += gap < 5 ? Int64(1 + random.next() % 9) * F.day : gap < 100 ? Int64(random.next() % 12) * F.hour
                : Int64(random.next() % 15) * F.minute
            let day = (time - F.t0) / F.day
            let epoch = day / 20
            let grace = day % 20 < 2 && epoch > 0
            let user = Int(random.next() % UInt64(users))
            switch random.next() % 10 {
            case 0, 1: driver.apply(.block(blocks[Int(random.next() % 5)]), user: user, at: time, epoch: epoch, grace: grace)
            case 2, 3: driver.apply(.report(reports[Int(random.next() % 4)]), user: user, at: time, epoch: epoch, grace: grace)
            default: driver.apply(.delivered, user: user, at: time, epoch: epoch, grace: grace)
            }
            let tick = TimeTicks.tick(driver.state.lastSeen)
            for probe in [tick, tick + Int64(random.next() % UInt64(QualityTally.horizon + 1))] {
                guard let tally = driver.tallyScore(tick: probe) else { continue }
                if !agree(tally, driver.scannedScore(tick: probe)) { mismatches += 1 }
                if probe != driver.state.quality.frame { incremental += 1 }
                if driver.expiredSinceFrame(tick: probe) { expiring += 1 }
            }
            if step > 0 && driver.state.quality.frame != frameBefore { rebuilds += 1 }
        }
        #expect(mismatches == 0)
        return (incremental, expiring, rebuilds)
    }

    @Test func theTallyAgreesWithTheScanWithoutEvictions() {
        let result = Self.compare(slots: 1024, users: 300, seed: 1)
        #expect(result.incremental > 10_000)
        #expect(result.expiring > 100)
        #expect(result.rebuilds > 100)
    }

    @Test func theTallyAgreesWithTheScanThroughPurgesAndLevelChanges() {
        let result = Self.compare(slots: 32, users: 400, seed: 2)
        #expect(result.incremental > 1_000)
        #expect(result.expiring > 10)
        #expect(result.rebuilds > 100)
    }
}

import Testing
@testable import Integrity

/// The behaviours look like what they are named after — and differ where an analyzer must tell them apart.
@Suite struct SimulationShapeTests {
    private static let minute: Int64 = 60_000
    private static let day: Int64 = 86_400_000

    /// Business messages per minute at the busiest minute, and the mean over the other minutes in
    /// which the business was active at all.
    private static func peakAndBaseline(_ sends: [Int64], excluding window: ClosedRange<Int64>) -> (peak: Int, baseline: Double) {
        var perMinute: [Int64: Int] = [:]
        for t in sends { perMinute[t / minute, default: 0] += 1 }
        let peak = perMinute.values.max() ?? 0
        let outside = sends.filter { !window.contains($0) }
        let span = Double((outside.last ?? 0) - (outside.first ?? 0)) / Double(minute)
        return (peak, Double(outside.count) / max(1, span))
    }

    /// The largest number of `times` (sorted) within any `width` ms.
    private static func densest(_ times: [Int64], width: Int64) -> Int {
        var best = 0
        var low = 0
        for high in times.indices {
            while times[high] - times[low] >= width { low += 1 }
            best = max(best, high - low + 1)
        }
        return best
    }

    private static func backgroundTally(_ workload: SimulatedWorkload) -> SimulationTally {
        let background = Set(workload.businesses(.background))
        return SimulationTally(workload.events.filter { background.contains($0.business) })
    }

    @Test func flashSaleIsABurstToOptedInCustomers() throws {
        let workload = try SimulatedWorkload.load(.honestRetailer)
        for label in workload.labels.businesses where label.behaviour == .honestRetailer {
            let events = workload.events(of: label.business)
            let sends = events.filter(\.isBusinessMessage).map(\.t)
            let shape = Self.peakAndBaseline(sends, excluding: label.window)
            #expect(Double(shape.peak) > 20 * shape.baseline, "peak \(shape.peak)/min vs baseline \(shape.baseline)/min")
            // Every flash-sale recipient wrote to the business before.
            var writers: Set<String> = []
            var cold = 0
            var recipients = 0
            for event in events {
                if event.isUserMessage { writers.insert(event.user) }
                if event.isBusinessMessage, event.category == "marketing", label.window.contains(event.t) {
                    recipients += 1
                    if !writers.contains(event.user) { cold += 1 }
                }
            }
            #expect(recipients > 100)
            #expect(cold == 0)
            let tally = SimulationTally(events)
            #expect(tally.readRate > 0.8)
            #expect(tally.blockRate < 0.015)
            #expect(tally.coldShare == 0)
        }
    }

    @Test func passcodesGoToColdButExpectingUsers() throws {
        let workload = try SimulatedWorkload.load(.utilitySender)
        for business in workload.businesses(.utilitySender) {
            let events = workload.events(of: business)
            let tally = SimulationTally(events)
            let sends = events.filter(\.isBusinessMessage)
            #expect(Double(sends.filter { $0.category == "authentication" }.count) > 0.7 * Double(sends.count))
            #expect(tally.coldShare > 0.95)
            #expect(tally.recipients.count > 250)
            #expect(tally.readRate > 0.8)
            #expect(tally.blockRate < 0.01)
            #expect(tally.reportRate < 0.005)
        }
    }

    @Test func blastersAreFastColdAndBlocked() throws {
        let workload = try SimulatedWorkload.load(.bulkBlaster)
        let background = Self.backgroundTally(workload)
        for business in workload.businesses(.bulkBlaster) {
            let events = workload.events(of: business)
            let tally = SimulationTally(events)
            // A new number: its very first event is a blast, and it sends 100 messages in 15 s.
            #expect(events.first?.isBusinessMessage == true)
            #expect(Self.densest(events.filter(\.isBusinessMessage).map(\.t), width: 15_000) >= 100)
            #expect(tally.coldShare == 1)
            // Purchased lists hold numbers that are not on the platform.
            #expect(Double(tally.delivered.count) < 0.9 * Double(tally.recipients.count))
            #expect(tally.blockRate > 0.06)
            #expect(tally.reportRate > 0.015)
            #expect(tally.blockRate > 10 * background.blockRate)
            #expect(tally.readRate < 0.5)
        }
    }

    @Test func slowDripStaysUnderNaiveThresholdsButReachesThousands() throws {
        let workload = try SimulatedWorkload.load(.slowDrip)
        let background = Self.backgroundTally(workload)
        for business in workload.businesses(.slowDripSpammer) {
            let events = workload.events(of: business)
            let sends = events.filter(\.isBusinessMessage).map(\.t)
            #expect(Self.densest(sends, width: Self.minute) <= 2)
            #expect(Self.densest(sends, width: Self.day) < 2_000)
            let active = Set(sends.map { $0 / Self.day })
            #expect(active.count >= 5)
            let tally = SimulationTally(events)
            #expect(tally.recipients.count > 500)
            #expect(tally.coldShare == 1)
            #expect(tally.blockRate > 0.025)
            #expect(tally.blockRate > 5 * background.blockRate)
            #expect(tally.reportRate > 0.005)
            // Round the clock: a script does not sleep.
            let nightSends = sends.filter { ($0 % Self.day) / 3_600_000 < 6 }.count
            #expect(Double(nightSends) > 0.15 * Double(sends.count))
        }
    }

    @Test func coldListMarketersAreBlockedForNotSigningUp() throws {
        let workload = try SimulatedWorkload.load(.coldList)
        let background = Self.backgroundTally(workload)
        for business in workload.businesses(.coldListMarketer) {
            let events = workload.events(of: business)
            let tally = SimulationTally(events)
            let marketing = events.filter { $0.isBusinessMessage && $0.category == "marketing" }
            let marketed = Set(marketing.map(\.user))
            #expect(marketed.count > 250)
            #expect(Double(marketed.subtracting(tally.writers).count) > 0.8 * Double(marketed.count))
            // It also has genuine customers who write to it.
            #expect(tally.writers.count > 20)
            #expect(tally.blockRate > 0.02)
            #expect(tally.blockRate > 5 * background.blockRate)
            // People say they never signed up, or call it spam; "no longer needed" is rare.
            let blocks = tally.blockReasons.values.reduce(0, +)
            let unwanted = tally.blockReasons["didnt_sign_up", default: 0] + tally.blockReasons["spam", default: 0]
            #expect(Double(unwanted) > 0.6 * Double(blocks))
            #expect(tally.blockReasons["didnt_sign_up", default: 0] > tally.blockReasons["no_longer_needed", default: 0])
        }
    }

    @Test func reportBombersNeverReceivedAnythingFromTheirTarget() throws {
        let workload = try SimulatedWorkload.load(.reportBombing)
        for label in workload.labels.businesses where label.behaviour == .reportBombingTarget {
            let events = workload.events(of: label.business)
            let contacted = Set(events.filter { $0.isBusinessMessage || $0.kind == "delivered" }.map(\.user))
            let crowd = events.filter { $0.kind == "report" && label.window.contains($0.t) }
            #expect(crowd.count >= 50)
            #expect(crowd.allSatisfy { !contacted.contains($0.user) })
            // The crowd is larger than the reports the target earns from its real customers, by far.
            let tally = SimulationTally(events)
            #expect(tally.reportRate < 0.01)
            #expect(Set(crowd.map(\.user)).count > 10 * max(1, tally.reporters.count))
            // Some of the crowd report twice; half also block.
            #expect(Set(crowd.map(\.user)).count < crowd.count)
            #expect(events.contains { $0.kind == "block" && !contacted.contains($0.user) })
        }
    }

    @Test func mixedSeparatesAbuseFromHonestTraffic() throws {
        let workload = try SimulatedWorkload.load(.mixed)
        func worst(_ behaviour: SimulationBehaviour) -> Double {
            workload.businesses(behaviour).map { SimulationTally(workload.events(of: $0)).blockRate }.max() ?? 1
        }
        func mildest(_ behaviour: SimulationBehaviour) -> Double {
            workload.businesses(behaviour).map { SimulationTally(workload.events(of: $0)).blockRate }.min() ?? 0
        }
        let honest = [worst(.honestRetailer), worst(.utilitySender), worst(.reportBombingTarget)].max() ?? 1
        #expect(mildest(.bulkBlaster) > 10 * honest)
        #expect(mildest(.slowDripSpammer) > 3 * honest)
        #expect(mildest(.coldListMarketer) > 3 * honest)
    }

    @Test func trafficFollowsTheDay() throws {
        let workload = try SimulatedWorkload.load(.reportBombing)
        // Background users in UTC+0…UTC+1 and UTC−3…−5 and UTC+5:30 — overall traffic still dips:
        // the quietest UTC hour carries well under half of the busiest.
        var perHour = [Int](repeating: 0, count: 24)
        for event in workload.events where event.isUserMessage { perHour[Int((event.t % Self.day) / 3_600_000)] += 1 }
        let busiest = perHour.max() ?? 0
        let quietest = perHour.min() ?? 0
        #expect(Double(quietest) < 0.5 * Double(busiest))
    }
}

import Foundation
@testable import Integrity
import Storage
import Testing

@Suite struct PrivacyLedgerTests {
    let budget = PrivacyBudget(epsilon: Epsilon(units: 3_000_000), delta: Delta(units: 10_000_000_000))
    let day = UTCDay(daysSince1970: 19_700)

    func charge(_ epsilon: Int64, _ first: Int, _ last: Int, dataset: String = "tap") -> LedgerCharge {
        LedgerCharge(dataset: dataset, days: day.advanced(by: first)...day.advanced(by: last), epsilon: Epsilon(units: epsilon),
                     delta: Delta(units: 1_000_000_000), queries: "q:1:0")
    }

    @Test func chargesAddUpPerDayAndOverBudgetIsRefused() throws {
        let ledger = try PrivacyLedger(database: try Database.open(path: Database.inMemoryPath))
        let first = try ledger.charge(charge(1_000_000, 0, 2), budget: budget, at: 1)
        #expect(first.remainingEpsilon == Epsilon(units: 2_000_000))
        #expect(first.remainingDelta == Delta(units: 9_000_000_000))
        // Days 2…4 would put day 2 at ε 3.5 > 3.
        #expect {
            try ledger.charge(charge(2_500_000, 2, 4), budget: budget, at: 2)
        } throws: { error in
            guard case let .overBudget(dataset, day, spent, _, requested, _, _) = error as? PrivacyLedgerError else { return false }
            return dataset == "tap" && day == self.day.advanced(by: 2) && spent == Epsilon(units: 1_000_000) && requested == Epsilon(units: 2_500_000)
        }
        // Nothing was recorded by the refusal; days 3…4 are untouched and another dataset is separate.
        #expect(try ledger.releaseCount(dataset: "tap") == 1)
        let second = try ledger.charge(charge(2_500_000, 3, 4), budget: budget, at: 3)
        #expect(second.remainingEpsilon == Epsilon(units: 500_000))
        _ = try ledger.charge(charge(3_000_000, 0, 4, dataset: "other"), budget: budget, at: 4)
        let spent = try ledger.spent(dataset: "tap", days: day...day.advanced(by: 4))
        #expect(spent.mapValues(\.epsilon.units) == [day: 1_000_000, day.advanced(by: 1): 1_000_000, day.advanced(by: 2): 1_000_000,
                                                     day.advanced(by: 3): 2_500_000, day.advanced(by: 4): 2_500_000])
    }

    @Test func deltaIsBudgetedToo() throws {
        let ledger = try PrivacyLedger(database: try Database.open(path: Database.inMemoryPath))
        let greedy = LedgerCharge(dataset: "d", days: day...day, epsilon: Epsilon(units: 1), delta: Delta(units: 10_000_000_001), queries: "")
        #expect(throws: PrivacyLedgerError.self) { try ledger.charge(greedy, budget: budget, at: 1) }
    }

    @Test func theLedgerSurvivesARestart() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-ledger-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("ledger.sqlite").path
        do {
            let ledger = try PrivacyLedger(path: path)
            try ledger.charge(charge(2_000_000, 0, 0), budget: budget, at: 1)
            try ledger.database.close()
        }
        let reopened = try PrivacyLedger(path: path)
        #expect(try reopened.spent(dataset: "tap", days: day...day)[day]?.epsilon == Epsilon(units: 2_000_000))
        #expect(throws: PrivacyLedgerError.self) { try reopened.charge(charge(1_500_000, 0, 0), budget: budget, at: 2) }
        #expect(try reopened.charge(charge(1_000_000, 0, 0), budget: budget, at: 3).remainingEpsilon == Epsilon(units: 0))
        #expect(throws: PrivacyLedgerError.self) { try reopened.charge(charge(1, 0, 0), budget: budget, at: 4) }
    }

    @Test func policyIsPure() {
        let spent: [UTCDay: (epsilon: Epsilon, delta: Delta)] = [day: (Epsilon(units: 2_999_999), Delta(units: 0))]
        #expect(LedgerPolicy.refusal(spent: spent, charge: charge(1, 0, 0), budget: budget) == nil)
        #expect(LedgerPolicy.refusal(spent: spent, charge: charge(2, 0, 0), budget: budget) != nil)
        #expect(LedgerPolicy.refusal(spent: spent, charge: charge(2, 1, 3), budget: budget) == nil)
    }
}

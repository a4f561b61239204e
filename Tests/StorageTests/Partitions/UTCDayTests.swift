import Testing
@testable import Storage

/// UTC days from injected timestamps, and their `YYYY-MM-DD` names.
@Suite struct UTCDayTests {
    @Test(arguments: [
        (0 as Int64, "1970-01-01"), (86_399, "1970-01-01"), (86_400, "1970-01-02"),
        (-1, "1969-12-31"), (-86_400, "1969-12-31"), (-86_401, "1969-12-30"),
        (951_782_400, "2000-02-29"), (1_709_164_800, "2024-02-29"), (1_709_251_199, "2024-02-29"),
        (1_709_251_200, "2024-03-01"), (4_102_444_800, "2100-01-01"), (253_402_300_799, "9999-12-31"),
    ])
    func dayOfATimestamp(seconds: Int64, expected: String) {
        #expect(UTCDay(secondsSince1970: seconds).description == expected)
    }

    @Test func componentsParsingAndArithmetic() throws {
        let leap = try #require(UTCDay(year: 2024, month: 2, day: 29))
        #expect(leap.components == (2024, 2, 29))
        #expect(leap.advanced(by: 1).description == "2024-03-01")
        #expect(leap.advanced(by: -60).description == "2023-12-31")
        #expect(UTCDay("2024-02-29") == leap)
        #expect(UTCDay(secondsSince1970: leap.startSecondsSince1970) == leap)
        #expect(UTCDay(daysSince1970: 0).description == "1970-01-01")
        #expect(UTCDay(year: 2023, month: 2, day: 29) == nil)
        #expect(UTCDay(year: 1900, month: 2, day: 29) == nil)
        #expect(UTCDay(year: 2000, month: 2, day: 29) != nil)
        #expect(UTCDay(year: 2024, month: 4, day: 31) == nil)
        #expect(UTCDay(year: 2024, month: 13, day: 1) == nil)
        for text in ["2024-2-29", "2024-02-29 ", "2024/02/29", "abcd-ef-gh", "", "2024-00-10", "+024-01-01"] {
            #expect(UTCDay(text) == nil, "\(text)")
        }
        #expect(UTCDay("0001-01-01")! < UTCDay("1970-01-01")!)
    }

    @Test(arguments: [51, 52] as [UInt64])
    func randomDaysRoundTripThroughTheirNames(seed: UInt64) throws {
        print("UTCDayTests.randomDaysRoundTripThroughTheirNames seed \(seed)")
        var random = SplitMix64(seed: seed)
        var previous: UTCDay?
        for _ in 0..<2000 {
            let day = UTCDay(daysSince1970: Int64.random(in: -719_162...2_932_896, using: &random)) // 0001...9999
            let parsed = try #require(UTCDay(day.description), "seed \(seed): \(day.daysSince1970)")
            #expect(parsed == day, "seed \(seed)")
            let (year, month, dayOfMonth) = day.components
            #expect(UTCDay(year: year, month: month, day: dayOfMonth) == day, "seed \(seed)")
            #expect(day.advanced(by: 1).daysSince1970 == day.daysSince1970 + 1)
            if let previous {
                #expect((previous < day) == (previous.description < day.description), "names sort like days")
            }
            previous = day
        }
    }
}

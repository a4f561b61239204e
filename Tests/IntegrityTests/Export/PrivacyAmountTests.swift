@testable import Integrity
import Testing

@Suite struct PrivacyAmountTests {
    @Test(arguments: [("1", Int64(1_000_000)), ("0.5", 500_000), ("1e-6", 1), ("2.5E-1", 250_000), ("10", 10_000_000), ("0.000001", 1), ("3.000", 3_000_000)])
    func epsilonParsesExactly(text: String, units: Int64) {
        #expect(Epsilon(decimal: text)?.units == units)
    }

    @Test(arguments: ["1e-7", "-1", "abc", "1.2.3", "", "e5", "1e99", "0.0000015"])
    func epsilonRefusesWhatIsNotAWholeNumberOfMillionths(text: String) {
        #expect(Epsilon(decimal: text) == nil)
    }

    @Test func deltaParsesScientificNotation() {
        #expect(Delta(decimal: "1e-6")?.units == 1_000_000_000)
        #expect(Delta(decimal: "2.5e-12")?.units == 2_500)
        #expect(Delta(decimal: "1e-16") == nil)
    }

    @Test func descriptionsRoundTripAndSumsAreExact() throws {
        let tenth = try #require(Epsilon(decimal: "0.1"))
        var total = Epsilon(units: 0)
        for _ in 0..<10 { total = total + tenth }
        #expect(total == Epsilon(units: 1_000_000))
        #expect(total.description == "1")
        #expect(Epsilon(decimal: "0.333333")?.description == "0.333333")
        #expect(Delta(decimal: "1e-6")?.description == "0.000001")
    }
}

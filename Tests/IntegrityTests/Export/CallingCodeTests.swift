@testable import Integrity
import Testing
import Transport

@Suite struct CallingCodeTests {
    @Test(arguments: [
        ("+14155550100", "1"), ("+79161234567", "7"), ("+201001234567", "20"), ("+27821234567", "27"),
        ("+447700900123", "44"), ("+33612345678", "33"), ("+4915112345678", "49"), ("+5511970359227", "55"),
        ("+61412345678", "61"), ("+819012345678", "81"), ("+8613812345678", "86"), ("+919812345678", "91"),
        ("+351912345678", "351"), ("+380501234567", "380"), ("+971501234567", "971"), ("+212612345678", "212"),
        ("+593991234567", "593"), ("+886912345678", "886"), ("+299123456", "299"),
        ("+999123456789", "other"), ("+289123456789", "other"), ("+42212345678", "other"),
    ])
    func callingCodeOfNumber(number: String, code: String) throws {
        let phone = try #require(PhoneNumber(number))
        #expect(CallingCode(of: phone).description == code)
        #expect(CallingCode(name: code) == CallingCode(of: phone))
    }

    @Test func domainIsPrefixFreeAndContainsOther() {
        let codes = CallingCode.all.map(\.description)
        #expect(codes.first == "other")
        #expect(Set(codes).count == codes.count)
        for a in codes where a != "other" {
            for b in codes where b != a && b != "other" { #expect(!b.hasPrefix(a), "\(a) is a prefix of \(b)") }
        }
    }
}

import Testing
@testable import Transport

/// E.164 validation: `+`, 8–15 digits, the first not 0, nothing else.
@Suite struct WirePhoneNumberTests {
    @Test(arguments: ["+14155550100", "+12345678", "+123456789012345", "+491701234567", "+919876543210"])
    func validNumbersRoundTripTheirText(text: String) throws {
        let phone = try #require(PhoneNumber(text))
        #expect(phone.e164 == text)
        #expect(phone.description == text)
        #expect(phone.digitCount == text.count - 1)
        #expect(PhoneNumber(e164: Array(text.utf8)) == phone)
        #expect(PhoneNumber(digits: phone.digits) == phone)
    }

    @Test(arguments: [
        "", "+", "14155550100", "+04155550100", "+1234567", "+1234567890123456", "+1415555O100",
        "+1 4155550100", " +14155550100", "+14155550100 ", "++14155550100", "+1-415-555-0100",
        "+١٤١٥٥٥٥٠١٠٠", "+14155550100\u{0}", "+00000000",
    ])
    func invalidNumbersAreRefused(text: String) {
        #expect(PhoneNumber(text) == nil, "\(text.debugDescription)")
        #expect(PhoneNumber(e164: Array(text.utf8)) == nil, "\(text.debugDescription)")
    }

    @Test func digitBoundsAreExact() {
        #expect(PhoneNumber(digits: 9_999_999) == nil)
        #expect(PhoneNumber(digits: 10_000_000)?.e164 == "+10000000")
        #expect(PhoneNumber(digits: 999_999_999_999_999)?.e164 == "+999999999999999")
        #expect(PhoneNumber(digits: 1_000_000_000_000_000) == nil)
        #expect(PhoneNumber(digits: .max) == nil)
    }

    @Test func randomNumbersRoundTrip() {
        var random = WireRandom(seed: 5)
        for _ in 0..<2_000 {
            let phone = random.phone()
            #expect(PhoneNumber(phone.e164) == phone, "\(phone)")
        }
    }
}

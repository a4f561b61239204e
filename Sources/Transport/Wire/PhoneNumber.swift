/// An E.164 phone number: `+` followed by 8–15 decimal digits, the first of which is not `0`.
///
/// Every value is valid: the only ways in are the validating initializers. The digits are kept in
/// one integer (the leading digit is non-zero, so the integer fixes the digit count), which makes the
/// type trivial: copying, hashing and comparing never allocate.
public struct PhoneNumber: Sendable, Hashable, CustomStringConvertible {
    /// The fewest digits after the `+`.
    public static let minimumDigitCount = 8
    /// The most digits after the `+` (E.164's limit).
    public static let maximumDigitCount = 15

    /// The digits after the `+` read as a decimal integer, in 10⁷ ..< 10¹⁵.
    public let digits: UInt64

    /// Parses the text form, e.g. `"+14155550100"`; `nil` unless it is exactly an E.164 number
    /// (no spaces, dashes or other characters).
    public init?(_ text: some StringProtocol) {
        self.init(e164: text.utf8)
    }

    /// Parses the ASCII bytes of the text form, as carried on the wire; `nil` unless valid.
    public init?(e164 bytes: some Collection<UInt8>) {
        var iterator = bytes.makeIterator()
        guard iterator.next() == UInt8(ascii: "+") else { return nil }
        var value: UInt64 = 0
        var count = 0
        while let byte = iterator.next() {
            // Wrapping subtraction maps every non-digit to a value ≥ 10.
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10, count < Self.maximumDigitCount, count > 0 || digit != 0 else { return nil }
            // At most 15 digits: value stays below 10¹⁵, far from overflow.
            value = value * 10 + UInt64(digit)
            count += 1
        }
        guard count >= Self.minimumDigitCount else { return nil }
        self.digits = value
    }

    /// The number whose digits, read as a decimal integer, are `digits`; `nil` unless that integer
    /// has 8–15 digits.
    public init?(digits: UInt64) {
        guard digits >= Self.powerOfTen(Self.minimumDigitCount - 1),
              digits < Self.powerOfTen(Self.maximumDigitCount) else { return nil }
        self.digits = digits
    }

    /// The text form, `+` and the digits.
    public var e164: String { "+\(digits)" }

    /// The text form, `+` and the digits.
    public var description: String { e164 }

    /// The number of digits after the `+` (8…15).
    public var digitCount: Int {
        var count = 0
        var rest = digits
        repeat {
            count += 1
            rest /= 10
        } while rest > 0
        return count
    }

    /// 10^exponent for 0 ≤ exponent ≤ 15.
    static func powerOfTen(_ exponent: Int) -> UInt64 {
        var value: UInt64 = 1
        for _ in 0..<exponent { value *= 10 }
        return value
    }
}

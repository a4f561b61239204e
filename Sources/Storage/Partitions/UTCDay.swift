/// A calendar day in UTC (proleptic Gregorian), the unit of Vigil's day-partitioned storage.
///
/// Made from a timestamp the caller supplies — Storage never reads the clock — or from its
/// `YYYY-MM-DD` text. Ordered by time.
public struct UTCDay: Sendable, Hashable, Comparable, CustomStringConvertible, LosslessStringConvertible {
    /// Days since 1970-01-01 (negative before it).
    public let daysSince1970: Int64

    /// The day numbered `daysSince1970` (1970-01-01 is 0).
    public init(daysSince1970: Int64) {
        self.daysSince1970 = daysSince1970
    }

    /// The UTC day containing the instant `secondsSince1970` seconds after the Unix epoch
    /// (floor division, so -1 is 1969-12-31).
    public init(secondsSince1970: Int64) {
        let (quotient, remainder) = secondsSince1970.quotientAndRemainder(dividingBy: 86_400)
        self.daysSince1970 = remainder < 0 ? quotient - 1 : quotient
    }

    /// The day `year`-`month`-`day`, or `nil` if no such date exists (month 1–12, day within the
    /// month, leap years per the Gregorian rule, year 0…9999).
    public init?(year: Int, month: Int, day: Int) {
        guard (0...9999).contains(year), (1...12).contains(month),
              day >= 1, day <= Self.daysInMonth(year: year, month: month) else { return nil }
        self.daysSince1970 = Self.days(year: Int64(year), month: Int64(month), day: Int64(day))
    }

    /// Parses exactly `YYYY-MM-DD` (four, two and two ASCII digits); anything else is `nil`.
    public init?(_ description: String) {
        let bytes = Array(description.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in bytes[range] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10) else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// The year, month (1–12) and day of the month (1–31).
    public var components: (year: Int, month: Int, day: Int) {
        // Howard Hinnant's civil_from_days: shift to a year starting in March so the leap day is last.
        let shifted = daysSince1970 + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }

    /// The first second of the day, in seconds since the Unix epoch.
    public var startSecondsSince1970: Int64 { daysSince1970 * 86_400 }

    /// The day `count` days later (earlier when negative).
    public func advanced(by count: Int) -> UTCDay {
        UTCDay(daysSince1970: daysSince1970 + Int64(count))
    }

    /// `YYYY-MM-DD`, the year zero-padded to four digits.
    public var description: String {
        let (year, month, day) = components
        return Self.padded(year, 4) + "-" + Self.padded(month, 2) + "-" + Self.padded(day, 2)
    }

    /// Earlier days sort first.
    public static func < (lhs: UTCDay, rhs: UTCDay) -> Bool { lhs.daysSince1970 < rhs.daysSince1970 }

    /// Howard Hinnant's days_from_civil.
    private static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let year = month <= 2 ? year - 1 : year
        let era = (year >= 0 ? year : year - 399) / 400
        let yearOfEra = year - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    private static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value.magnitude)
        let padding = String(repeating: "0", count: max(0, width - digits.count))
        return (value < 0 ? "-" : "") + padding + digits
    }
}

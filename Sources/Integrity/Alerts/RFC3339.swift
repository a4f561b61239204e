/// RFC 3339 timestamps in UTC from milliseconds since the Unix epoch — the `date-time` strings of
/// Alertmanager's API and webhook payloads. Pure integer arithmetic on the proleptic Gregorian
/// calendar (no `DateFormatter`, no locale, no shared state: callable from any thread).
public enum RFC3339 {
    /// How the fraction of a second is written.
    public enum Fraction: Sendable, Hashable {
        /// Always three digits: `2024-05-01T10:00:00.000Z` (Alertmanager's API v2, go-openapi's
        /// `strfmt.DateTime`).
        case milliseconds
        /// Trailing zeros dropped, the point too when nothing is left: `2024-05-01T10:00:00Z`,
        /// `…:00.12Z` (Go's `time.RFC3339Nano`, which the webhook payload uses).
        case trimmed
    }

    /// Go's zero `time.Time`, which Alertmanager's webhook payload shows as `endsAt` of an alert
    /// still firing.
    public static let goZeroTime = "0001-01-01T00:00:00Z"

    /// The instants representable with a four-digit year: 0000-01-01T00:00:00.000Z through
    /// 9999-12-31T23:59:59.999Z.
    public static let representableRange: ClosedRange<Int64> = -62_167_219_200_000...253_402_300_799_999

    /// `milliseconds` since the epoch as `YYYY-MM-DDThh:mm:ss[.fff]Z`; clamped to
    /// ``representableRange``.
    public static func format(milliseconds: Int64, fraction: Fraction = .milliseconds) -> String {
        let clamped = min(max(milliseconds, representableRange.lowerBound), representableRange.upperBound)
        let (seconds, millisecond) = floorDivision(clamped, 1000)
        let (days, secondOfDay) = floorDivision(seconds, 86_400)
        let date = civilDate(daysSinceEpoch: days)
        var text = ""
        text.reserveCapacity(24)
        text += padded(date.year, 4) + "-" + padded(date.month, 2) + "-" + padded(date.day, 2)
        text += "T" + padded(secondOfDay / 3600, 2) + ":" + padded(secondOfDay / 60 % 60, 2) + ":" + padded(secondOfDay % 60, 2)
        switch fraction {
        case .milliseconds:
            text += "." + padded(millisecond, 3)
        case .trimmed where millisecond != 0:
            var digits = padded(millisecond, 3)
            while digits.last == "0" { digits.removeLast() }
            text += "." + digits
        case .trimmed:
            break
        }
        return text + "Z"
    }

    /// The calendar date `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`: eras of
    /// 400 years, March-based years so the leap day comes last).
    static func civilDate(daysSinceEpoch days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468
        let (era, dayOfEra) = floorDivision(shifted, 146_097)
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    /// Quotient rounded toward negative infinity, and the non-negative remainder.
    private static func floorDivision(_ value: Int64, _ divisor: Int64) -> (Int64, Int64) {
        let remainder = value % divisor
        return remainder < 0 ? (value / divisor - 1, remainder + divisor) : (value / divisor, remainder)
    }

    private static func padded(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

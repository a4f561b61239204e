import Storage

/// Text for the dashboard's HTML: escaping, and numbers and times written without Foundation (so
/// the page is the same on every machine and locale).
enum DashboardText {
    /// `text` with `&`, `<`, `>`, `"` and `'` replaced by character references: safe as element
    /// content and as a quoted attribute value.
    static func escape(_ text: some StringProtocol) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    /// `value` rounded to `digits` (0…6) decimal places, e.g. `fixed(2.345, digits: 1)` = "2.3";
    /// "–" for NaN and infinities.
    static func fixed(_ value: Double, digits: Int) -> String {
        guard value.isFinite, abs(value) < 1e15 else { return "–" }
        var scale = 1.0
        for _ in 0..<max(0, min(digits, 6)) { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        let units = Int64(scaled)
        let sign = value < 0 && units != 0 ? "-" : ""
        guard digits > 0 else { return sign + String(units) }
        let whole = units / Int64(scale)
        let fraction = String(units % Int64(scale))
        return sign + String(whole) + "." + String(repeating: "0", count: digits - fraction.count) + fraction
    }

    /// A short human figure: `1.2M`, `3.4k`, `57`, `2.5`, `0.35`, `0.004`, `0`.
    static func compact(_ value: Double) -> String {
        guard value.isFinite else { return "–" }
        let magnitude = abs(value)
        if magnitude >= 999_950 { return trimmed(fixed(value / 1e6, digits: 1)) + "M" }
        if magnitude >= 9_999.5 { return fixed(value / 1e3, digits: 0) + "k" }
        if magnitude >= 999.5 { return trimmed(fixed(value / 1e3, digits: 1)) + "k" }
        if magnitude >= 9.95 || magnitude == 0 { return fixed(value, digits: 0) }
        if magnitude >= 0.995 { return trimmed(fixed(value, digits: 1)) }
        // Two significant digits below 1, down to a millionth.
        var digits = 1
        var scaled = magnitude * 10
        while scaled < 10 && digits < 6 {
            scaled *= 10
            digits += 1
        }
        return trimmed(fixed(value, digits: digits))
    }

    /// A share as a percentage with one decimal (`0.0123` → `1.2%`; two below 1 %: `0.05%`).
    static func percent(_ share: Double) -> String {
        guard share.isFinite else { return "–" }
        let points = share * 100
        return (abs(points) < 1 && points != 0 ? trimmed(fixed(points, digits: 2)) : fixed(points, digits: 1)) + "%"
    }

    /// `YYYY-MM-DD HH:MM` (UTC) of `milliseconds` since the Unix epoch.
    static func dateTime(_ milliseconds: Int64) -> String {
        let seconds = floorDivide(milliseconds, 1000)
        let day = UTCDay(secondsSince1970: seconds)
        return day.description + " " + clock(seconds - day.startSecondsSince1970)
    }

    /// `MM-DD HH:MM` (UTC): the axis label of `milliseconds`.
    static func shortDateTime(_ milliseconds: Int64) -> String {
        String(dateTime(milliseconds).dropFirst(5))
    }

    /// `HH:MM` of `secondOfDay`.
    private static func clock(_ secondOfDay: Int64) -> String {
        let hours = secondOfDay / 3600
        let minutes = secondOfDay % 3600 / 60
        return (hours < 10 ? "0" : "") + String(hours) + ":" + (minutes < 10 ? "0" : "") + String(minutes)
    }

    /// `text` without a trailing `.0…` (`2.0` → `2`, `2.50` → `2.5`).
    private static func trimmed(_ text: String) -> String {
        guard text.contains(".") else { return text }
        var result = Substring(text)
        while result.last == "0" { result = result.dropLast() }
        if result.last == "." { result = result.dropLast() }
        return String(result)
    }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        let (quotient, remainder) = value.quotientAndRemainder(dividingBy: divisor)
        return remainder < 0 ? quotient - 1 : quotient
    }
}

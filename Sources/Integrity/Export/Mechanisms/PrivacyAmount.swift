/// A privacy parameter held exactly as an integer number of fixed units, so budgets add up
/// without rounding and the samplers get exact rationals.
///
/// ε is held in millionths (``Epsilon``), δ in units of 10⁻¹⁵ (``Delta``).
public protocol PrivacyAmount: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Decimal digits after the point that one unit stands for.
    static var fractionDigits: Int { get }
    /// The amount in units of 10^(−fractionDigits).
    var units: Int64 { get }
    /// Wraps a number of units.
    init(units: Int64)
}

extension PrivacyAmount {
    /// Parses a non-negative decimal such as `1`, `0.25`, `1e-6` or `2.5E-7`; `nil` unless the
    /// value is a whole number of units (10^(−fractionDigits)) that fits (ε below 10⁹, δ below ~9223).
    public init?(decimal text: String) {
        guard let units = DecimalUnits.parse(text, fractionDigits: Self.fractionDigits) else { return nil }
        self.init(units: units)
    }

    /// The value as a `Double` (for printing and for the few closed-form parameter choices).
    public var doubleValue: Double {
        var scale = 1.0
        for _ in 0..<Self.fractionDigits { scale *= 10 }
        return Double(units) / scale
    }

    /// 10^fractionDigits, the denominator of the exact rational value.
    public static var unitDenominator: Int64 {
        var scale: Int64 = 1
        for _ in 0..<fractionDigits { scale *= 10 }
        return scale
    }

    /// Shortest decimal text that parses back to the same units.
    public var description: String { DecimalUnits.format(units, fractionDigits: Self.fractionDigits) }

    /// Orders by value.
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.units < rhs.units }

    /// The sum of two amounts.
    public static func + (lhs: Self, rhs: Self) -> Self { Self(units: lhs.units + rhs.units) }

    /// The difference of two amounts.
    public static func - (lhs: Self, rhs: Self) -> Self { Self(units: lhs.units - rhs.units) }
}

/// The privacy-loss parameter ε, exactly, in millionths.
public struct Epsilon: PrivacyAmount {
    /// ε is a multiple of 10⁻⁶.
    public static let fractionDigits = 6
    /// ε · 10⁶.
    public let units: Int64
    /// Wraps ε · 10⁶.
    public init(units: Int64) { self.units = units }
}

/// The failure probability δ, exactly, in units of 10⁻¹⁵.
public struct Delta: PrivacyAmount {
    /// δ is a multiple of 10⁻¹⁵.
    public static let fractionDigits = 15
    /// δ · 10¹⁵.
    public let units: Int64
    /// Wraps δ · 10¹⁵.
    public init(units: Int64) { self.units = units }
}

/// Decimal text to and from a whole number of fixed units, without floating point.
enum DecimalUnits {
    /// `text` × 10^fractionDigits when that is a whole number that fits (below 10⁹ × 10^fractionDigits when fractionDigits ≤ 9).
    static func parse(_ text: String, fractionDigits: Int) -> Int64? {
        var mantissa = Array(text.utf8)
        var exponent = 0
        if let e = mantissa.firstIndex(where: { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
            guard let value = Int(String(decoding: mantissa[(e + 1)...], as: UTF8.self)), abs(value) <= 40 else { return nil }
            exponent = value
            mantissa = Array(mantissa[..<e])
        }
        var digits: [Int64] = []
        var fraction = 0
        var seenPoint = false
        for byte in mantissa {
            if byte == UInt8(ascii: ".") {
                guard !seenPoint else { return nil }
                seenPoint = true
            } else if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                digits.append(Int64(byte - UInt8(ascii: "0")))
                if seenPoint { fraction += 1 }
            } else {
                return nil
            }
        }
        guard !digits.isEmpty else { return nil }
        // value = digits · 10^(exponent − fraction); units = value · 10^fractionDigits.
        var shift = exponent - fraction + fractionDigits
        while shift < 0 {
            guard digits.last == 0 else { return nil }
            digits.removeLast()
            shift += 1
        }
        // Values of 10⁹ and more are refused (and anything that would not fit 63 bits).
        let limit: Int64? = fractionDigits <= 9 ? Int64(1_000_000_000) * power(fractionDigits) : nil
        var units: Int64 = 0
        for digit in digits + Array(repeating: 0, count: shift) {
            let (scaled, overflow) = units.multipliedReportingOverflow(by: 10)
            guard !overflow, scaled <= Int64.max - digit else { return nil }
            units = scaled + digit
            if let limit, units >= limit { return nil }
        }
        return units
    }

    /// Plain decimal text of `units` × 10^(−fractionDigits), trailing zeros dropped.
    static func format(_ units: Int64, fractionDigits: Int) -> String {
        let scale = power(fractionDigits)
        let whole = units / scale
        var fraction = String(units % scale)
        guard units % scale != 0 else { return String(whole) }
        fraction = String(repeating: "0", count: fractionDigits - fraction.count) + fraction
        while fraction.last == "0" { fraction.removeLast() }
        return "\(whole).\(fraction)"
    }

    static func power(_ exponent: Int) -> Int64 {
        var value: Int64 = 1
        for _ in 0..<exponent { value *= 10 }
        return value
    }
}

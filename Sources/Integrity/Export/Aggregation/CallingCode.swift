public import Transport

/// The ITU-T E.164 country calling code of a number — the only part of a consumer's number that
/// statistics keep, and only as a dimension value. Codes are 1 to 3 digits and prefix-free; a
/// number whose prefix is not in the table maps to ``other``.
public struct CallingCode: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The code (1…999), or 0 for ``other``.
    public let value: UInt16

    /// Numbers whose code is not in the table.
    public static let other = CallingCode(value: 0)

    private init(value: UInt16) { self.value = value }

    /// The code of `number`.
    public init(of number: PhoneNumber) {
        let digits = number.digits
        var magnitude: UInt64 = 1
        while magnitude * 10 <= digits { magnitude *= 10 }
        // Leading one, two and three digits of the number (it has at least eight).
        let one = UInt16(digits / magnitude)
        let two = UInt16(digits / (magnitude / 10))
        let three = UInt16(digits / (magnitude / 100))
        if one == 1 || one == 7 {
            self.init(value: one)
        } else if Self.twoDigit.contains(two) {
            self.init(value: two)
        } else if Self.threeDigit.contains(three) {
            self.init(value: three)
        } else {
            self = .other
        }
    }

    /// A code from its dimension value text (`"44"`, `"other"`); `nil` for anything else.
    public init?(name: String) {
        if name == "other" {
            self = .other
            return
        }
        guard let value = UInt16(name), value == 1 || value == 7 || Self.twoDigit.contains(value) || Self.threeDigit.contains(value) else { return nil }
        self.init(value: value)
    }

    /// Decimal digits, or `other`.
    public var description: String { value == 0 ? "other" : String(value) }

    /// Orders by numeric code (``other`` first).
    public static func < (lhs: CallingCode, rhs: CallingCode) -> Bool { lhs.value < rhs.value }

    /// Every code in the table plus ``other``: the public domain of the country dimension.
    public static let all: [CallingCode] = ([0, 1, 7] + twoDigit.sorted() + threeDigit.sorted()).map { CallingCode(value: $0) }

    /// Two-digit codes assigned in zones 2–9 (E.164 assignments, ITU-T Operational Bulletin list).
    static let twoDigit: Set<UInt16> = [
        20, 27,
        30, 31, 32, 33, 34, 36, 39,
        40, 41, 43, 44, 45, 46, 47, 48, 49,
        51, 52, 53, 54, 55, 56, 57, 58,
        60, 61, 62, 63, 64, 65, 66,
        81, 82, 84, 86,
        90, 91, 92, 93, 94, 95, 98,
    ]

    /// Three-digit codes assigned to countries and territories (not the complete list of
    /// international networks and reserved codes; those count as ``other``).
    static let threeDigit: Set<UInt16> = Set(
        [211, 212, 213, 216, 218] + Array(220...269).filter { $0 != 259 }
            + [290, 291, 297, 298, 299] + Array(350...359) + Array(370...378)
            + [380, 381, 382, 383, 385, 386, 387, 389, 420, 421, 423] + Array(500...509) + Array(590...599)
            + [670, 672, 673, 674, 675, 676, 677, 678, 679, 680, 681, 682, 683, 685, 686, 687, 688, 689, 690, 691, 692]
            + [800, 808, 850, 852, 853, 855, 856, 870, 878, 880, 881, 882, 883, 886, 888]
            + Array(960...968) + [970, 971, 972, 973, 974, 975, 976, 977, 979, 992, 993, 994, 995, 996, 998]
    )
}

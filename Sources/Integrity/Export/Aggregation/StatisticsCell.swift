public import Storage

/// A non-identifying dimension of the statistics. Each dimension is its own table of cells (a
/// marginal): a message counts once in each table.
public enum StatisticsDimension: UInt8, Sendable, Hashable, CaseIterable, Comparable, CustomStringConvertible {
    /// The day's total (one cell, value `all`).
    case all = 0
    /// The user's country calling code.
    case country = 1
    /// The message category (`none` for user messages and uncategorized business messages).
    case category = 2
    /// `b2u` or `u2b`.
    case direction = 3
    /// The message's size class.
    case size = 4

    /// `all`, `country`, `category`, `direction`, `size`.
    public var description: String {
        switch self {
        case .all: "all"
        case .country: "country"
        case .category: "category"
        case .direction: "direction"
        case .size: "size"
        }
    }

    /// The dimension named `name`.
    public init?(name: String) {
        guard let found = Self.allCases.first(where: { $0.description == name }) else { return nil }
        self = found
    }

    /// Orders by declaration.
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// How many different cells of this dimension one user can touch in a day.
    public var cellsPerUserLimit: Int {
        switch self {
        case .all, .country: 1
        case .category: StatisticsCell.categoryNames.count
        case .direction: 2
        case .size: StatisticsCell.sizeNames.count
        }
    }

    /// Every value code of the dimension (the public domain the release is drawn from).
    public var valueCodes: [UInt16] {
        switch self {
        case .all: [0]
        case .country: CallingCode.all.map(\.value)
        case .category: Array(0..<UInt16(StatisticsCell.categoryNames.count))
        case .direction: [0, 1]
        case .size: Array(0..<UInt16(StatisticsCell.sizeNames.count))
        }
    }
}

/// One cell: a UTC day, a dimension and a value code of that dimension.
public struct StatisticsCell: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The UTC day.
    public var day: UTCDay
    /// The dimension.
    public var dimension: StatisticsDimension
    /// The value code: a calling code, a category / direction / size index, or 0 for `all`.
    public var value: UInt16

    /// Creates a cell.
    public init(day: UTCDay, dimension: StatisticsDimension, value: UInt16) {
        self.day = day
        self.dimension = dimension
        self.value = value
    }

    /// Category value names by code: `none` (0), then ``MessageCategory`` raw values 1…4.
    public static let categoryNames = ["none", "marketing", "utility", "authentication", "service"]
    /// Size class names by code.
    public static let sizeNames = ["le1k", "le16k", "le256k", "gt256k"]

    /// The size class code of a message of `bytes`.
    public static func sizeCode(bytes: Int) -> UInt16 {
        bytes <= 1024 ? 0 : bytes <= 16_384 ? 1 : bytes <= 262_144 ? 2 : 3
    }

    /// The value as text: `all`, a calling code or `other`, a category, `b2u`/`u2b`, a size class.
    public var valueName: String {
        switch dimension {
        case .all: "all"
        case .country: value == 0 ? "other" : String(value)
        case .category: Int(value) < Self.categoryNames.count ? Self.categoryNames[Int(value)] : "?"
        case .direction: value == 0 ? "b2u" : "u2b"
        case .size: Int(value) < Self.sizeNames.count ? Self.sizeNames[Int(value)] : "?"
        }
    }

    /// The value code of `name` in `dimension`, if it is one.
    public static func valueCode(named name: String, in dimension: StatisticsDimension) -> UInt16? {
        switch dimension {
        case .all: name == "all" ? 0 : nil
        case .country: CallingCode(name: name)?.value
        case .category: categoryNames.firstIndex(of: name).map { UInt16($0) }
        case .direction: name == "b2u" ? 0 : name == "u2b" ? 1 : nil
        case .size: sizeNames.firstIndex(of: name).map { UInt16($0) }
        }
    }

    /// `DAY/dimension=value`.
    public var description: String { "\(day)/\(dimension)=\(valueName)" }

    /// By day, then dimension, then value code.
    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.day.daysSince1970, lhs.dimension.rawValue, lhs.value) < (rhs.day.daysSince1970, rhs.dimension.rawValue, rhs.value)
    }
}

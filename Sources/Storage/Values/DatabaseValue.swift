/// A value as SQLite stores it: one of its five storage classes.
///
/// Literals make bindings short: `try db.execute("INSERT INTO t VALUES (?, ?, ?)", bindings: [1, "a", nil])`.
public enum DatabaseValue: Sendable, Hashable, CustomStringConvertible {
    /// SQL NULL.
    case null
    /// A 64-bit signed integer.
    case integer(Int64)
    /// An IEEE 754 double.
    case real(Double)
    /// UTF-8 text.
    case text(String)
    /// Bytes, stored as they are.
    case blob([UInt8])

    /// An integer value from an `Int`.
    public init(_ value: Int) { self = .integer(Int64(value)) }
    /// An integer value.
    public init(_ value: Int64) { self = .integer(value) }
    /// A real value.
    public init(_ value: Double) { self = .real(value) }
    /// A text value.
    public init(_ value: String) { self = .text(value) }
    /// A blob value.
    public init(_ value: [UInt8]) { self = .blob(value) }

    /// The integer, if this is ``integer(_:)``.
    public var int64Value: Int64? {
        if case let .integer(value) = self { return value }
        return nil
    }

    /// The number, if this is ``real(_:)`` or ``integer(_:)``.
    public var doubleValue: Double? {
        switch self {
        case let .real(value): value
        case let .integer(value): Double(value)
        default: nil
        }
    }

    /// The text, if this is ``text(_:)``.
    public var stringValue: String? {
        if case let .text(value) = self { return value }
        return nil
    }

    /// The bytes, if this is ``blob(_:)``.
    public var blobValue: [UInt8]? {
        if case let .blob(value) = self { return value }
        return nil
    }

    /// Whether this is ``null``.
    public var isNull: Bool { self == .null }

    /// The value as SQL would show it (blobs by length only).
    public var description: String {
        switch self {
        case .null: "NULL"
        case let .integer(value): "\(value)"
        case let .real(value): "\(value)"
        case let .text(value): "'\(value)'"
        case let .blob(value): "blob(\(value.count) bytes)"
        }
    }
}

extension DatabaseValue: ExpressibleByIntegerLiteral {
    /// ``integer(_:)``.
    public init(integerLiteral value: Int64) { self = .integer(value) }
}

extension DatabaseValue: ExpressibleByFloatLiteral {
    /// ``real(_:)``.
    public init(floatLiteral value: Double) { self = .real(value) }
}

extension DatabaseValue: ExpressibleByStringLiteral {
    /// ``text(_:)``.
    public init(stringLiteral value: String) { self = .text(value) }
}

extension DatabaseValue: ExpressibleByNilLiteral {
    /// ``null``.
    public init(nilLiteral: ()) { self = .null }
}

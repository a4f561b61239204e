/// One result row, copied out of a statement: its columns' values in order.
public struct Row: Sendable, Hashable, RandomAccessCollection, CustomStringConvertible {
    /// The columns' values, exactly as stored.
    public let values: [DatabaseValue]

    /// A row of `values`.
    public init(_ values: [DatabaseValue]) { self.values = values }

    /// Index of the first column, 0.
    public var startIndex: Int { values.startIndex }
    /// One past the last column's index.
    public var endIndex: Int { values.endIndex }
    /// The value of column `column`.
    public subscript(column: Int) -> DatabaseValue { values[column] }

    /// The values in parentheses, e.g. `(1, 'a', NULL)`.
    public var description: String { "(" + values.map(\.description).joined(separator: ", ") + ")" }
}

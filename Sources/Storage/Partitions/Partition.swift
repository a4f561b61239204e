/// One day's database file, attached to a ``DayPartitionedStore``'s connection under its own
/// schema name. SQL against it names its tables through ``qualified(_:)``.
public struct Partition: Sendable, Hashable {
    /// The UTC day the partition holds.
    public let day: UTCDay
    /// The schema name it is attached as, `day_YYYYMMDD`.
    public let schema: String
    /// The path of its file, `<directory>/YYYY-MM-DD.sqlite`.
    public let path: String

    init(day: UTCDay, directory: String) {
        self.day = day
        let (year, month, dayOfMonth) = day.components
        self.schema = "day_\(year * 10_000 + month * 100 + dayOfMonth)"
        self.path = directory + "/" + Self.fileName(for: day)
    }

    /// `table` in this partition, quoted for SQL: `"day_20240131"."queue"`.
    public func qualified(_ table: String) -> String {
        Self.quoted(schema) + "." + Self.quoted(table)
    }

    /// The file name for `day`'s partition.
    static func fileName(for day: UTCDay) -> String { "\(day).sqlite" }

    /// The day whose partition file is named `fileName`, or `nil` for any other file.
    static func day(forFileName fileName: String) -> UTCDay? {
        guard fileName.hasSuffix(".sqlite") else { return nil }
        return UTCDay(String(fileName.dropLast(".sqlite".count)))
    }

    /// `identifier` as an SQL quoted identifier.
    static func quoted(_ identifier: String) -> String {
        "\"" + identifier.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
    }
}

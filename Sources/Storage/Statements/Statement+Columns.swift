import CSQLite

extension Statement {
    /// The number of columns in the statement's result (0 for statements that return no rows).
    ///
    /// The corresponding C function is `sqlite3_column_count`.
    public var columnCount: Int { Int(sqlite3_column_count(handle)) }

    /// The name of result column `column` (counted from 0).
    ///
    /// The corresponding C function is `sqlite3_column_name`.
    public func columnName(at column: Int) -> String {
        let position = checkedColumn(column)
        guard let name = sqlite3_column_name(handle, position) else { return "" }
        return String(cString: name)
    }

    /// The value of column `column` of the current row as an integer, with SQLite's conversions
    /// (NULL is 0, text is parsed, reals are truncated). Valid only after ``step()`` returned `true`.
    ///
    /// The corresponding C function is `sqlite3_column_int64`.
    public func int64(at column: Int) -> Int64 {
        sqlite3_column_int64(handle, checkedColumn(column))
    }

    /// The value of column `column` as a `Double`, with SQLite's conversions (NULL is 0.0).
    ///
    /// The corresponding C function is `sqlite3_column_double`.
    public func double(at column: Int) -> Double {
        sqlite3_column_double(handle, checkedColumn(column))
    }

    /// The value of column `column` as UTF-8 text, with SQLite's conversions (NULL is `""`).
    /// Invalid UTF-8 is repaired with U+FFFD.
    ///
    /// The corresponding C function is `sqlite3_column_text`.
    public func string(at column: Int) -> String {
        let position = checkedColumn(column)
        guard let text = sqlite3_column_text(handle, position) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, position))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    /// The value of column `column` as bytes, with SQLite's conversions (NULL is `[]`).
    ///
    /// The corresponding C function is `sqlite3_column_blob`.
    public func blob(at column: Int) -> [UInt8] {
        let position = checkedColumn(column)
        guard let bytes = sqlite3_column_blob(handle, position) else { return [] }
        let count = Int(sqlite3_column_bytes(handle, position))
        return Array(UnsafeRawBufferPointer(start: bytes, count: count))
    }

    /// Whether column `column` of the current row is NULL.
    public func isNull(at column: Int) -> Bool {
        sqlite3_column_type(handle, checkedColumn(column)) == SQLITE_NULL
    }

    /// The value of column `column` exactly as stored, with its storage class.
    ///
    /// The corresponding C function is `sqlite3_column_type`.
    public func value(at column: Int) -> DatabaseValue {
        let position = checkedColumn(column)
        switch sqlite3_column_type(handle, position) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(handle, position))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(handle, position))
        case SQLITE3_TEXT: return .text(string(at: column))
        case SQLITE_BLOB: return .blob(blob(at: column))
        default: return .null
        }
    }

    /// All columns of the current row, exactly as stored.
    public func row() -> Row {
        Row((0..<columnCount).map { value(at: $0) })
    }

    /// `column` as SQLite's index; an index outside the result or a closed connection is a
    /// programmer error and traps.
    private func checkedColumn(_ column: Int) -> Int32 {
        precondition(connection.handle != nil, "column read on a statement whose database is closed")
        precondition(column >= 0 && column < columnCount, "column \(column) is outside 0..<\(columnCount)")
        return Int32(column)
    }
}

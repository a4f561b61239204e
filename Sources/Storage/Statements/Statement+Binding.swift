import CSQLite

extension Statement {
    /// The number of parameters in the SQL (the largest `?NNN` index, counting each `?` once).
    ///
    /// The corresponding C function is `sqlite3_bind_parameter_count`.
    public var parameterCount: Int { Int(sqlite3_bind_parameter_count(handle)) }

    /// Binds `values` to parameters 1…n in order — for SQL written with plain `?` placeholders.
    /// The count must equal ``parameterCount``.
    public func bind(_ values: [DatabaseValue]) throws(StorageError) {
        guard values.count == parameterCount else {
            throw .usage(.bind, "\(values.count) values given for \(parameterCount) parameters", operation: sql)
        }
        for (offset, value) in values.enumerated() {
            try bind(value, at: offset + 1)
        }
    }

    /// Binds `value` to the parameter at `index`, counted from 1 as SQLite does (`?` placeholders
    /// are numbered left to right; `?NNN` has index NNN). Text and blobs are copied.
    ///
    /// The corresponding C functions are `sqlite3_bind_int64`, `sqlite3_bind_double`,
    /// `sqlite3_bind_text64`, `sqlite3_bind_blob64` and `sqlite3_bind_null`.
    public func bind(_ value: DatabaseValue, at index: Int) throws(StorageError) {
        let handle = try requireOpen()
        guard index >= 1, index <= parameterCount else {
            throw .usage(.bind, "parameter index \(index) is outside 1...\(parameterCount)", operation: sql)
        }
        let position = Int32(index)
        let result: Int32
        switch value {
        case .null:
            result = sqlite3_bind_null(handle, position)
        case let .integer(number):
            result = sqlite3_bind_int64(handle, position, number)
        case let .real(number):
            result = sqlite3_bind_double(handle, position, number)
        case let .text(text):
            result = Self.bindText(text, handle, position)
        case let .blob(bytes):
            if bytes.isEmpty {
                // A NULL pointer would bind SQL NULL; an empty blob is a zero-length zeroblob.
                result = sqlite3_bind_zeroblob(handle, position, 0)
            } else {
                result = bytes.withUnsafeBytes { buffer in
                    sqlite3_bind_blob64(handle, position, buffer.baseAddress, sqlite3_uint64(buffer.count),
                                        vigil_sqlite_transient())
                }
            }
        }
        guard result == SQLITE_OK else {
            throw .sqlite(result, handle: connection.handle, context: .bind, operation: sql)
        }
    }

    /// Runs a write once with `bytes` bound as a blob at `index` **without copying them**
    /// (`SQLITE_STATIC`: SQLite reads them in place while it steps), then resets the statement and
    /// binds NULL at `index`, so no pointer into `bytes` outlives the call — also when it throws.
    /// Bind the other parameters first. Meant for an `INSERT` or `UPDATE` of a large value on a
    /// hot path, where the copy `bind(_:at:)` makes is a `malloc`, a `memcpy` and a `free` per row;
    /// rows a statement might return are not read.
    ///
    /// The corresponding C functions are `sqlite3_bind_blob64`, `sqlite3_step` and `sqlite3_reset`.
    public func run(bindingBlobInPlace bytes: [UInt8], at index: Int) throws(StorageError) {
        let handle = try requireOpen()
        guard index >= 1, index <= parameterCount else {
            throw .usage(.bind, "parameter index \(index) is outside 1...\(parameterCount)", operation: sql)
        }
        let position = Int32(index)
        let outcome: Result<Bool, StorageError> = bytes.withUnsafeBytes { buffer in
            defer {
                sqlite3_reset(handle)
                sqlite3_bind_null(handle, position)
            }
            // An empty array may have no storage, and a NULL pointer would bind SQL NULL.
            let bound = buffer.isEmpty
                ? sqlite3_bind_zeroblob(handle, position, 0)
                : sqlite3_bind_blob64(handle, position, buffer.baseAddress, sqlite3_uint64(buffer.count), nil)
            guard bound == SQLITE_OK else {
                return .failure(.sqlite(bound, handle: connection.handle, context: .bind, operation: sql))
            }
            do throws(StorageError) {
                return .success(try step())
            } catch {
                return .failure(error)
            }
        }
        _ = try outcome.get()
    }

    /// Binds `value` to the named parameter `name`, written with its prefix: `:id`, `@id` or `$id`.
    ///
    /// The corresponding C function is `sqlite3_bind_parameter_index`.
    public func bind(_ value: DatabaseValue, named name: String) throws(StorageError) {
        let handle = try requireOpen()
        let index = sqlite3_bind_parameter_index(handle, name)
        guard index > 0 else {
            throw .usage(.bind, "no parameter named \(name)", operation: sql)
        }
        try bind(value, at: Int(index))
    }

    /// Sets every parameter back to NULL.
    ///
    /// The corresponding C function is `sqlite3_clear_bindings`.
    public func clearBindings() {
        guard connection.handle != nil else { return }
        sqlite3_clear_bindings(handle)
    }

    /// Binds text with its exact UTF-8 length (so embedded NULs survive); the empty string is bound
    /// as empty text, not NULL.
    private static func bindText(_ text: String, _ handle: OpaquePointer, _ position: Int32) -> Int32 {
        var text = text
        return text.withUTF8 { utf8 in
            guard let base = utf8.baseAddress, !utf8.isEmpty else {
                return sqlite3_bind_text(handle, position, "", 0, vigil_sqlite_transient())
            }
            return UnsafeRawPointer(base).withMemoryRebound(to: CChar.self, capacity: utf8.count) { characters in
                sqlite3_bind_text64(handle, position, characters, sqlite3_uint64(utf8.count),
                                    vigil_sqlite_transient(), UInt8(SQLITE_UTF8))
            }
        }
    }
}

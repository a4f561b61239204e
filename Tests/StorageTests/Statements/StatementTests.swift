import Testing
@testable import Storage

/// Binding, column reads, the statement cache and error mapping.
@Suite struct StatementTests {
    static let values: [DatabaseValue] = [
        .null,
        .integer(0), .integer(-1), .integer(.max), .integer(.min),
        .real(3.141592653589793), .real(-0.0), .real(.infinity), .real(-.greatestFiniteMagnitude), .real(.leastNonzeroMagnitude),
        .text(""), .text("plain"), .text("naïve 日本語 🛰️"), .text("nul\u{0}inside"),
        .text(String(repeating: "long ", count: 10_000)),
        .blob([]), .blob([0]), .blob(Array(0...255)), .blob([UInt8](repeating: 0xab, count: 100_000)),
    ]

    @Test func everyStorageClassRoundTrips() throws {
        let database = try Database.open(path: Database.inMemoryPath)
        try database.migrate(Fixture.valuesSchema)
        for value in Self.values {
            try database.execute("INSERT INTO items(value) VALUES (?)", bindings: [value])
        }
        let rows = try database.query("SELECT value FROM items ORDER BY id")
        #expect(rows.map { $0[0] } == Self.values)

        // Typed accessors on the statement agree with the stored values.
        let statement = try database.prepare("SELECT value, typeof(value) FROM items ORDER BY id")
        defer { statement.reset() }
        var index = 0
        while try statement.step() {
            let expected = Self.values[index]
            switch expected {
            case .null:
                #expect(statement.isNull(at: 0) && statement.string(at: 1) == "null")
            case let .integer(number):
                #expect(statement.int64(at: 0) == number && statement.string(at: 1) == "integer")
            case let .real(number):
                #expect(statement.double(at: 0) == number && statement.string(at: 1) == "real")
                #expect(statement.double(at: 0).sign == number.sign)
            case let .text(text):
                #expect(statement.string(at: 0) == text && statement.string(at: 1) == "text")
            case let .blob(bytes):
                #expect(statement.blob(at: 0) == bytes && statement.string(at: 1) == "blob")
            }
            #expect(statement.value(at: 0) == expected)
            index += 1
        }
        #expect(index == Self.values.count)
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func randomValuesRoundTrip(seed: UInt64) throws {
        print("StatementTests.randomValuesRoundTrip seed \(seed)")
        var random = SplitMix64(seed: seed)
        let database = try Database.open(path: Database.inMemoryPath)
        try database.migrate(Fixture.valuesSchema)
        var written: [DatabaseValue] = []
        for _ in 0..<300 {
            let value: DatabaseValue = switch Int.random(in: 0..<5, using: &random) {
            case 0: .null
            case 1: .integer(Int64(bitPattern: random.next()))
            case 2: .real(Double(bitPattern: random.next() & 0x7fef_ffff_ffff_ffff)) // finite, non-NaN
            case 3: .text(String(decoding: (0..<Int.random(in: 0..<40, using: &random)).map { _ in
                UInt8.random(in: 0x20...0x7e, using: &random) }, as: UTF8.self))
            default: .blob(random.bytes(Int.random(in: 0..<64, using: &random)))
            }
            written.append(value)
            try database.execute("INSERT INTO items(value) VALUES (?)", bindings: [value])
        }
        let read = try database.query("SELECT value FROM items ORDER BY id").map { $0[0] }
        #expect(read == written, "seed \(seed)")
    }

    @Test func bindingByIndexNumberedPositionAndName() throws {
        let database = try Database.open(path: Database.inMemoryPath)
        let statement = try database.prepare("SELECT ?2, ?1, :name, @other")
        #expect(statement.parameterCount == 4)
        try statement.bind("first", at: 1)
        try statement.bind(2.5, at: 2)
        try statement.bind(.blob([1, 2, 3]), named: ":name")
        try statement.bind(nil, named: "@other")
        #expect(try statement.step())
        #expect(statement.row() == Row([.real(2.5), .text("first"), .blob([1, 2, 3]), .null]))
        #expect(statement.columnCount == 4 && statement.columnName(at: 2) == ":name")
        statement.reset()

        #expect(Fixture.storageError { try statement.bind(1, named: ":missing") }?.code == .bind)
        #expect(Fixture.storageError { try statement.bind(1, at: 5) }?.code == .bind)
        #expect(Fixture.storageError { try statement.bind([1, 2]) }?.code == .bind)
    }

    @Test func preparedStatementsAreCachedAndReused() throws {
        let database = try Database.open(path: Database.inMemoryPath)
        try database.execute("CREATE TABLE t(x); INSERT INTO t VALUES (1), (2);")
        let first = try database.prepare("SELECT x FROM t ORDER BY x")
        try first.bind([]) // no parameters
        #expect(try first.step())
        first.reset()
        let second = try database.prepare("SELECT x FROM t ORDER BY x")
        #expect(first === second)
        #expect(database.cachedStatementCount == 1)

        // A cached statement still mid-iteration is not handed out again.
        #expect(try second.step())
        let third = try database.prepare("SELECT x FROM t ORDER BY x")
        #expect(third !== second)
        #expect(try third.step() && third.int64(at: 0) == 1)
        #expect(try second.step() && second.int64(at: 0) == 2, "the first iteration was not disturbed")
        second.reset()
        #expect(try database.prepare("SELECT x FROM t ORDER BY x") === second)
    }

    @Test func preparedStatementBindingsAreClearedOnReuse() throws {
        let database = try Database.open(path: Database.inMemoryPath)
        let statement = try database.prepare("SELECT ?")
        try statement.bind(7, at: 1)
        statement.reset()
        let again = try database.prepare("SELECT ?")
        #expect(try again.step() && again.isNull(at: 0))
        again.reset()
    }

    @Test func cacheEvictsLeastRecentlyUsedBeyondCapacity() throws {
        let database = try Database.open(path: Database.inMemoryPath, options: .init(statementCacheCapacity: 2))
        let one = try database.prepare("SELECT 1")
        _ = try database.prepare("SELECT 2")
        _ = try database.prepare("SELECT 1") // 1 is now the most recent
        _ = try database.prepare("SELECT 3") // evicts 2
        #expect(database.cachedStatementCount == 2)
        #expect(try database.prepare("SELECT 1") === one)
        // A statement evicted while held stays usable.
        let held = try database.prepare("SELECT 4")
        database.evictCachedStatements { _ in true }
        #expect(try held.step() && held.int64(at: 0) == 4)
        held.reset()

        let uncached = try Database.open(path: Database.inMemoryPath, options: .init(statementCacheCapacity: 0))
        _ = try uncached.prepare("SELECT 1")
        #expect(uncached.cachedStatementCount == 0)
    }

    @Test func errorsCarrySQLiteCodesMessageAndSQL() throws {
        let database = try Database.open(path: Database.inMemoryPath)
        try database.execute("CREATE TABLE t(k TEXT UNIQUE NOT NULL)")
        try database.execute("INSERT INTO t VALUES ('a')", bindings: [])

        let duplicate = Fixture.storageError { try database.execute("INSERT INTO t VALUES (?)", bindings: ["a"]) }
        #expect(duplicate?.code == .constraint)
        #expect(duplicate?.resultCode == 19)
        #expect(duplicate?.extendedResultCode == 2067) // SQLITE_CONSTRAINT_UNIQUE
        #expect(duplicate?.message == "UNIQUE constraint failed: t.k")
        #expect(duplicate?.operation == "INSERT INTO t VALUES (?)")
        #expect(duplicate?.description.contains("UNIQUE constraint failed") == true)

        let notNull = Fixture.storageError { try database.execute("INSERT INTO t VALUES (?)", bindings: [nil]) }
        #expect(notNull?.code == .constraint && notNull?.extendedResultCode == 1299) // SQLITE_CONSTRAINT_NOTNULL

        let syntax = Fixture.storageError { _ = try database.prepare("SELEKT 1") }
        #expect(syntax?.code == .prepare && syntax?.resultCode == 1)
        #expect(syntax?.message.contains("syntax error") == true)

        let missing = Fixture.storageError { _ = try database.query("SELECT * FROM nowhere") }
        #expect(missing?.message == "no such table: nowhere")

        #expect(Fixture.storageError { _ = try database.prepare("SELECT 1; SELECT 2") }?.code == .prepare)
        #expect(Fixture.storageError { _ = try database.prepare("   ") }?.code == .prepare)
        _ = try database.prepare("SELECT 1;  \n")

        let script = Fixture.storageError { try database.execute("INSERT INTO t VALUES ('b'); INSERT INTO t VALUES ('b');") }
        #expect(script?.code == .constraint)

        // The failed statement was reset; the connection keeps working.
        #expect(try Fixture.count(database, "t") == 2)
    }

    @Test func stepAfterDoneRestartsAndRunReportsChanges() throws {
        let database = try Database.open(path: Database.inMemoryPath)
        try database.execute("CREATE TABLE t(x)")
        let insert = try database.prepare("INSERT INTO t VALUES (?)")
        try insert.bind([5])
        #expect(try insert.run() == 1)
        #expect(try insert.run() == 1) // SQLite restarts a finished statement
        insert.reset()
        #expect(try Fixture.count(database, "t") == 2)
    }
}

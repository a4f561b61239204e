import Testing
@testable import Storage

/// `transaction { }`: commit, rollback on throw, savepoint nesting, one commit per transaction.
@Suite struct TransactionTests {
    struct Refused: Error, Equatable {}

    static func makeDatabase() throws -> Database {
        let database = try Database.open(path: Database.inMemoryPath)
        try database.execute("CREATE TABLE t(x INTEGER UNIQUE)")
        return database
    }

    @Test func commitsAndReturnsTheBodysValue() throws {
        let database = try Self.makeDatabase()
        let commits = database.commitCount
        let value = try database.transaction { database in
            #expect(database.isInTransaction)
            for x in 1...50 { try database.execute("INSERT INTO t VALUES (?)", bindings: [.init(x)]) }
            return "done"
        }
        #expect(value == "done")
        #expect(!database.isInTransaction)
        #expect(try Fixture.count(database, "t") == 50)
        #expect(database.commitCount == commits + 1, "fifty inserts, one commit")
    }

    @Test func rollsBackAndRethrowsTheBodysError() throws {
        let database = try Self.makeDatabase()
        let commits = database.commitCount
        #expect(throws: Refused()) {
            try database.transaction { database in
                try database.execute("INSERT INTO t VALUES (1)", bindings: [])
                throw Refused()
            }
        }
        #expect(!database.isInTransaction)
        #expect(try Fixture.count(database, "t") == 0)
        #expect(database.commitCount == commits)
    }

    @Test func aFailingStatementRollsBackEverything() throws {
        let database = try Self.makeDatabase()
        let error = Fixture.storageError {
            try database.transaction { database in
                try database.execute("INSERT INTO t VALUES (1)", bindings: [])
                try database.execute("INSERT INTO t VALUES (1)", bindings: []) // UNIQUE
            }
        }
        #expect(error?.code == .constraint)
        #expect(try Fixture.count(database, "t") == 0)
    }

    @Test func nestedTransactionsUseSavepoints() throws {
        let database = try Self.makeDatabase()
        let commits = database.commitCount
        try database.transaction { database in
            try database.execute("INSERT INTO t VALUES (1)", bindings: [])
            #expect(throws: Refused()) {
                try database.transaction { database in
                    try database.execute("INSERT INTO t VALUES (2)", bindings: [])
                    throw Refused()
                }
            }
            try database.transaction { database in
                try database.execute("INSERT INTO t VALUES (3)", bindings: [])
            }
        }
        #expect(try database.query("SELECT x FROM t ORDER BY x").map { $0[0] } == [1, 3])
        #expect(database.commitCount == commits + 1)
    }

    @Test func beginImmediateHonoursTheBusyTimeoutOfASecondConnection() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("locked.sqlite")
        let first = try Database.open(path: path)
        try first.execute("CREATE TABLE t(x)")
        let second = try Database.open(path: path, options: .init(busyTimeout: .milliseconds(50)))
        try first.execute("BEGIN IMMEDIATE")
        let error = Fixture.storageError { try second.transaction { _ in } }
        #expect(error?.code == .busy)
        try first.execute("COMMIT")
        try second.transaction { database in try database.execute("INSERT INTO t VALUES (1)", bindings: []) }
        #expect(try Fixture.count(first, "t") == 1)
    }
}

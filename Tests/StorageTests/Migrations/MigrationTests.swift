import Testing
@testable import Storage

/// Versioned migrations: fresh, incremental, refusing newer files, rollback of a failed step.
@Suite struct MigrationTests {
    static let v1 = Migration(version: 1, sql: "CREATE TABLE a(x)")
    static let v2 = Migration(version: 2, sql: "CREATE TABLE b(y); INSERT INTO b VALUES (1);")
    static let v3 = Migration(version: 3) { database throws(StorageError) in
        try database.execute("ALTER TABLE a ADD COLUMN z DEFAULT 7")
        try database.execute("INSERT INTO a(x) VALUES (?)", bindings: ["from code"])
    }

    @Test func freshDatabaseGetsEveryStep() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = try Database.open(path: directory.file("m.sqlite"))
        #expect(try database.userVersion() == 0)
        #expect(try database.migrate([Self.v3, Self.v1, Self.v2]) == [1, 2, 3]) // any order given
        #expect(try database.userVersion() == 3)
        #expect(try database.query("SELECT x, z FROM a").first == Row(["from code", 7]))
        #expect(try database.migrate([Self.v1, Self.v2, Self.v3]) == [], "already current")
    }

    @Test func incrementalUpgradeAppliesOnlyTheMissingSteps() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("m.sqlite")
        let old = try Database.open(path: path)
        #expect(try old.migrate([Self.v1]) == [1])
        try old.execute("INSERT INTO a VALUES ('kept')", bindings: [])
        try old.close()

        let new = try Database.open(path: path)
        let commits = new.commitCount
        #expect(try new.migrate([Self.v1, Self.v2, Self.v3]) == [2, 3])
        #expect(new.commitCount == commits + 2, "one transaction per step")
        #expect(try new.query("SELECT x FROM a ORDER BY rowid").map { $0[0] } == ["kept", "from code"])
        #expect(try new.userVersion() == 3)
    }

    @Test func aNewerFileIsRefused() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("m.sqlite")
        let newer = try Database.open(path: path)
        try newer.migrate([Self.v1, Self.v2, Self.v3])
        try newer.close()

        let older = try Database.open(path: path)
        let error = #expect(throws: StorageError.self) { try older.migrate([Self.v1, Self.v2]) }
        #expect(error?.code == .schemaTooNew)
        #expect(error?.migrationVersion == 3)
        #expect(try older.userVersion() == 3, "nothing was changed")
        #expect(Fixture.storageError { try older.migrate([]) }?.code == .schemaTooNew)
    }

    @Test func aFailedStepRollsBackAndKeepsThePreviousVersion() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = try Database.open(path: directory.file("m.sqlite"))
        let broken = Migration(version: 2, sql: "CREATE TABLE half(x); INSERT INTO half VALUES (1); CREATE TABLE a(dup);")
        let error = #expect(throws: StorageError.self) { try database.migrate([Self.v1, broken, Self.v3]) }
        #expect(error?.code == .migration)
        #expect(error?.migrationVersion == 2)
        #expect(error?.message.contains("table a already exists") == true)
        #expect(try database.userVersion() == 1, "step 1 stays applied, step 2 is undone, step 3 never ran")
        #expect(try database.query("SELECT name FROM sqlite_schema WHERE name = 'half'").isEmpty)
        #expect(!database.isInTransaction)

        let aborting = Migration(version: 2) { _ throws(StorageError) in throw .aborted("data check failed") }
        let aborted = #expect(throws: StorageError.self) { try database.migrate([Self.v1, aborting]) }
        #expect(aborted?.code == .migration && aborted?.message.contains("data check failed") == true)

        #expect(try database.migrate([Self.v1, Self.v2, Self.v3]) == [2, 3], "a fixed schema applies")
    }

    @Test func invalidVersionsAreRejected() throws {
        let database = try Database.open(path: Database.inMemoryPath)
        #expect(Fixture.storageError { try database.migrate([Self.v1, Self.v1]) }?.code == .migration)
        #expect(Fixture.storageError { try database.migrate([Migration(version: 0, sql: "")]) }?.code == .migration)
        #expect(try database.userVersion() == 0)
    }

    @Test func tablesHoldingKeysTurnOnSecureDelete() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = try Database.open(path: directory.file("k.sqlite"))
        try database.execute("PRAGMA secure_delete=OFF")
        try database.migrate([Self.v1])
        #expect(try database.query("PRAGMA secure_delete").first?[0] == 0)
        let keys = Migration(version: 2, sql: "CREATE TABLE day_keys(day TEXT PRIMARY KEY, key BLOB NOT NULL)",
                             keyTables: ["day_keys"])
        try database.migrate([Self.v1, keys])
        #expect(try database.query("PRAGMA secure_delete").first?[0] == 1)
    }
}

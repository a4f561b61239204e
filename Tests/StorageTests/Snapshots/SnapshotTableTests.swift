import Testing
@testable import Storage

@Suite struct SnapshotTableTests {
    @Test func saveLoadReplaceRemove() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let snapshots = SnapshotTable(tableName: "sketch snapshots")
        let database = try Database.open(path: directory.file("s.sqlite"))
        try database.migrate([Migration(version: 1, sql: snapshots.createTableSQL)])
        #expect(try snapshots.load("hll", from: database) == nil)
        try snapshots.save([1, 2, 3], as: "hll", in: database)
        try snapshots.save([], as: "empty", in: database)
        try snapshots.save([9], as: "hll", in: database)
        #expect(try snapshots.load("hll", from: database) == [9])
        #expect(try snapshots.load("empty", from: database) == [])
        #expect(try snapshots.names(in: database) == ["empty", "hll"])
        #expect(try snapshots.remove("hll", from: database))
        #expect(try !snapshots.remove("hll", from: database))
        try database.close()
        let reopened = try Database.open(path: directory.file("s.sqlite"))
        #expect(try snapshots.names(in: reopened) == ["empty"])
    }
}

import Testing
@testable import Storage

/// A damaged file is detected at open and refused with a clear error, never served or crashed on.
@Suite struct CorruptionTests {
    /// A checkpointed database of about 60 pages holding 200 rows, and its path.
    static func makeDatabase(_ directory: TemporaryDirectory) throws -> String {
        let path = directory.file("victim.sqlite")
        let database = try Database.open(path: path)
        try database.migrate(Fixture.queueSchema)
        var random = SplitMix64(seed: 99)
        try database.transaction { database in
            for index in 0..<200 {
                try database.execute("INSERT INTO queue(recipient, envelope) VALUES (?, ?)",
                                     bindings: [.text("user\(index)"), .blob(random.bytes(1000))])
            }
        }
        try database.close() // checkpoints: everything is in the main file
        return path
    }

    @Test func garbageIsNotADatabase() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("garbage.sqlite")
        var random = SplitMix64(seed: 1)
        try Files.write(random.bytes(8192), to: path)
        let error = #expect(throws: StorageError.self) { try Database.open(path: path) }
        #expect(error?.code == .notADatabase)
        #expect(error?.message == "file is not a database")
        #expect(error?.resultCode == 26)
        #expect(try Files.size(path) == 8192, "the file is left untouched")
    }

    @Test func aTextFileIsNotADatabase() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("notes.sqlite")
        try Files.write(Array(String(repeating: "not a database\n", count: 100).utf8), to: path)
        #expect(Fixture.storageError { _ = try Database.open(path: path) }?.code == .notADatabase)
    }

    @Test(arguments: [21, 22, 23, 24] as [UInt64])
    func pagesOverwrittenInTheMiddleAreCaughtByQuickCheck(seed: UInt64) throws {
        print("CorruptionTests.pagesOverwrittenInTheMiddleAreCaughtByQuickCheck seed \(seed)")
        var random = SplitMix64(seed: seed)
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try Self.makeDatabase(directory)
        let pages = try Files.size(path) / 4096
        #expect(pages > 40, "seed \(seed)")
        // Whole pages in the middle (never page 1, the header and schema): a few random bytes inside
        // a row's payload would be undetectable by any check, so the test damages page structure.
        let first = Int.random(in: 2...(pages - 5), using: &random)
        try Files.overwrite(path, at: first * 4096, with: random.bytes(3 * 4096))
        let error = #expect(throws: StorageError.self, "seed \(seed)") { try Database.open(path: path) }
        #expect(error?.code == .corrupt, "seed \(seed): \(String(describing: error))")
        #expect(error?.message.isEmpty == false, "seed \(seed)")
        #expect(error?.operation == "PRAGMA quick_check on \(path)", "seed \(seed): the error names the file")
    }

    @Test func aTruncatedFileIsCorrupt() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try Self.makeDatabase(directory)
        try Files.truncate(path, to: try Files.size(path) / 2)
        let error = #expect(throws: StorageError.self) { try Database.open(path: path) }
        #expect(error?.code == .corrupt)
    }

    @Test func anIntactFilePassesAndQuickCheckCanBeRunLater() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try Self.makeDatabase(directory)
        let database = try Database.open(path: path)
        try database.quickCheck()
        #expect(try Fixture.count(database, "queue") == 200)
    }
}

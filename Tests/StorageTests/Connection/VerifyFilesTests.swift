import Glibc
import Testing
@testable import Storage

/// The start-up check: every database file under a directory is quick_checked, and the first
/// damaged one is refused with an error that names it.
@Suite struct VerifyFilesTests {
    /// `root/a.sqlite`, `root/days/2026-11-01.sqlite`, `root/days/2026-11-02.sqlite`, a text file
    /// and a symbolic link to `outside`, a directory holding another database (not followed).
    static func makeTree(_ directory: TemporaryDirectory, outside: TemporaryDirectory) throws -> [String] {
        let paths = [directory.file("a.sqlite"), directory.file("days/2026-11-01.sqlite"), directory.file("days/2026-11-02.sqlite")]
        try FileSystem.createDirectories(directory.file("days"))
        for (index, path) in (paths + [outside.file("linked.sqlite")]).enumerated() {
            let database = try Database.open(path: path)
            try database.migrate(Fixture.queueSchema)
            var random = SplitMix64(seed: UInt64(index))
            try database.transaction { database in
                for row in 0..<120 {
                    try database.execute("INSERT INTO queue(recipient, envelope) VALUES (?, ?)",
                                         bindings: [.text("user\(row)"), .blob(random.bytes(900))])
                }
            }
            try database.close()
        }
        try Files.write(Array("not a database".utf8), to: directory.file("days/notes.txt"))
        #expect(symlink(outside.path, directory.file("days/link")) == 0)
        return paths
    }

    @Test func everyDatabaseFileUnderTheDirectoryIsCheckedAndNothingElse() throws {
        let directory = try TemporaryDirectory(), outside = try TemporaryDirectory()
        defer { directory.remove(); outside.remove() }
        let paths = try Self.makeTree(directory, outside: outside)
        #expect(try Database.verifyFiles(under: directory.path) == paths.sorted())
    }

    @Test(arguments: [0, 1, 2])
    func aDamagedFileIsRefusedByName(victim: Int) throws {
        let directory = try TemporaryDirectory(), outside = try TemporaryDirectory()
        defer { directory.remove(); outside.remove() }
        let paths = try Self.makeTree(directory, outside: outside)
        let path = paths[victim]
        var random = SplitMix64(seed: 70 + UInt64(victim))
        let pages = try Files.size(path) / 4096
        try Files.overwrite(path, at: (pages - 3) * 4096, with: random.bytes(2 * 4096))
        let error = #expect(throws: StorageError.self) { try Database.verifyFiles(under: directory.path) }
        #expect(error?.code == .corrupt, "victim \(path): \(String(describing: error))")
        #expect(error?.operation == "PRAGMA quick_check on \(path)")
        #expect(error?.message.isEmpty == false)
        #expect(error?.description.contains(path) == true)
    }

    @Test func verifyingAMissingFileFailsAndCreatesNothing() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("missing.sqlite")
        let error = #expect(throws: StorageError.self) { try Database.verify(path: path) }
        #expect(error?.code == .fileSystem)
        #expect(error?.systemErrno == ENOENT)
        #expect(!Files.exists(path))
    }

    @Test func anEmptyDirectoryHasNothingToCheck() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect(try Database.verifyFiles(under: directory.path) == [])
    }
}

extension VerifyFilesTests {
    /// quick_check's findings span lines; the error is one line, so a start-up prints one line.
    @Test func findingsAreOneLine() throws {
        let directory = try TemporaryDirectory(), outside = try TemporaryDirectory()
        defer { directory.remove(); outside.remove() }
        let paths = try Self.makeTree(directory, outside: outside)
        // The table's root page overwritten: quick_check reports "*** in database main ***" and
        // the problems on the following lines.
        var random = SplitMix64(seed: 5)
        try Files.overwrite(paths[0], at: 4096, with: random.bytes(4096))
        let error = #expect(throws: StorageError.self) { try Database.verify(path: paths[0]) }
        #expect(error?.code == .corrupt)
        #expect(error?.message.hasPrefix("*** in database main ***; Page 2: ") == true, "\(String(describing: error))")
        #expect(error?.message.split(separator: ";").count == Database.findingsShown + 1, "four findings and how many more")
        #expect(error?.description.contains("\n") == false, "\(String(describing: error))")
        #expect(error?.operation == "PRAGMA quick_check on \(paths[0])")
    }
}

import Testing
@testable import Storage

/// Truncating the WAL's tail loses no committed transaction.
///
/// What is checked, honestly: transactions are committed with `synchronous=FULL` while the WAL is
/// kept (the connection closes without its usual checkpoint), and the size of the WAL after each
/// `COMMIT` is recorded — that size is where the transaction's commit frame ends. The WAL is then
/// cut at an arbitrary byte, as a crash in the middle of writing a later transaction would leave it
/// (or garbage is appended, as a torn, partially written frame would), and the database reopened on
/// a fresh copy. Every transaction whose commit frame lies wholly before the cut must be there, and
/// none after it. This exercises SQLite's WAL recovery (frame checksums and salts) through Vigil's
/// open path, including its `quick_check`; it does not simulate the OS reordering writes, which is
/// what `synchronous=FULL` (fsync at commit) is for.
@Suite struct WALTailTests {
    struct Written {
        /// The WAL size right after each transaction's COMMIT, in commit order.
        var boundaries: [Int] = []
        let database: String
        let wal: String
    }

    /// Commits `count` transactions of one 6 kB row each (two or three WAL frames per transaction)
    /// and closes without checkpointing, keeping the WAL.
    static func writeTransactions(_ count: Int, in directory: TemporaryDirectory, random: inout SplitMix64) throws -> Written {
        let path = directory.file("pristine.sqlite")
        let database = try Database.open(path: path)
        try database.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, payload BLOB NOT NULL)")
        try database.execute("PRAGMA wal_checkpoint(TRUNCATE)") // the table is now in the main file, the WAL empty
        var written = Written(database: path, wal: path + "-wal")
        for id in 1...count {
            try database.transaction { database in
                try database.execute("INSERT INTO t VALUES (?, ?)", bindings: [.init(id), .blob(random.bytes(6000))])
            }
            written.boundaries.append(try Files.size(written.wal))
        }
        try database.setCheckpointOnClose(false)
        try database.close()
        #expect(try Files.size(written.wal) == written.boundaries.last, "the WAL was kept as committed")
        return written
    }

    /// Reopens a copy of the database with `wal` bytes as its WAL and returns the ids present.
    static func idsAfterRecovery(_ written: Written, wal: [UInt8], in directory: TemporaryDirectory) throws -> [Int64] {
        let path = directory.file("copy.sqlite")
        try Files.copy(written.database, to: path)
        try Files.write(wal, to: path + "-wal")
        try? Files.copy(written.database + "-shm", to: path + "-shm") // stale index: recovery must rebuild it
        let database = try Database.open(path: path)
        defer { try? database.close() }
        return try database.query("SELECT id FROM t ORDER BY id").compactMap { $0[0].int64Value }
    }

    @Test(arguments: [31, 32, 33] as [UInt64])
    func cuttingTheWALAnywhereKeepsExactlyTheTransactionsBeforeTheCut(seed: UInt64) throws {
        print("WALTailTests.cuttingTheWALAnywhereKeepsExactlyTheTransactionsBeforeTheCut seed \(seed)")
        var random = SplitMix64(seed: seed)
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let written = try Self.writeTransactions(12, in: directory, random: &random)
        let wal = try Files.read(written.wal)
        // The exact commit boundaries, one byte either side, and random cuts.
        var cuts = written.boundaries.flatMap { [$0 - 1, $0, $0 + 1] }.filter { $0 <= wal.count }
        cuts += (0..<8).map { _ in Int.random(in: 0...wal.count, using: &random) }
        var survivorCounts: Set<Int> = []
        for cut in cuts {
            let ids = try Self.idsAfterRecovery(written, wal: Array(wal.prefix(cut)), in: directory)
            let expected = written.boundaries.filter { $0 <= cut }.count
            survivorCounts.insert(expected)
            #expect(ids == (0..<Int64(expected)).map { $0 + 1 }, "seed \(seed), WAL cut at \(cut) of \(wal.count)")
        }
        #expect(survivorCounts.count == 13, "cuts kept every number of transactions from 0 to 12")
    }

    @Test func garbageAfterTheLastCommitIsIgnored() throws {
        var random = SplitMix64(seed: 40)
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let written = try Self.writeTransactions(5, in: directory, random: &random)
        let wal = try Files.read(written.wal)
        // A torn frame: a plausible 24-byte header (copied from the first frame) and part of a page.
        let tornFrame = Array(wal[32..<56]) + random.bytes(1500)
        for tail in [random.bytes(10), random.bytes(4096 + 24), tornFrame] {
            let ids = try Self.idsAfterRecovery(written, wal: wal + tail, in: directory)
            #expect(ids == [1, 2, 3, 4, 5])
        }
    }
}

import Testing
@testable import Storage

/// A torn WAL tail measured back from the last commit, as a crash while appending leaves it: k
/// bytes removed for k inside the last frame's header, inside its page, exactly one frame, one
/// frame and a byte. Each transaction writes two tables, so the check is also that no transaction
/// survives in half: after recovery both tables hold exactly the transactions whose commit frame
/// lies wholly before the cut.
@Suite struct WALTornTailTests {
    static let pageSize = 4096
    static let frameSize = 24 + pageSize

    /// Ten transactions, each one row in `envelopes` (5 kB) and one in `acks`; the WAL size after
    /// each commit; the connection closed without a checkpoint so the WAL stays.
    static func write(in directory: TemporaryDirectory) throws -> (database: String, boundaries: [Int]) {
        let path = directory.file("torn.sqlite")
        let database = try Database.open(path: path)
        try database.execute("""
            CREATE TABLE envelopes(id INTEGER PRIMARY KEY, body BLOB NOT NULL);
            CREATE TABLE acks(id INTEGER PRIMARY KEY REFERENCES envelopes(id), at INTEGER NOT NULL);
            PRAGMA wal_checkpoint(TRUNCATE);
            """)
        var random = SplitMix64(seed: 909)
        var boundaries: [Int] = []
        for id in 1...10 {
            try database.transaction { database in
                try database.execute("INSERT INTO envelopes VALUES (?, ?)", bindings: [.init(id), .blob(random.bytes(5000))])
                try database.execute("INSERT INTO acks VALUES (?, ?)", bindings: [.init(id), .init(id * 1000)])
            }
            boundaries.append(try Files.size(path + "-wal"))
        }
        try database.setCheckpointOnClose(false)
        try database.close()
        return (path, boundaries)
    }

    @Test(arguments: [1, 12, 24, 25, 2048, frameSize - 1, frameSize, frameSize + 1, frameSize * 3 / 2])
    func removingKBytesFromTheLastCommitKeepsWhatCommittedBeforeTheCut(k: Int) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (path, boundaries) = try Self.write(in: directory)
        let wal = try Files.read(path + "-wal")
        #expect(wal.count == boundaries.last)
        #expect((boundaries.last ?? 0) - boundaries[8] > Self.frameSize * 3 / 2, "the last transaction spans more than every k")
        let cut = wal.count - k
        let survivors = boundaries.filter { $0 <= cut }.count

        let copy = directory.file("copy.sqlite")
        try Files.copy(path, to: copy)
        try Files.write(Array(wal.prefix(cut)), to: copy + "-wal")
        let database = try Database.open(path: copy) // quick_check at open: the torn tail is not damage
        defer { try? database.close() }
        let envelopes = try database.query("SELECT id FROM envelopes ORDER BY id").compactMap { $0[0].int64Value }
        let acks = try database.query("SELECT id, at FROM acks ORDER BY id").compactMap { row in
            row[0].int64Value.flatMap { id in row[1].int64Value.map { (id, $0) } }
        }
        let expected = (1...Int64(10)).prefix(survivors)
        #expect(envelopes == Array(expected), "k \(k), cut at \(cut) of \(wal.count)")
        #expect(acks.map(\.0) == Array(expected), "k \(k): both tables hold the same transactions")
        #expect(acks.allSatisfy { $0.1 == $0.0 * 1000 })
        #expect(survivors == 9, "k \(k): exactly the torn last transaction is gone, 9 of 10 remain")
    }
}

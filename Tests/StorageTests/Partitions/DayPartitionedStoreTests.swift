import Testing
@testable import Storage

/// One file per UTC day: created on demand, listed, queried across days, dropped by deleting files.
@Suite struct DayPartitionedStoreTests {
    static let schema = [
        Migration(version: 1, sql: "CREATE TABLE queue(id INTEGER PRIMARY KEY, recipient TEXT NOT NULL, at INTEGER NOT NULL)"),
        Migration(version: 2, sql: "CREATE INDEX queue_recipient ON queue(recipient)"),
    ]
    static let firstDay = UTCDay(year: 2024, month: 2, day: 27)!

    static func insert(_ store: DayPartitionedStore, at seconds: Int64, recipient: String) throws {
        let partition = try store.partition(for: UTCDay(secondsSince1970: seconds))
        try store.database.execute("INSERT INTO \(partition.qualified("queue"))(recipient, at) VALUES (?, ?)",
                                   bindings: [.text(recipient), .integer(seconds)])
    }

    @Test func partitionsAreCreatedListedQueriedAndDropped() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let root = directory.file("days")
        let store = try DayPartitionedStore(directory: root, migrations: Self.schema)
        #expect(try store.partitions().isEmpty)
        #expect(try Files.permissions(root) == 0o700)

        // Four days, written out of order; timestamps are injected, never read from a clock.
        let start = Self.firstDay.startSecondsSince1970
        for (offset, recipient) in [(3, "d"), (0, "a"), (2, "c"), (1, "b"), (0, "a2")] {
            try Self.insert(store, at: start + Int64(offset) * 86_400 + 3600, recipient: recipient)
        }
        let days = try store.partitions()
        #expect(days.map(\.description) == ["2024-02-27", "2024-02-28", "2024-02-29", "2024-03-01"])
        for day in days {
            let path = root + "/\(day).sqlite"
            #expect(try Files.permissions(path) == 0o600)
            #expect(try Files.permissions(path + "-wal") == 0o600)
        }
        let first = try #require(try store.existingPartition(for: days[0]))
        #expect(first.schema == "day_20240227" && first.path == root + "/2024-02-27.sqlite")
        #expect(try store.database.query("PRAGMA \(first.schema).user_version").first?[0] == 2)
        #expect(try store.database.query("PRAGMA \(first.schema).journal_mode").first?[0] == "wal")
        #expect(try store.database.query("PRAGMA \(first.schema).synchronous").first?[0] == 2)

        // A query spanning days, in day order.
        var seen: [String] = []
        try store.forEachPartition(from: days[1]) { partition in
            for row in try store.database.query("SELECT recipient FROM \(partition.qualified("queue")) ORDER BY id") {
                seen.append(row[0].stringValue ?? "?")
            }
        }
        #expect(seen == ["b", "c", "d"])
        #expect(try store.existingPartition(for: Self.firstDay.advanced(by: 30)) == nil, "reading creates no file")

        // Retention: days before 2024-02-29 go, by deleting their files.
        #expect(try store.dropPartitions(olderThan: days[2]) == [days[0], days[1]])
        #expect(try store.partitions() == [days[2], days[3]])
        #expect(!store.attachedDays.contains(days[0]))
        for day in days[0...1] {
            let path = root + "/\(day).sqlite"
            for suffix in ["", "-wal", "-shm", "-journal"] { #expect(!Files.exists(path + suffix), "\(path + suffix)") }
        }
        #expect(try store.dropPartitions(olderThan: days[2]).isEmpty)
        try store.close()

        // A new store over the same directory sees the remaining days and their rows.
        let reopened = try DayPartitionedStore(directory: root, migrations: Self.schema)
        var count: Int64 = 0
        try reopened.forEachPartition { partition in
            count += try reopened.database.query("SELECT count(*) FROM \(partition.qualified("queue"))").first?[0].int64Value ?? 0
        }
        #expect(count == 2)
    }

    @Test func moreDaysThanTheAttachLimitRotateLeastRecentlyUsed() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try DayPartitionedStore(directory: directory.path, migrations: Self.schema, maximumAttached: 3)
        #expect(store.maximumAttached == 3)
        for offset in 0..<8 {
            try Self.insert(store, at: Self.firstDay.advanced(by: offset).startSecondsSince1970, recipient: "r\(offset)")
            #expect(store.attachedDays.count <= 3)
        }
        #expect(store.attachedDays == (5..<8).map { Self.firstDay.advanced(by: $0) })
        // Cached statements naming a detached day were dropped with it.
        let attachedSchemas = store.attachedDays.map { "\"\(Partition(day: $0, directory: directory.path).schema)\"" }
        for sql in store.database.statementCache.sqlTexts where sql.contains("day_") {
            #expect(attachedSchemas.contains { sql.contains($0) }, "\(sql)")
        }
        #expect(store.database.cachedStatementCount == 3, "one INSERT per attached day")
        var recipients: [String] = []
        try store.forEachPartition { partition in
            recipients += try store.database.query("SELECT recipient FROM \(partition.qualified("queue"))").compactMap { $0[0].stringValue }
        }
        #expect(recipients == (0..<8).map { "r\($0)" })
        #expect(try DayPartitionedStore(directory: directory.path, migrations: Self.schema).maximumAttached == 10,
                "the system SQLite's attach limit")
    }

    @Test func attachingInsideATransactionIsRefused() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try DayPartitionedStore(directory: directory.path, migrations: Self.schema)
        let today = try store.partition(for: Self.firstDay)
        let error = Fixture.storageError {
            try store.database.transaction { _ in
                _ = try store.partition(for: today.day) // attached already: fine
                _ = try store.partition(for: Self.firstDay.advanced(by: 1))
            }
        }
        #expect(error?.code == .misuse)
        #expect(Fixture.storageError {
            try store.database.transaction { _ in _ = try store.dropPartitions(olderThan: today.day.advanced(by: 1)) }
        }?.code == .misuse)
        #expect(try store.partitions() == [Self.firstDay])
    }

    @Test func aCorruptDayIsRefusedWhileOtherDaysWork() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var random = SplitMix64(seed: 61)
        try Files.write(random.bytes(4096), to: directory.file("2024-02-28.sqlite"))
        try Files.write([1, 2, 3], to: directory.file("notes.txt"))
        let store = try DayPartitionedStore(directory: directory.path, migrations: Self.schema)
        #expect(try store.partitions() == [Self.firstDay.advanced(by: 1)], "only day files are partitions")
        #expect(Fixture.storageError { _ = try store.partition(for: Self.firstDay.advanced(by: 1)) }?.code == .notADatabase)
        try Self.insert(store, at: Self.firstDay.startSecondsSince1970, recipient: "fine")
        #expect(store.attachedDays == [Self.firstDay])
    }

    @Test func groupCommitWritesIntoTodaysPartition() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let keys = Migration(version: 3, sql: "CREATE TABLE day_key(key BLOB NOT NULL)", keyTables: ["day_key"])
        let store = try DayPartitionedStore(directory: directory.path, migrations: Self.schema + [keys])
        let now: Int64 = Self.firstDay.startSecondsSince1970 + 50_000
        let today = try store.partition(for: UTCDay(secondsSince1970: now))
        #expect(try store.database.query("PRAGMA \(today.schema).secure_delete").first?[0] == 1)
        var batch = GroupCommit<Int>()
        for id in 0..<100 {
            batch.enqueue(id, sql: "INSERT INTO \(today.qualified("queue"))(recipient, at) VALUES (?, ?)",
                          bindings: [.text("u\(id)"), .integer(now)])
        }
        let commits = store.database.commitCount
        #expect(batch.commit(on: store.database).tokens.count == 100)
        #expect(store.database.commitCount == commits + 1)
        try store.close()
        let file = try Database.open(path: today.path)
        #expect(try Fixture.count(file, "queue") == 100)
    }
}

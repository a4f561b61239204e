import Testing
@testable import Storage

/// Group commit: one transaction per batch, acknowledgement only after commit, all-or-nothing.
@Suite struct GroupCommitTests {
    static let insert = "INSERT INTO queue(recipient, envelope) VALUES (?, ?)"

    static func makeDatabase(_ directory: TemporaryDirectory) throws -> Database {
        let database = try Database.open(path: directory.file("queue.sqlite"))
        try database.migrate(Fixture.queueSchema)
        return database
    }

    static func envelope(_ index: Int) -> [UInt8] {
        [UInt8(index >> 8 & 0xff), UInt8(index & 0xff), 0x42]
    }

    @Test func aThousandInsertsCommitInOneTransaction() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = try Self.makeDatabase(directory)
        var batch = GroupCommit<Int>()
        for index in 0..<1000 {
            batch.enqueue(index, sql: Self.insert, bindings: [.text("user\(index % 7)"), .blob(Self.envelope(index))])
        }
        #expect(batch.pendingCount == 1000)
        let commits = database.commitCount
        let outcome = batch.commit(on: database)
        guard case let .committed(tokens) = outcome else {
            Issue.record("expected a commit, got \(outcome)")
            return
        }
        #expect(tokens == Array(0..<1000), "every token acknowledged, in enqueue order")
        #expect(database.commitCount == commits + 1, "one transaction, so one WAL fsync, for 1000 writes")
        #expect(batch.isEmpty)
        #expect(batch.statistics == .init(committedTransactions: 1, committedWrites: 1000))
        #expect(try Fixture.count(database, "queue") == 1000)

        // Durable: a fresh connection after close sees every acknowledged write.
        try database.close()
        let reopened = try Database.open(path: directory.file("queue.sqlite"))
        #expect(try Fixture.count(reopened, "queue") == 1000)
    }

    @Test func oneFailingWriteRollsBackTheBatchAndAcknowledgesNothing() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = try Self.makeDatabase(directory)
        var batch = GroupCommit<String>()
        for index in 0..<300 {
            batch.enqueue("frame\(index)", sql: Self.insert, bindings: ["u", .blob(Self.envelope(index))])
        }
        // The 301st write repeats an envelope: the unique index refuses it.
        batch.enqueue("duplicate", sql: Self.insert, bindings: ["u", .blob(Self.envelope(5))])
        batch.enqueue("after", sql: Self.insert, bindings: ["u", .blob(Self.envelope(999))])
        let commits = database.commitCount
        let outcome = batch.commit(on: database)
        guard case let .rolledBack(tokens, error) = outcome else {
            Issue.record("expected a rollback, got \(outcome)")
            return
        }
        #expect(tokens.count == 302 && tokens.first == "frame0" && tokens.last == "after")
        #expect(error.code == .constraint)
        #expect(database.commitCount == commits, "no transaction committed")
        #expect(!database.isInTransaction)
        #expect(try Fixture.count(database, "queue") == 0, "not even the writes before the failure")
        #expect(batch.statistics == .init(failedTransactions: 1, failedWrites: 302))

        // The next turn's batch is unaffected.
        batch.enqueue("next", sql: Self.insert, bindings: ["u", .blob([1])])
        #expect(batch.commit(on: database).tokens == ["next"])
        #expect(try Fixture.count(database, "queue") == 1)
    }

    @Test func aWriteCanAbortTheBatch() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = try Self.makeDatabase(directory)
        var batch = GroupCommit<Int>()
        batch.enqueue(1) { database throws(StorageError) in
            try database.execute(Self.insert, bindings: ["a", .blob([1])])
            try database.execute(Self.insert, bindings: ["a", .blob([2])])
        }
        batch.enqueue(2) { _ throws(StorageError) in throw .aborted("injected failure") }
        let outcome = batch.commit(on: database)
        guard case let .rolledBack(tokens, error) = outcome else {
            Issue.record("expected a rollback")
            return
        }
        #expect(tokens == [1, 2] && error.code == .aborted && error.message == "injected failure")
        #expect(try Fixture.count(database, "queue") == 0)
    }

    @Test func anEmptyBatchOpensNoTransaction() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = try Self.makeDatabase(directory)
        var batch = GroupCommit<Int>()
        let commits = database.commitCount
        let outcome = batch.commit(on: database)
        #expect(outcome.tokens.isEmpty)
        #expect(database.commitCount == commits)
        #expect(batch.statistics == .init())
    }

    @Test func aBatchInsideAnOpenTransactionIsRefusedWithoutTouchingIt() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = try Self.makeDatabase(directory)
        try database.execute("BEGIN IMMEDIATE")
        try database.execute(Self.insert, bindings: ["outer", .blob([9])])
        var batch = GroupCommit<Int>()
        batch.enqueue(1, sql: Self.insert, bindings: ["inner", .blob([1])])
        let outcome = batch.commit(on: database)
        guard case let .rolledBack(tokens, error) = outcome else {
            Issue.record("expected a refusal")
            return
        }
        #expect(tokens == [1] && error.code == .misuse)
        #expect(database.isInTransaction, "the caller's transaction is left alone")
        try database.execute("COMMIT")
        #expect(try database.query("SELECT recipient FROM queue").map { $0[0] } == ["outer"])
    }

    @Test func aWriteThatEndsTheTransactionFailsTheBatch() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = try Self.makeDatabase(directory)
        var batch = GroupCommit<Int>()
        batch.enqueue(1, sql: "ROLLBACK")
        batch.enqueue(2, sql: Self.insert, bindings: ["late", .blob([2])])
        let outcome = batch.commit(on: database)
        guard case let .rolledBack(tokens, error) = outcome else {
            Issue.record("expected a failure")
            return
        }
        #expect(tokens == [1, 2] && error.code == .misuse)
        #expect(try Fixture.count(database, "queue") == 0, "the later write never ran in autocommit")
    }

    @Test func bookkeepingKeepsEnqueueOrderAndDrains() {
        var batch = GroupCommit<Character>()
        batch.enqueue("a", sql: "SELECT 1")
        batch.enqueue("b") { _ throws(StorageError) in }
        batch.enqueue("c", sql: "SELECT 2", bindings: [1])
        #expect(batch.pendingTokens == ["a", "b", "c"])
        let taken = batch.takeBatch()
        #expect(taken.map(\.token) == ["a", "b", "c"])
        #expect(batch.isEmpty && batch.pendingTokens.isEmpty)
        if case let .statement(sql, bindings) = taken[2].operation {
            #expect(sql == "SELECT 2" && bindings == [1])
        } else {
            Issue.record("expected a statement write")
        }
        batch.record(committed: true, writes: 3)
        batch.record(committed: false, writes: 2)
        #expect(batch.statistics == .init(committedTransactions: 1, committedWrites: 3, failedTransactions: 1, failedWrites: 2))
    }

    /// Random turns with random failures: the acknowledged tokens are exactly the rows on disk.
    @Test(arguments: [11, 12, 13] as [UInt64])
    func acknowledgedIsExactlyWhatIsStored(seed: UInt64) throws {
        print("GroupCommitTests.acknowledgedIsExactlyWhatIsStored seed \(seed)")
        var random = SplitMix64(seed: seed)
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var database = try Self.makeDatabase(directory)
        var batch = GroupCommit<Int>()
        var acknowledged: Set<Int> = []
        var next = 0
        for turn in 0..<25 {
            let commits = database.commitCount
            let size = Int.random(in: 0...40, using: &random)
            let failing = Int.random(in: 0..<4, using: &random) == 0 && size > 0
            let failAt = Int.random(in: 0..<max(size, 1), using: &random)
            for index in 0..<size {
                let id = next
                next += 1
                if failing && index == failAt {
                    batch.enqueue(id) { _ throws(StorageError) in throw .aborted("turn \(turn)") }
                } else {
                    batch.enqueue(id, sql: Self.insert, bindings: [.text("\(id)"), .blob(Self.envelope(id))])
                }
            }
            switch batch.commit(on: database) {
            case let .committed(tokens):
                #expect(!failing, "seed \(seed) turn \(turn)")
                #expect(database.commitCount == commits + (size > 0 ? 1 : 0), "seed \(seed) turn \(turn)")
                acknowledged.formUnion(tokens)
            case .rolledBack:
                #expect(failing, "seed \(seed) turn \(turn)")
                #expect(database.commitCount == commits, "seed \(seed) turn \(turn)")
            }
            if turn % 10 == 9 {
                try database.close()
                database = try Database.open(path: directory.file("queue.sqlite"))
            }
        }
        let stored = Set(try database.query("SELECT recipient FROM queue").compactMap { $0[0].stringValue.flatMap { Int($0) } })
        #expect(stored == acknowledged, "seed \(seed)")
    }
}

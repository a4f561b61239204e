import Glibc
import Synchronization
import Testing
@testable import Storage

/// `Durability.deferred`: `synchronous=NORMAL` plus a log the owner syncs, and the syncer thread.
@Suite struct DeferredDurabilityTests {
    static func synchronousSetting(_ database: Database) throws -> Int64? {
        try database.query("PRAGMA synchronous").first?[0].int64Value
    }

    /// A ``Database/Durability/deferred`` database named `name` in `directory`, with the queue
    /// table, and its log.
    static func deferredQueue(in directory: TemporaryDirectory, _ name: String) throws -> (Database, WALFile) {
        let database = try Database.open(path: directory.file(name), options: .init(durability: .deferred))
        try database.migrate(Fixture.queueSchema)
        return (database, try #require(database.walFile))
    }

    /// Commits `rounds` transactions of `rows` queue rows whose envelopes are `size` bytes and
    /// unique; `false`, with an issue recorded, if one did not commit.
    static func fill(_ database: Database, rounds: Int, rows: Int, size: Int) -> Bool {
        for round in 0..<rounds {
            var batch = GroupCommit<Int>()
            for index in 0..<rows {
                let envelope = Array(repeating: UInt8(truncatingIfNeeded: round), count: size) + [UInt8(index), UInt8(round & 0xFF), UInt8(round >> 8)]
                batch.enqueue(index, sql: GroupCommitTests.insert, bindings: ["u", .blob(envelope)])
            }
            guard case .committed = batch.commit(on: database) else {
                Issue.record("round \(round) did not commit")
                return false
            }
        }
        return true
    }

    @Test func immediateConnectionsCommitWithFullSyncAndHaveNoLog() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = try Database.open(path: directory.file("full.sqlite"))
        #expect(try Self.synchronousSetting(database) == 2, "FULL")
        #expect(database.walFile == nil)
        let memory = try Database.open(path: Database.inMemoryPath, options: .init(durability: .deferred))
        #expect(memory.walFile == nil, "an in-memory database has no log to sync")
    }

    @Test func deferredConnectionsCommitWithoutSyncAndSyncTheirOwnLog() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("deferred.sqlite")
        let database = try Database.open(path: path, options: .init(durability: .deferred))
        try database.migrate(Fixture.queueSchema)
        #expect(try Self.synchronousSetting(database) == 1, "NORMAL")
        let log = try #require(database.walFile)
        #expect(log.path == path + "-wal")

        var batch = GroupCommit<Int>()
        for index in 0..<50 { batch.enqueue(index, sql: GroupCommitTests.insert, bindings: ["u", .blob([UInt8(index), 7])]) }
        guard case let .committed(tokens) = batch.commit(on: database) else {
            Issue.record("the batch did not commit")
            return
        }
        #expect(tokens == Array(0..<50))
        var status = stat()
        #expect(stat(log.path, &status) == 0 && status.st_size > 0, "the commit's frames are in the log")
        try log.sync()
        #expect(WALSyncer.syncNow([log, log]) == nil)

        // Another connection sees the commit (it is committed, only its sync was the owner's job).
        let reader = try Database.open(path: path)
        #expect(try Fixture.count(reader, "queue") == 50)
    }

    @Test func aMissingLogIsAFileSystemErrorNamingIt() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let error = Fixture.storageError { _ = try WALFile(databasePath: directory.file("absent.sqlite")) }
        #expect(error?.code == .fileSystem)
        #expect(error?.operation == "open " + directory.file("absent.sqlite") + "-wal")
        #expect(error?.systemErrno == ENOENT)
    }

    @Test func theSyncerRunsRequestsInOrderOffTheCallingThread() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = try Database.open(path: directory.file("s.sqlite"), options: .init(durability: .deferred))
        try database.migrate(Fixture.queueSchema)
        let log = try #require(database.walFile)
        let syncer = WALSyncer()
        let finished = Mutex<[Int]>([])
        let caller = pthread_self()
        let offThread = Mutex(true)
        for request in 0..<20 {
            syncer.sync([log]) { error in
                finished.withLock { $0.append(error == nil ? request : -1) }
                if pthread_equal(pthread_self(), caller) != 0 { offThread.withLock { $0 = false } }
            }
        }
        syncer.waitUntilIdle()
        #expect(finished.withLock { $0 } == Array(0..<20), "every request, in order, without error")
        #expect(offThread.withLock { $0 })
    }

    /// A deferred connection never checkpoints by itself; the syncer does, off the committing
    /// thread, once the log passes its threshold — and the writer then restarts the log.
    @Test func theSyncerCheckpointsLogsPastItsThreshold() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("c.sqlite")
        let database = try Database.open(path: path, options: .init(durability: .deferred))
        try database.migrate(Fixture.queueSchema)
        #expect(try database.query("PRAGMA wal_autocheckpoint").first?[0].int64Value == 0)
        let log = try #require(database.walFile)
        func fileSize(_ path: String) -> Int {
            var status = stat()
            return stat(path, &status) == 0 ? Int(status.st_size) : -1
        }
        let before = fileSize(path)
        for round in 0..<60 {
            var batch = GroupCommit<Int>()
            for index in 0..<50 {
                batch.enqueue(index, sql: GroupCommitTests.insert, bindings: ["u", .blob(Array(repeating: UInt8(round), count: 900) + [UInt8(index)])])
            }
            guard case .committed = batch.commit(on: database) else {
                Issue.record("round \(round) did not commit")
                return
            }
        }
        #expect(fileSize(path) == before, "nothing reached the database file without a checkpoint")
        #expect(log.size > 2_500_000)
        #expect(log.committedBytes > 2_500_000 && log.committedBytes <= log.size, "the hook counted the frames: \(log.committedBytes)")
        let grown = log.size

        let syncer = WALSyncer(checkpointBytes: 2_000_000)
        syncer.sync([log]) { error in #expect(error == nil) }
        syncer.waitUntilIdle()
        #expect(syncer.checkpointStatistics.count == 1)
        #expect(syncer.checkpointStatistics.lastFailure == nil)
        #expect(fileSize(path) > before + 2_500_000, "the frames were copied into the database")
        var batch = GroupCommit<Int>()
        batch.enqueue(0, sql: GroupCommitTests.insert, bindings: ["u", .blob([1, 2, 3, 4])])
        _ = batch.commit(on: database)
        #expect(log.committedBytes > 0 && log.committedBytes <= 4 * (4096 + 24), "the next commit restarts the log: \(log.committedBytes) bytes")
        #expect(log.size == grown, "in place: the file keeps its blocks (below the size limit)")
        #expect(try Fixture.count(database, "queue") == 3001)

        // With the log short again, the next sync does not checkpoint.
        syncer.sync([log]) { _ in }
        syncer.waitUntilIdle()
        #expect(syncer.checkpointStatistics.count == 1)

        // A syncer below its threshold leaves the log alone.
        let patient = WALSyncer(checkpointBytes: 1 << 30)
        patient.sync([log]) { _ in }
        patient.waitUntilIdle()
        #expect(patient.checkpointStatistics.count == 0)
    }

    /// A log grown by a backlog (the checkpoints could not keep up) restarts in place after a
    /// checkpoint and keeps its size: the committing thread never truncates it. The frame count
    /// restarts with it.
    @Test func aLogGrownByABacklogRestartsInPlaceAndKeepsItsSize() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (database, log) = try Self.deferredQueue(in: directory, "big.sqlite")
        let payload = Array(repeating: UInt8(7), count: 3_000)
        var round = 0
        // Past the 16 MB the log was once truncated to.
        while log.size <= 17_000_000 {
            var batch = GroupCommit<Int>()
            for index in 0..<100 { batch.enqueue(index, sql: GroupCommitTests.insert, bindings: ["u", .blob(payload + [UInt8(index), UInt8(round & 0xFF), UInt8(round >> 8)])]) }
            guard case .committed = batch.commit(on: database) else {
                Issue.record("round \(round) did not commit")
                return
            }
            round += 1
        }
        let grown = log.size
        #expect(log.committedBytes > 17_000_000)
        #expect(try log.checkpoint().copied > 0)
        var batch = GroupCommit<Int>()
        batch.enqueue(0, sql: GroupCommitTests.insert, bindings: ["u", .blob([1])])
        guard case .committed = batch.commit(on: database) else {
            Issue.record("the commit after the checkpoint did not commit")
            return
        }
        #expect(log.size == grown, "kept its size: \(log.size) of \(grown)")
        #expect(log.committedBytes > 0 && log.committedBytes <= 4 * (4096 + 24), "restarted: \(log.committedBytes)")
        #expect(try database.query("SELECT count(*) FROM queue").first?[0].int64Value == Int64(round * 100 + 1))
        try database.close()
    }

    /// Under a writer that never pauses for long, as the endpoint's loop commits, a passive
    /// checkpoint never catches the log up and the log never restarts: it grows by every frame.
    /// Past `restartBytes` the syncer's checkpoint holds the writer off until the log is copied,
    /// and the next commit restarts it, so its size stays bounded. Every row is there afterwards.
    /// The control case, without restarts, shows the growth.
    @Test(.serialized, arguments: [true, false])
    func aLogUnderSteadyWritesIsRestartedPastItsBound(restarting: Bool) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (database, log) = try Self.deferredQueue(in: directory, "steady.sqlite")
        let bound = 512 * 1024
        let syncer = WALSyncer(checkpointBytes: 64 * 1024, restartBytes: restarting ? bound : Int.max)
        let payload = Array(repeating: UInt8(3), count: 1_000)
        let syncing = Atomic<Bool>(false)
        let syncFailures = Atomic<Int>(0)
        var largest = 0
        let rounds = 3_000
        // A commit of two rows every ~0.5 ms (70-120 MB of frames in all); as the endpoint
        // does, the log goes to the syncer whenever no sync is in flight, and commits go on
        // meanwhile.
        for round in 0..<rounds {
            var batch = GroupCommit<Int>()
            for index in 0..<2 {
                batch.enqueue(index, sql: GroupCommitTests.insert, bindings: ["u", .blob(payload + [UInt8(index), UInt8(round & 0xFF), UInt8(round >> 8)])])
            }
            guard case .committed = batch.commit(on: database) else {
                Issue.record("round \(round) did not commit")
                return
            }
            if !syncing.exchange(true, ordering: .acquiring) {
                syncer.sync([log]) { error in
                    if error != nil { syncFailures.add(1, ordering: .relaxed) }
                    syncing.store(false, ordering: .releasing)
                }
            }
            largest = max(largest, log.size)
            usleep(500)
        }
        syncer.waitUntilIdle()
        let statistics = syncer.checkpointStatistics
        #expect(syncFailures.load(ordering: .relaxed) == 0)
        #expect(statistics.lastFailure == nil)
        if restarting {
            // Bounded by the bound plus what is written while a checkpoint job runs (0.9–3.5 MB
            // seen; the limit leaves room for a disk stall of a second).
            #expect(statistics.restarts > 0)
            #expect(statistics.longestRestart > .zero)
            #expect(largest < 64 * bound, "bounded: the log reached \(largest) bytes")
        } else {
            // 70–118 MB seen; a passive checkpoint that finds the writer idle restarts it too.
            #expect(statistics.restarts == 0)
            #expect(largest > 8 * bound, "passive checkpoints alone kept up: \(largest) bytes")
        }
        #expect(try database.query("SELECT count(*) FROM queue").first?[0].int64Value == Int64(rounds * 2))
        try database.close()
    }

    /// A restart counts once: until the writer commits again the log's frame count is the old
    /// log's, and a sync meanwhile neither restarts nor checkpoints it again. The next commit
    /// starts the log from its beginning, in place.
    @Test func aRestartedLogIsNotRestartedAgainUntilWrittenTo() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (database, log) = try Self.deferredQueue(in: directory, "once.sqlite")
        guard Self.fill(database, rounds: 20, rows: 20, size: 2_000) else { return }
        let grown = log.size
        #expect(log.committedBytes > 256 * 1024)
        let syncer = WALSyncer(checkpointBytes: 64 * 1024, restartBytes: 256 * 1024)
        syncer.sync([log]) { _ in }
        syncer.waitUntilIdle()
        #expect(syncer.checkpointStatistics.restarts == 1)
        #expect(syncer.checkpointStatistics.count == 1)
        // No commit since: the stale frame count does not start a second restart.
        syncer.sync([log]) { _ in }
        syncer.waitUntilIdle()
        #expect(syncer.checkpointStatistics.restarts == 1)
        #expect(syncer.checkpointStatistics.count == 1)
        #expect(syncer.checkpointStatistics.lastFailure == nil)

        var batch = GroupCommit<Int>()
        batch.enqueue(0, sql: GroupCommitTests.insert, bindings: ["after", .blob([1])])
        guard case .committed = batch.commit(on: database) else {
            Issue.record("the commit after the restart did not commit")
            return
        }
        #expect(log.committedBytes > 0 && log.committedBytes <= 4 * (4096 + 24), "restarted: \(log.committedBytes)")
        #expect(log.size == grown, "in place")
        #expect(try database.query("SELECT count(*) FROM queue").first?[0].int64Value == 401)
        try database.close()
    }

    /// An idle log is emptied off the writer's thread (`WALSyncer.truncate`): the file drops to
    /// zero bytes, every commit is in the database, and the connection writes on afterwards.
    @Test func anIdleLogIsTruncatedByTheSyncerAndWritesGoOn() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (database, log) = try Self.deferredQueue(in: directory, "idle.sqlite")
        let before = log.commitCount
        guard Self.fill(database, rounds: 20, rows: 50, size: 2_000) else { return }
        #expect(log.commitCount == before + 20)
        #expect(log.size > 1_000_000)

        let syncer = WALSyncer()
        syncer.sync([log]) { _ in }
        syncer.truncate([log])
        syncer.waitUntilIdle()
        #expect(log.size == 0)
        #expect(syncer.checkpointStatistics.lastFailure == nil)
        #expect(try database.query("SELECT count(*) FROM queue").first?[0].int64Value == 1_000)

        var batch = GroupCommit<Int>()
        batch.enqueue(0, sql: GroupCommitTests.insert, bindings: ["after", .blob([1])])
        guard case .committed = batch.commit(on: database) else {
            Issue.record("the commit after the truncation did not commit")
            return
        }
        #expect(log.size > 0)
        #expect(log.commitCount == before + 21)
        try log.sync()
        try database.close()
        let reopened = try Database.open(path: directory.file("idle.sqlite"))
        #expect(try reopened.query("SELECT count(*) FROM queue").first?[0].int64Value == 1_001)
        try reopened.close()
    }

    /// A checkpoint or truncation of a log whose database was deleted (a shredded day) does
    /// nothing and never brings the file back; an open told not to create fails on a missing file
    /// and leaves nothing behind.
    @Test func checkpointsNeverRecreateADeletedDatabase() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("gone.sqlite")
        let (database, log) = try Self.deferredQueue(in: directory, "gone.sqlite")
        try database.close()
        for suffix in ["-wal", "-shm", ""] { _ = unlink(path + suffix) }

        #expect(try log.truncate())
        #expect(try log.checkpoint() == (0, 0))
        #expect(access(path, F_OK) != 0)
        #expect(access(path + "-wal", F_OK) != 0)

        #expect(throws: StorageError.self) {
            try Database.open(path: path, options: .init(createsMissingFile: false))
        }
        do {
            _ = try Database.open(path: path, options: .init(createsMissingFile: false))
        } catch {
            #expect(error.code == .open)
        }
        #expect(access(path, F_OK) != 0)
    }

    @Test func batchesOfSeveralTurnsJoinInOrderAndCommitInOneTransaction() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = try GroupCommitTests.makeDatabase(directory)
        var joined = GroupCommit<Int>()
        for turn in 0..<3 {
            var batch = GroupCommit<Int>()
            for index in 0..<4 {
                let token = turn * 4 + index
                batch.enqueue(token, sql: GroupCommitTests.insert, bindings: ["u", .blob([UInt8(token)])])
            }
            joined.append(contentsOf: batch)
        }
        #expect(joined.pendingTokens == Array(0..<12))
        let commits = database.commitCount
        guard case let .committed(tokens) = joined.commit(on: database) else {
            Issue.record("the joined batch did not commit")
            return
        }
        #expect(tokens == Array(0..<12))
        #expect(database.commitCount == commits + 1)
        let order = try database.query("SELECT envelope FROM queue ORDER BY id").map { $0[0].blobValue?.first ?? 255 }
        #expect(order == (0..<12).map(UInt8.init))
    }
}

import Storage
import Testing
@testable import CloudAPI

/// `DurabilityPipeline`: records' logs synced before the sessions commit, the registry's log
/// synced before anything is released, turns merged while a stage is in flight, nothing released
/// after a failure.
@Suite("Cloud API durability pipeline: records, then sessions, then effects")
struct DurabilityPipelineTests {
    final class Log {
        let name: String
        init(_ name: String) { self.name = name }
    }

    typealias Pipeline = DurabilityPipeline<Log>

    /// Registry writes of `keys` (the SQL is never run here); `held` marks them `followsRecords`.
    static func writes(_ keys: [String], held: Bool = false) -> GroupCommit<RegistryWrite> {
        var batch = GroupCommit<RegistryWrite>()
        for key in keys { batch.enqueue(RegistryWrite(key: key, followsRecords: held), sql: "SELECT 1") }
        return batch
    }

    /// What a step is, for comparison.
    enum Shape: Equatable {
        case sync([String]), commitRegistry([String]), release(Int)
    }

    static func shape(_ step: Pipeline.Step?) -> Shape? {
        switch step {
        case nil: nil
        case let .sync(logs)?: .sync(logs.map(\.name))
        case let .commitRegistry(writes)?: .commitRegistry(writes.pendingTokens.map(\.key))
        case let .release(effects)?: .release(effects.count)
        }
    }

    @Test("an inbound turn: sync its records, then commit its held sessions, sync the registry, release in order")
    func heldTurn() {
        var pipeline = Pipeline()
        let day = Log("day"), registry = Log("registry")
        var ran: [Int] = []
        pipeline.endTurn(recordLogs: [day], registryWrites: Self.writes(["s1", "s2"], held: true), effects: [{ ran.append(1) }, { ran.append(2) }])
        #expect(!pipeline.isIdle)
        #expect(Self.shape(pipeline.nextStep()) == .sync(["day"]))
        #expect(pipeline.nextStep() == nil, "one step in flight at a time")
        #expect(Self.shape(pipeline.synced()) == .commitRegistry(["s1", "s2"]))
        #expect(Self.shape(pipeline.registryCommitted(log: registry)) == .sync(["registry"]))
        #expect(ran.isEmpty, "nothing runs before the registry's log is synced")
        guard case let .release(effects) = pipeline.synced() else {
            Issue.record("the stage did not release")
            return
        }
        for effect in effects { effect() }
        #expect(ran == [1, 2])
        #expect(pipeline.isIdle)
    }

    @Test("an outbound turn: its sessions commit first and sync together with its records, one round")
    func freeTurn() {
        var pipeline = Pipeline()
        let day = Log("day"), registry = Log("registry")
        pipeline.endTurn(recordLogs: [day], registryWrites: Self.writes(["s1"]), effects: [{}])
        #expect(Self.shape(pipeline.nextStep()) == .commitRegistry(["s1"]))
        #expect(Self.shape(pipeline.registryCommitted(log: registry)) == .sync(["day", "registry"]))
        #expect(Self.shape(pipeline.synced()) == .release(1))
        #expect(pipeline.isIdle)
    }

    @Test("steps with nothing to do are skipped")
    func skipped() {
        var pipeline = Pipeline()
        pipeline.endTurn(recordLogs: [], registryWrites: Self.writes([]), effects: [{}])
        #expect(Self.shape(pipeline.nextStep()) == .release(1), "effects only: released at once")
        pipeline.endTurn(recordLogs: [], registryWrites: Self.writes(["s7"], held: true), effects: [{}])
        #expect(Self.shape(pipeline.nextStep()) == .commitRegistry(["s7"]), "no records: held sessions commit at once")
        #expect(Self.shape(pipeline.registryCommitted(log: nil)) == .release(1), "an immediate registry needs no sync")
        pipeline.endTurn(recordLogs: [], registryWrites: Self.writes(["s8"]), effects: [])
        #expect(Self.shape(pipeline.nextStep()) == .commitRegistry(["s8"]))
        #expect(Self.shape(pipeline.registryCommitted(log: nil)) == .release(0))
        pipeline.endTurn(recordLogs: [Log("day")], registryWrites: Self.writes([]), effects: [])
        #expect(Self.shape(pipeline.nextStep()) == .sync(["day"]))
        #expect(Self.shape(pipeline.synced()) == .release(0), "records only: released after their sync")
        #expect(pipeline.isIdle && pipeline.nextStep() == nil)
    }

    @Test("turns that end during a stage join the next one: logs once, order kept, a held record's later writes held too")
    func merged() {
        var pipeline = Pipeline()
        let day1 = Log("day1"), day2 = Log("day2"), registry = Log("registry")
        var ran: [Int] = []
        pipeline.endTurn(recordLogs: [day1], registryWrites: Self.writes(["alice"], held: true), effects: [{ ran.append(1) }])
        #expect(Self.shape(pipeline.nextStep()) == .sync(["day1"]))
        pipeline.endTurn(recordLogs: [day1], registryWrites: Self.writes(["bob"]), effects: [{ ran.append(2) }])
        var third = Self.writes(["carol"], held: true)
        third.append(contentsOf: Self.writes(["dave"]))
        pipeline.endTurn(recordLogs: [day2, day1], registryWrites: third, effects: [{ ran.append(3) }])
        pipeline.endTurn(recordLogs: [], registryWrites: Self.writes(["carol", "erin"]), effects: [{ ran.append(4) }])
        #expect(Self.shape(pipeline.synced()) == .commitRegistry(["alice"]), "the stage in flight keeps only its own writes")
        #expect(Self.shape(pipeline.registryCommitted(log: registry)) == .sync(["registry"]))
        guard case let .release(first) = pipeline.synced() else {
            Issue.record("no release")
            return
        }
        first.forEach { $0() }
        #expect(ran == [1])
        #expect(Self.shape(pipeline.nextStep()) == .commitRegistry(["bob", "dave", "erin"]), "free writes first, in order")
        #expect(Self.shape(pipeline.registryCommitted(log: registry)) == .sync(["day1", "day2", "registry"]))
        guard case let .release(early) = pipeline.synced() else {
            Issue.record("no early release")
            return
        }
        early.forEach { $0() }
        #expect(ran == [1, 2], "the turn without held writes goes after the first sync")
        #expect(Self.shape(pipeline.released()) == .commitRegistry(["carol", "carol"]), "carol's later write follows her held one")
        #expect(Self.shape(pipeline.registryCommitted(log: registry)) == .sync(["registry"]))
        guard case let .release(rest) = pipeline.synced() else {
            Issue.record("no release")
            return
        }
        rest.forEach { $0() }
        #expect(ran == [1, 2, 3, 4])
        #expect(pipeline.released() == nil && pipeline.isIdle)
    }

    @Test("after a failure nothing held is released or committed")
    func reset() {
        var pipeline = Pipeline()
        var ran = false
        pipeline.endTurn(recordLogs: [Log("day")], registryWrites: Self.writes(["s1"], held: true), effects: [{ ran = true }])
        _ = pipeline.nextStep()
        pipeline.endTurn(recordLogs: [], registryWrites: Self.writes(["s2"]), effects: [{ ran = true }])
        pipeline.reset()
        #expect(pipeline.isIdle && !pipeline.isBusy)
        #expect(pipeline.nextStep() == nil)
        #expect(!ran)
    }

    /// Random interleavings of turns ending and steps completing, each turn writing a few of four
    /// records. Checked at every step: a held write (followsRecords, or a later write of a record
    /// held in the same waiting stage) commits only after its turn's records were synced, and
    /// writes of one record commit in turn order; a turn's effects run only after its records and
    /// its registry writes were synced; each turn's effects run exactly once, turns without held
    /// writes in order among themselves, and those with held writes too.
    @Test("random interleavings keep every ordering the pipeline promises")
    func randomInterleavings() {
        var generator = SystemRandomNumberGenerator()
        let keys = ["s0", "s1", "s2", "s3"]
        for _ in 0..<300 {
            var pipeline = Pipeline()
            let dayA = Log("a"), dayB = Log("b"), registry = Log("registry")
            var inFlight: [Log]?
            var turn = 0, event = 0
            var records: [Int: Set<String>] = [:]
            var endedAt: [Int: Int] = [:]
            var syncedAt: [String: Int] = [:]
            var lastCommitOf: [Int: Int] = [:]
            var uncommitted: [Int: Int] = [:]
            // Per record, its uncommitted writes in turn order: (turn, held by the model).
            var pendingByKey: [String: [(turn: Int, held: Bool)]] = [:]
            var waitingHeldKeys: Set<String> = []
            var releasedTurns: [Int] = []
            var pendingHeldTurns: [Int] = []

            func nextStep() -> Pipeline.Step? {
                let starts = !pipeline.isBusy && !pipeline.isIdle
                let step = pipeline.nextStep()
                if starts { waitingHeldKeys = [] }
                return step
            }

            func released() -> Pipeline.Step? {
                let starts = !pipeline.isBusy && !pipeline.isIdle
                let step = pipeline.released()
                if starts { waitingHeldKeys = [] }
                return step
            }

            func perform(_ step: Pipeline.Step?) {
                var next = step
                while let current = next {
                    switch current {
                    case let .sync(logs):
                        inFlight = logs
                        return
                    case let .commitRegistry(batch):
                        event += 1
                        for write in batch.pendingTokens {
                            guard let entry = pendingByKey[write.key]?.first else {
                                Issue.record("a write of \(write.key) committed that was never queued")
                                continue
                            }
                            pendingByKey[write.key]?.removeFirst()
                            lastCommitOf[entry.turn] = event
                            uncommitted[entry.turn, default: 0] -= 1
                            guard entry.held else { continue }
                            for log in records[entry.turn] ?? [] {
                                #expect((syncedAt[log] ?? -1) > (endedAt[entry.turn] ?? .max), "a held write before its records")
                            }
                        }
                        next = pipeline.registryCommitted(log: registry)
                    case let .release(effects):
                        effects.forEach { $0() }
                        next = released()
                    }
                }
            }

            while turn < 40 || !pipeline.isIdle || inFlight != nil {
                event += 1
                if turn < 40, inFlight == nil || Bool.random(using: &generator) {
                    let number = turn
                    let logs = [dayA, dayB].filter { _ in Bool.random(using: &generator) }
                    var batch = GroupCommit<RegistryWrite>()
                    for key in keys where Int.random(in: 0..<3, using: &generator) == 0 {
                        let followsRecords = Bool.random(using: &generator)
                        let held = followsRecords || waitingHeldKeys.contains(key)
                        if held { waitingHeldKeys.insert(key) }
                        pendingByKey[key, default: []].append((number, held))
                        uncommitted[number, default: 0] += 1
                        batch.append(contentsOf: Self.writes([key], held: followsRecords))
                    }
                    let wrote = !batch.isEmpty
                    if pendingByKey.values.contains(where: { $0.contains { $0.turn == number && $0.held } }) {
                        pendingHeldTurns.append(number)
                    }
                    records[number] = Set(logs.map(\.name))
                    endedAt[number] = event
                    pipeline.endTurn(recordLogs: logs, registryWrites: batch, effects: [{
                        releasedTurns.append(number)
                        for log in records[number] ?? [] {
                            #expect((syncedAt[log] ?? -1) > (endedAt[number] ?? .max), "records synced before release")
                        }
                        if wrote {
                            #expect(uncommitted[number] == 0, "every registry write of the turn committed before release")
                            #expect((syncedAt["registry"] ?? -1) > (lastCommitOf[number] ?? .max), "sessions synced before release")
                        }
                    }])
                    turn += 1
                    if inFlight == nil { perform(nextStep()) }
                } else if let logs = inFlight {
                    inFlight = nil
                    for log in logs { syncedAt[log.name] = event }
                    perform(pipeline.synced())
                }
            }
            #expect(releasedTurns.sorted() == Array(0..<40), "every turn released once")
            let late = Set(pendingHeldTurns)
            #expect(releasedTurns.filter { late.contains($0) } == releasedTurns.filter { late.contains($0) }.sorted(), "turns with held writes in order")
            #expect(releasedTurns.filter { !late.contains($0) } == releasedTurns.filter { !late.contains($0) }.sorted(), "the others in order")
            #expect(pendingByKey.values.allSatisfy { $0.isEmpty }, "every write committed")
        }
    }
}

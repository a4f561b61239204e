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

    /// Effects that wait for every write of their turn (the default prerequisite).
    static func effects(_ runs: (() -> Void)...) -> [Pipeline.Effect] {
        runs.map { Pipeline.Effect($0) }
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
        pipeline.endTurn(recordLogs: [day], registryWrites: Self.writes(["s1", "s2"], held: true), effects: Self.effects({ ran.append(1) }, { ran.append(2) }))
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
        pipeline.endTurn(recordLogs: [day], registryWrites: Self.writes(["s1"]), effects: Self.effects({}))
        #expect(Self.shape(pipeline.nextStep()) == .commitRegistry(["s1"]))
        #expect(Self.shape(pipeline.registryCommitted(log: registry)) == .sync(["day", "registry"]))
        #expect(Self.shape(pipeline.synced()) == .release(1))
        #expect(pipeline.isIdle)
    }

    @Test("steps with nothing to do are skipped")
    func skipped() {
        var pipeline = Pipeline()
        pipeline.endTurn(recordLogs: [], registryWrites: Self.writes([]), effects: Self.effects({}))
        #expect(Self.shape(pipeline.nextStep()) == .release(1), "effects only: released at once")
        pipeline.endTurn(recordLogs: [], registryWrites: Self.writes(["s7"], held: true), effects: Self.effects({}))
        #expect(Self.shape(pipeline.nextStep()) == .commitRegistry(["s7"]), "no records: held sessions commit at once")
        #expect(Self.shape(pipeline.registryCommitted(log: nil)) == .release(1), "an immediate registry needs no sync")
        pipeline.endTurn(recordLogs: [], registryWrites: Self.writes(["s8"]), effects: [])
        #expect(Self.shape(pipeline.nextStep()) == .commitRegistry(["s8"]))
        #expect(Self.shape(pipeline.registryCommitted(log: nil)) == nil, "nothing to release: idle")
        pipeline.endTurn(recordLogs: [Log("day")], registryWrites: Self.writes([]), effects: [])
        #expect(Self.shape(pipeline.nextStep()) == .sync(["day"]))
        #expect(Self.shape(pipeline.synced()) == nil, "records only: done after their sync")
        #expect(pipeline.isIdle && pipeline.nextStep() == nil)
    }

    @Test("turns that end during a round join the next one: logs once, order kept, a held record's later writes held too")
    func merged() {
        var pipeline = Pipeline()
        let day1 = Log("day1"), day2 = Log("day2"), registry = Log("registry")
        var ran: [Int] = []
        pipeline.endTurn(recordLogs: [day1], registryWrites: Self.writes(["alice"], held: true), effects: Self.effects({ ran.append(1) }))
        #expect(Self.shape(pipeline.nextStep()) == .sync(["day1"]))
        pipeline.endTurn(recordLogs: [day1], registryWrites: Self.writes(["bob"]), effects: Self.effects({ ran.append(2) }))
        var third = Self.writes(["carol"], held: true)
        third.append(contentsOf: Self.writes(["dave"]))
        pipeline.endTurn(recordLogs: [day2, day1], registryWrites: third, effects: Self.effects({ ran.append(3) }))
        pipeline.endTurn(recordLogs: [], registryWrites: Self.writes(["carol", "erin"]), effects: Self.effects({ ran.append(4) }))
        #expect(Self.shape(pipeline.synced()) == .commitRegistry(["alice", "bob", "dave", "erin"]),
                "the last round's held writes, then this stage's free ones, in one transaction")
        #expect(Self.shape(pipeline.registryCommitted(log: registry)) == .sync(["day1", "day2", "registry"]))
        guard case let .release(first) = pipeline.synced() else {
            Issue.record("no release")
            return
        }
        first.forEach { $0() }
        #expect(ran == [1, 2], "alice's turn once her session is durable, then the turn without held writes")
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

    @Test("a send that ends while an inbound message's records sync goes out with that message's session, one round later")
    func overlapped() {
        var pipeline = Pipeline()
        let day = Log("day"), registry = Log("registry")
        var ran: [String] = []
        pipeline.endTurn(recordLogs: [day], registryWrites: Self.writes(["session/alice"], held: true),
                         effects: [.init(after: .records) { ran.append("ack alice") }, .init { ran.append("alice's turn") }])
        #expect(Self.shape(pipeline.nextStep()) == .sync(["day"]))
        pipeline.endTurn(recordLogs: [day], registryWrites: Self.writes(["session/bob"]),
                         effects: [.init(after: .registryRecord("session/bob")) { ran.append("send bob") }])
        guard case let .release(acks) = pipeline.synced() else {
            Issue.record("no release")
            return
        }
        acks.forEach { $0() }
        #expect(ran == ["ack alice"], "the ack needs only alice's record")
        #expect(Self.shape(pipeline.released()) == .commitRegistry(["session/alice", "session/bob"]))
        #expect(Self.shape(pipeline.registryCommitted(log: registry)) == .sync(["day", "registry"]), "one sync for both")
        guard case let .release(both) = pipeline.synced() else {
            Issue.record("no release")
            return
        }
        both.forEach { $0() }
        #expect(ran == ["ack alice", "alice's turn", "send bob"])
        #expect(pipeline.released() == nil && pipeline.isIdle)
    }

    @Test("after a failure nothing held is released or committed")
    func reset() {
        var pipeline = Pipeline()
        var ran = false
        pipeline.endTurn(recordLogs: [Log("day")], registryWrites: Self.writes(["s1"], held: true), effects: Self.effects({ ran = true }))
        _ = pipeline.nextStep()
        pipeline.endTurn(recordLogs: [], registryWrites: Self.writes(["s2"]), effects: Self.effects({ ran = true }))
        pipeline.reset()
        #expect(pipeline.isIdle && !pipeline.isBusy)
        #expect(pipeline.nextStep() == nil)
        #expect(!ran)
    }

    @Test("an effect that needs only the records, or a session not held, goes after the first sync")
    func prerequisites() {
        var pipeline = Pipeline()
        let day = Log("day"), registry = Log("registry")
        var ran: [String] = []
        var writes = Self.writes(["session/alice"], held: true)
        writes.append(contentsOf: Self.writes(["session/bob", "session/alice"]))
        pipeline.endTurn(recordLogs: [day], registryWrites: writes, effects: [
            .init(after: .records) { ran.append("ack alice") },
            .init(after: .registryRecord("session/bob")) { ran.append("send bob") },
            .init(after: .registryRecord("session/alice")) { ran.append("send alice") },
            .init { ran.append("whole turn") },
            .init(after: .records) { ran.append("answer") },
        ])
        #expect(Self.shape(pipeline.nextStep()) == .commitRegistry(["session/bob"]), "alice's later write follows her held one")
        #expect(Self.shape(pipeline.registryCommitted(log: registry)) == .sync(["day", "registry"]))
        guard case let .release(early) = pipeline.synced() else {
            Issue.record("no early release")
            return
        }
        early.forEach { $0() }
        #expect(ran == ["ack alice", "send bob", "answer"])
        #expect(Self.shape(pipeline.released()) == .commitRegistry(["session/alice", "session/alice"]))
        #expect(Self.shape(pipeline.registryCommitted(log: registry)) == .sync(["registry"]))
        guard case let .release(late) = pipeline.synced() else {
            Issue.record("no late release")
            return
        }
        late.forEach { $0() }
        #expect(ran == ["ack alice", "send bob", "answer", "send alice", "whole turn"])
        #expect(pipeline.released() == nil && pipeline.isIdle)
    }

    /// Random interleavings of turns ending and steps completing, each turn writing a few of four
    /// records and queuing effects with random prerequisites. Checked at every step, against no
    /// model of the pipeline's own bookkeeping: a write of a record commits only once every
    /// `followsRecords` write of that record, in its turn or an earlier one, has its turn's records
    /// synced (its bytes carry those inbound messages' ratchet steps), and writes of one record
    /// commit in turn order; an effect runs only after its turn's records were synced and —
    /// waiting for its turn — every registry write of the turn, or — waiting for a record — every
    /// write of that record up to its turn, was committed and the registry synced after. Each
    /// effect runs exactly once; those that can never wait for a held write (waiting for records,
    /// or for a turn that wrote nothing to the registry) run in order, and so do those that
    /// always do (waiting for a turn with a `followsRecords` write).
    @Test("random interleavings keep every ordering the pipeline promises")
    func randomInterleavings() throws {
        let database = try Database.open(path: Database.inMemoryPath)
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
            // Per record: the turns of its uncommitted writes, in order; the commit events of its
            // committed ones; the turns of its `followsRecords` writes.
            var pendingByKey: [String: [Int]] = [:]
            var committedByKey: [String: [(turn: Int, event: Int)]] = [:]
            var followingByKey: [String: [Int]] = [:]
            // Effects as they ran: (turn, index in the turn, class: early always, late always, or either).
            enum Timing { case early, late, either }
            var released: [(turn: Int, index: Int, timing: Timing)] = []
            var queuedEffects = 0

            func recordsSynced(_ number: Int) -> Bool {
                (records[number] ?? []).allSatisfy { (syncedAt[$0] ?? -1) > (endedAt[number] ?? .max) }
            }

            // Writes run for real, so the test sees the order they commit in, turn by turn.
            var ranWrites: [(key: String, turn: Int)] = []

            func perform(_ step: Pipeline.Step?) {
                var next = step
                while let current = next {
                    switch current {
                    case let .sync(logs):
                        inFlight = logs
                        return
                    case var .commitRegistry(batch):
                        event += 1
                        ranWrites = []
                        guard case .committed = batch.commit(on: database) else {
                            Issue.record("the registry batch did not commit")
                            return
                        }
                        for (key, writer) in ranWrites {
                            #expect(pendingByKey[key]?.first == writer, "writes of \(key) commit in turn order")
                            pendingByKey[key]?.removeAll { $0 == writer }
                            committedByKey[key, default: []].append((writer, event))
                            lastCommitOf[writer] = event
                            uncommitted[writer, default: 0] -= 1
                            for follower in followingByKey[key] ?? [] where follower <= writer {
                                #expect(recordsSynced(follower), "a write carrying an inbound step before that message's records")
                            }
                        }
                        next = pipeline.registryCommitted(log: registry)
                    case let .release(effects):
                        effects.forEach { $0() }
                        next = pipeline.released()
                    }
                }
            }

            /// Checks, as it runs, what an effect of turn `number` waits for.
            func check(_ prerequisite: Pipeline.Prerequisite, turn number: Int) {
                #expect(recordsSynced(number), "records synced before release")
                let registrySynced = syncedAt["registry"] ?? -1
                switch prerequisite {
                case .records:
                    break
                case .turn:
                    guard uncommitted[number] != nil else { return }
                    #expect(uncommitted[number] == 0, "every registry write of the turn committed before release")
                    #expect(registrySynced > (lastCommitOf[number] ?? .max), "sessions synced before release")
                case let .registryRecord(key):
                    #expect(!(pendingByKey[key] ?? []).contains { $0 <= number }, "the record's writes committed before release")
                    for commit in committedByKey[key] ?? [] where commit.turn <= number {
                        #expect(registrySynced > commit.event, "the record synced before release")
                    }
                }
            }

            while turn < 40 || !pipeline.isIdle || inFlight != nil {
                event += 1
                if turn < 40, inFlight == nil || Bool.random(using: &generator) {
                    let number = turn
                    let logs = [dayA, dayB].filter { _ in Bool.random(using: &generator) }
                    var batch = GroupCommit<RegistryWrite>()
                    var follows = false
                    for key in keys where Int.random(in: 0..<3, using: &generator) == 0 {
                        let followsRecords = Bool.random(using: &generator)
                        if followsRecords { followingByKey[key, default: []].append(number) }
                        follows = follows || followsRecords
                        pendingByKey[key, default: []].append(number)
                        uncommitted[number, default: 0] += 1
                        batch.enqueue(RegistryWrite(key: key, followsRecords: followsRecords)) { _ in ranWrites.append((key, number)) }
                    }
                    let wrote = !batch.isEmpty
                    records[number] = Set(logs.map(\.name))
                    endedAt[number] = event
                    var effects: [Pipeline.Effect] = []
                    for index in 0..<Int.random(in: 0...3, using: &generator) {
                        let prerequisite: Pipeline.Prerequisite = switch Int.random(in: 0..<3, using: &generator) {
                        case 0: .turn
                        case 1: .records
                        default: .registryRecord(keys.randomElement(using: &generator) ?? "s0")
                        }
                        let timing: Timing = switch prerequisite {
                        case .records: .early
                        case .turn: follows ? .late : wrote ? .either : .early
                        case .registryRecord: .either
                        }
                        queuedEffects += 1
                        effects.append(.init(after: prerequisite) {
                            released.append((number, index, timing))
                            check(prerequisite, turn: number)
                        })
                    }
                    pipeline.endTurn(recordLogs: logs, registryWrites: batch, effects: effects)
                    turn += 1
                    if inFlight == nil { perform(pipeline.nextStep()) }
                } else if let logs = inFlight {
                    inFlight = nil
                    for log in logs { syncedAt[log.name] = event }
                    perform(pipeline.synced())
                }
            }
            #expect(released.count == queuedEffects, "every effect released")
            #expect(Set(released.map { "\($0.turn)/\($0.index)" }).count == queuedEffects, "each once")
            for timing in [Timing.early, .late] {
                let order = released.filter { $0.timing == timing }.map { [$0.turn, $0.index] }
                #expect(order == order.sorted { $0.lexicographicallyPrecedes($1) }, "effects that wait alike run in order")
            }
            #expect(pendingByKey.values.allSatisfy { $0.isEmpty }, "every write committed")
        }
    }
}

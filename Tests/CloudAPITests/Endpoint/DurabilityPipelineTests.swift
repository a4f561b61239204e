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

    /// Registry writes whose tokens are `tokens` (the SQL is never run here).
    static func writes(_ tokens: [Int]) -> GroupCommit<Int> {
        var batch = GroupCommit<Int>()
        for token in tokens { batch.enqueue(token, sql: "SELECT \(token)") }
        return batch
    }

    /// What a step is, for comparison.
    enum Shape: Equatable {
        case sync([String]), commitRegistry([Int]), release(Int)
    }

    static func shape(_ step: Pipeline.Step?) -> Shape? {
        switch step {
        case nil: nil
        case let .sync(logs)?: .sync(logs.map(\.name))
        case let .commitRegistry(writes)?: .commitRegistry(writes.pendingTokens)
        case let .release(effects)?: .release(effects.count)
        }
    }

    @Test("an inbound turn: sync its records, then commit its held sessions, sync the registry, release in order")
    func heldTurn() {
        var pipeline = Pipeline()
        let day = Log("day"), registry = Log("registry")
        var ran: [Int] = []
        pipeline.endTurn(recordLogs: [day], registryWrites: Self.writes([1, 2]), held: true, effects: [{ ran.append(1) }, { ran.append(2) }])
        #expect(!pipeline.isIdle)
        #expect(Self.shape(pipeline.nextStep()) == .sync(["day"]))
        #expect(pipeline.nextStep() == nil, "one step in flight at a time")
        #expect(Self.shape(pipeline.synced()) == .commitRegistry([1, 2]))
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
        pipeline.endTurn(recordLogs: [day], registryWrites: Self.writes([1]), held: false, effects: [{}])
        #expect(Self.shape(pipeline.nextStep()) == .commitRegistry([1]))
        #expect(Self.shape(pipeline.registryCommitted(log: registry)) == .sync(["day", "registry"]))
        #expect(Self.shape(pipeline.synced()) == .release(1))
        #expect(pipeline.isIdle)
    }

    @Test("steps with nothing to do are skipped")
    func skipped() {
        var pipeline = Pipeline()
        pipeline.endTurn(recordLogs: [], registryWrites: Self.writes([]), held: false, effects: [{}])
        #expect(Self.shape(pipeline.nextStep()) == .release(1), "effects only: released at once")
        pipeline.endTurn(recordLogs: [], registryWrites: Self.writes([7]), held: true, effects: [{}])
        #expect(Self.shape(pipeline.nextStep()) == .commitRegistry([7]), "no records: held sessions commit at once")
        #expect(Self.shape(pipeline.registryCommitted(log: nil)) == .release(1), "an immediate registry needs no sync")
        pipeline.endTurn(recordLogs: [], registryWrites: Self.writes([8]), held: false, effects: [])
        #expect(Self.shape(pipeline.nextStep()) == .commitRegistry([8]))
        #expect(Self.shape(pipeline.registryCommitted(log: nil)) == .release(0))
        pipeline.endTurn(recordLogs: [Log("day")], registryWrites: Self.writes([]), held: false, effects: [])
        #expect(Self.shape(pipeline.nextStep()) == .sync(["day"]))
        #expect(Self.shape(pipeline.synced()) == .release(0), "records only: released after their sync")
        #expect(pipeline.isIdle && pipeline.nextStep() == nil)
    }

    @Test("turns that end during a stage join the next one: logs once, writes and effects in order, held from the first held turn on")
    func merged() {
        var pipeline = Pipeline()
        let day1 = Log("day1"), day2 = Log("day2"), registry = Log("registry")
        var ran: [Int] = []
        pipeline.endTurn(recordLogs: [day1], registryWrites: Self.writes([1]), held: true, effects: [{ ran.append(1) }])
        #expect(Self.shape(pipeline.nextStep()) == .sync(["day1"]))
        pipeline.endTurn(recordLogs: [day1], registryWrites: Self.writes([2]), held: false, effects: [{ ran.append(2) }])
        pipeline.endTurn(recordLogs: [day2, day1], registryWrites: Self.writes([3, 4]), held: true, effects: [{ ran.append(3) }])
        pipeline.endTurn(recordLogs: [], registryWrites: Self.writes([5]), held: false, effects: [{ ran.append(4) }])
        #expect(Self.shape(pipeline.synced()) == .commitRegistry([1]), "the stage in flight keeps only its own writes")
        #expect(Self.shape(pipeline.registryCommitted(log: registry)) == .sync(["registry"]))
        guard case let .release(first) = pipeline.synced() else {
            Issue.record("no release")
            return
        }
        first.forEach { $0() }
        #expect(ran == [1])
        #expect(Self.shape(pipeline.nextStep()) == .commitRegistry([2]), "the free turn before the held one")
        #expect(Self.shape(pipeline.registryCommitted(log: registry)) == .sync(["day1", "day2", "registry"]))
        #expect(Self.shape(pipeline.synced()) == .commitRegistry([3, 4, 5]), "a free turn after a held one is held too")
        #expect(Self.shape(pipeline.registryCommitted(log: registry)) == .sync(["registry"]))
        guard case let .release(rest) = pipeline.synced() else {
            Issue.record("no release")
            return
        }
        rest.forEach { $0() }
        #expect(ran == [1, 2, 3, 4])
    }

    @Test("after a failure nothing held is released or committed")
    func reset() {
        var pipeline = Pipeline()
        var ran = false
        pipeline.endTurn(recordLogs: [Log("day")], registryWrites: Self.writes([1]), held: true, effects: [{ ran = true }])
        _ = pipeline.nextStep()
        pipeline.endTurn(recordLogs: [], registryWrites: Self.writes([2]), held: false, effects: [{ ran = true }])
        pipeline.reset()
        #expect(pipeline.isIdle && !pipeline.isBusy)
        #expect(pipeline.nextStep() == nil)
        #expect(!ran)
    }

    /// Random interleavings of turns ending and steps completing. Checked at every step: registry
    /// writes commit in turn order; a held turn's writes commit only after its records' logs were
    /// synced (after the turn ended), and so do the writes of every later turn; a turn's effects run
    /// only after its records' logs and (if it wrote) the registry's log were synced after its
    /// writes committed; effects come out in turn order, each exactly once.
    @Test("random interleavings keep every ordering the pipeline promises")
    func randomInterleavings() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            var pipeline = Pipeline()
            let dayA = Log("a"), dayB = Log("b"), registry = Log("registry")
            var inFlight: [Log]?
            var turn = 0, event = 0
            var records: [Int: Set<String>] = [:]
            var writes: [Int: Bool] = [:]
            var endedAt: [Int: Int] = [:]
            var syncedAt: [String: Int] = [:]
            var committedAt: [Int: Int] = [:]
            var committedOrder: [Int] = []
            // The model of which writes are held: a held turn's, and every later turn's that
            // joins the same waiting stage.
            var waitingHolds = false
            var heldTokens: Set<Int> = []
            var released: [Int] = []

            func nextStep() -> Pipeline.Step? {
                let starts = !pipeline.isBusy && !pipeline.isIdle
                let step = pipeline.nextStep()
                if starts { waitingHolds = false }
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
                        for token in batch.pendingTokens {
                            committedOrder.append(token)
                            committedAt[token] = event
                            guard heldTokens.contains(token) else { continue }
                            for log in records[token] ?? [] {
                                #expect((syncedAt[log] ?? -1) > (endedAt[token] ?? .max), "a held session before its records")
                            }
                        }
                        next = pipeline.registryCommitted(log: registry)
                    case let .release(effects):
                        effects.forEach { $0() }
                        next = nextStep()
                    }
                }
            }

            while turn < 40 || !pipeline.isIdle || inFlight != nil {
                event += 1
                if turn < 40, inFlight == nil || Bool.random(using: &generator) {
                    let number = turn
                    let logs = [dayA, dayB].filter { _ in Bool.random(using: &generator) }
                    let writesSomething = Bool.random(using: &generator)
                    let held = writesSomething && Bool.random(using: &generator)
                    records[number] = Set(logs.map(\.name))
                    writes[number] = writesSomething
                    endedAt[number] = event
                    if writesSomething, held || waitingHolds {
                        heldTokens.insert(number)
                        waitingHolds = true
                    }
                    pipeline.endTurn(
                        recordLogs: logs, registryWrites: Self.writes(writesSomething ? [number] : []), held: held,
                        effects: [{
                            released.append(number)
                            for log in records[number] ?? [] {
                                #expect((syncedAt[log] ?? -1) > (endedAt[number] ?? .max), "records synced before release")
                            }
                            if writes[number] == true {
                                #expect((syncedAt["registry"] ?? -1) > (committedAt[number] ?? .max), "sessions synced before release")
                            }
                        }]
                    )
                    turn += 1
                    if inFlight == nil { perform(nextStep()) }
                } else if let logs = inFlight {
                    inFlight = nil
                    for log in logs { syncedAt[log.name] = event }
                    perform(pipeline.synced())
                }
            }
            #expect(released == Array(0..<40), "every turn released once, in order")
            #expect(committedOrder == committedOrder.sorted(), "registry writes committed in turn order")
        }
    }
}

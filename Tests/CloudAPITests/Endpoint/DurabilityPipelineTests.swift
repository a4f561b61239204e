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

    @Test("one turn: sync its records, commit its sessions, sync the registry, release its effects in order")
    func oneTurn() {
        var pipeline = Pipeline()
        let day = Log("day"), registry = Log("registry")
        var ran: [Int] = []
        pipeline.endTurn(recordLogs: [day], registryWrites: Self.writes([1, 2]), effects: [{ ran.append(1) }, { ran.append(2) }])
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

    @Test("steps with nothing to do are skipped")
    func skipped() {
        var pipeline = Pipeline()
        pipeline.endTurn(recordLogs: [], registryWrites: Self.writes([]), effects: [{}])
        #expect(Self.shape(pipeline.nextStep()) == .release(1), "effects only: released at once")
        pipeline.endTurn(recordLogs: [], registryWrites: Self.writes([7]), effects: [{}])
        #expect(Self.shape(pipeline.nextStep()) == .commitRegistry([7]), "no records: the sessions commit at once")
        #expect(Self.shape(pipeline.registryCommitted(log: nil)) == .release(1), "an immediate registry needs no sync")
        pipeline.endTurn(recordLogs: [Log("day")], registryWrites: Self.writes([]), effects: [])
        #expect(Self.shape(pipeline.nextStep()) == .sync(["day"]))
        #expect(Self.shape(pipeline.synced()) == .release(0), "records only: released after their sync")
        #expect(pipeline.isIdle && pipeline.nextStep() == nil)
    }

    @Test("turns that end during a stage join the next one: logs once, writes and effects in order")
    func merged() {
        var pipeline = Pipeline()
        let day1 = Log("day1"), day2 = Log("day2"), registry = Log("registry")
        var ran: [Int] = []
        pipeline.endTurn(recordLogs: [day1], registryWrites: Self.writes([1]), effects: [{ ran.append(1) }])
        #expect(Self.shape(pipeline.nextStep()) == .sync(["day1"]))
        pipeline.endTurn(recordLogs: [day1], registryWrites: Self.writes([2]), effects: [{ ran.append(2) }])
        pipeline.endTurn(recordLogs: [day2, day1], registryWrites: Self.writes([3, 4]), effects: [{ ran.append(3) }])
        #expect(Self.shape(pipeline.synced()) == .commitRegistry([1]), "the stage in flight keeps only its own writes")
        #expect(Self.shape(pipeline.registryCommitted(log: registry)) == .sync(["registry"]))
        guard case let .release(first) = pipeline.synced() else {
            Issue.record("no release")
            return
        }
        first.forEach { $0() }
        #expect(ran == [1])
        #expect(Self.shape(pipeline.nextStep()) == .sync(["day1", "day2"]), "two turns, one sync per log")
        #expect(Self.shape(pipeline.synced()) == .commitRegistry([2, 3, 4]))
        #expect(Self.shape(pipeline.registryCommitted(log: registry)) == .sync(["registry"]))
        guard case let .release(rest) = pipeline.synced() else {
            Issue.record("no release")
            return
        }
        rest.forEach { $0() }
        #expect(ran == [1, 2, 3])
    }

    @Test("after a failure nothing held is released or committed")
    func reset() {
        var pipeline = Pipeline()
        var ran = false
        pipeline.endTurn(recordLogs: [Log("day")], registryWrites: Self.writes([1]), effects: [{ ran = true }])
        _ = pipeline.nextStep()
        pipeline.endTurn(recordLogs: [], registryWrites: Self.writes([2]), effects: [{ ran = true }])
        pipeline.reset()
        #expect(pipeline.isIdle && !pipeline.isBusy)
        #expect(pipeline.nextStep() == nil)
        #expect(!ran)
    }

    /// Random interleavings of turns ending and steps completing: every released effect's turn had
    /// its records synced after it ended, then its sessions committed, then the registry synced,
    /// and effects come out in turn order, each exactly once.
    @Test("random interleavings keep records → sessions → registry sync → effects, in turn order")
    func randomInterleavings() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            var pipeline = Pipeline()
            let dayA = Log("a"), dayB = Log("b"), registry = Log("registry")
            var inFlight: Pipeline.Step?
            var turn = 0
            var ended: [Int: (records: Set<String>, writes: Bool)] = [:]
            var recordsSyncedAt: [String: Int] = [:]     // log name → last sync completion (event index)
            var registryCommittedWrites: [Int: Int] = [:] // write token (= turn) → event index
            var registrySyncedAt = -1
            var turnEndedAt: [Int: Int] = [:]
            var released: [Int] = []
            var event = 0
            var pendingRegistryCommit: [Int] = []

            func perform(_ step: Pipeline.Step?) {
                var next = step
                while let current = next {
                    switch current {
                    case .sync:
                        inFlight = current
                        return
                    case let .commitRegistry(writes):
                        pendingRegistryCommit = writes.pendingTokens
                        for token in writes.pendingTokens {
                            // The records of the write's turn were synced after the turn ended.
                            for log in ended[token]?.records ?? [] {
                                #expect((recordsSyncedAt[log] ?? -1) > (turnEndedAt[token] ?? .max))
                            }
                            registryCommittedWrites[token] = event
                        }
                        next = pipeline.registryCommitted(log: registry)
                    case let .release(effects):
                        effects.forEach { $0() }
                        next = pipeline.nextStep()
                    }
                }
            }

            while turn < 40 || !pipeline.isIdle || inFlight != nil {
                event += 1
                if turn < 40, inFlight == nil || Bool.random(using: &generator) {
                    let records: Set<String> = Set([dayA, dayB].filter { _ in Bool.random(using: &generator) }.map(\.name))
                    let hasWrites = Bool.random(using: &generator)
                    let number = turn
                    ended[number] = (records, hasWrites)
                    turnEndedAt[number] = event
                    pipeline.endTurn(
                        recordLogs: [dayA, dayB].filter { records.contains($0.name) },
                        registryWrites: Self.writes(hasWrites ? [number] : []),
                        effects: [{
                            released.append(number)
                            for log in ended[number]?.records ?? [] {
                                #expect((recordsSyncedAt[log] ?? -1) > (turnEndedAt[number] ?? .max), "records synced before release")
                            }
                            if ended[number]?.writes == true {
                                #expect(registrySyncedAt > (registryCommittedWrites[number] ?? .max), "sessions synced before release")
                            }
                        }]
                    )
                    turn += 1
                    if inFlight == nil { perform(pipeline.nextStep()) }
                } else if case let .sync(logs)? = inFlight {
                    inFlight = nil
                    for log in logs { recordsSyncedAt[log.name] = event }
                    if logs.contains(where: { $0 === registry }) {
                        registrySyncedAt = event
                        #expect(!pendingRegistryCommit.isEmpty)
                        pendingRegistryCommit = []
                    }
                    perform(pipeline.synced())
                }
            }
            #expect(released == Array(0..<40), "every turn released once, in order")
        }
    }
}

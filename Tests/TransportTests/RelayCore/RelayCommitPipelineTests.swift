import Testing
@testable import Transport

/// The pipelined group commit as a pure state machine: one line per transition, then a seeded
/// randomized run checking the invariant over thousands of interleavings.
@Suite("Relay commit pipeline")
struct RelayCommitPipelineTests {
    static let connection = ConnectionID(rawValue: 1)
    static func frame(_ n: UInt32) -> RelayAction { .send(connection, .pong(nonce: UInt64(n)), requestID: RequestID(rawValue: n)) }
    static func write(_ n: Int64) -> RelayWrite { .removePreKey(PhoneNumber("+14155550100")!, sequence: n) }

    /// A pipeline and the writes the core would have made, as the server holds them.
    struct Fixture {
        var pipeline = RelayCommitPipeline(durable: true)
        var writes: [RelayWrite] = []

        mutating func turn(writes newWrites: [Int64] = [], frames: [UInt32] = []) -> RelayCommitPipeline.Step? {
            writes += newWrites.map(RelayCommitPipelineTests.write)
            pipeline.open += frames.map(RelayCommitPipelineTests.frame)
            return pipeline.endOfTurn(writes: &writes)
        }
    }

    @Test("a turn with writes is submitted; its frames wait for the commit")
    func framesWaitForTheirCommit() {
        var fixture = Fixture()
        #expect(fixture.turn(writes: [1], frames: [1]) == .submit(number: 1, writes: [Self.write(1)]))
        #expect(fixture.writes.isEmpty)                            // taken by the submission
        #expect(fixture.turn() == nil)                             // batch 1 still in flight
        #expect(fixture.pipeline.committed(1) == [Self.frame(1)])
        #expect(fixture.pipeline.isIdle)
    }

    @Test("while a batch commits, later turns accumulate — even turns without writes wait")
    func laterTurnsAccumulate() {
        var fixture = Fixture()
        _ = fixture.turn(writes: [1], frames: [1])                 // batch 1 in flight
        #expect(fixture.turn(frames: [2]) == nil)                  // a turn with no write is not released past batch 1
        #expect(fixture.turn(writes: [3], frames: [3]) == nil)
        #expect(fixture.pipeline.committed(1) == [Self.frame(1)])
        // Turns 2 and 3 go in one batch.
        #expect(fixture.turn() == .submit(number: 2, writes: [Self.write(3)]))
        #expect(fixture.pipeline.committed(2) == [Self.frame(2), Self.frame(3)])
    }

    @Test("a turn without writes is released at once when nothing is in flight")
    func writeFreeTurnsGoAtOnce() {
        var fixture = Fixture()
        #expect(fixture.turn(frames: [1]) == .release([Self.frame(1)]))
        #expect(fixture.turn() == nil)
    }

    @Test("a failed commit drops its batch and the open one, returning their actions")
    func failureDropsBoth() {
        var fixture = Fixture()
        _ = fixture.turn(writes: [1], frames: [1])
        _ = fixture.turn(writes: [2], frames: [2])
        #expect(fixture.pipeline.committed(7) == [])               // not the batch in flight: ignored
        #expect(fixture.pipeline.failed(1, writes: &fixture.writes) == [Self.frame(1), Self.frame(2)])
        #expect(fixture.pipeline.isIdle && fixture.writes.isEmpty)  // write 2 is gone too
        #expect(fixture.turn() == nil)
        #expect(fixture.turn(writes: [3]) == .submit(number: 2, writes: [Self.write(3)]))
    }

    @Test("queue off: writes are dropped and every turn is released at its end")
    func queueOff() {
        var fixture = Fixture(pipeline: RelayCommitPipeline(durable: false))
        #expect(fixture.turn(writes: [1], frames: [1]) == .release([Self.frame(1)]))
        #expect(fixture.writes.isEmpty && fixture.pipeline.inFlight == nil)
    }

    @Test("turns: a turn counts as released when its batch commits, or at its end when it waits for nothing")
    func turnsReleased() {
        var fixture = Fixture()
        #expect(fixture.pipeline.turns == RelayTurns(current: 1, released: 0))
        _ = fixture.turn(frames: [1])                              // released at its end
        #expect(fixture.pipeline.turns == RelayTurns(current: 2, released: 1))
        _ = fixture.turn(writes: [1], frames: [2])                 // turn 2 in flight
        _ = fixture.turn(frames: [3])                              // turn 3 waits behind it
        _ = fixture.turn()                                         // so does empty turn 4
        #expect(fixture.pipeline.turns == RelayTurns(current: 5, released: 1))
        _ = fixture.pipeline.committed(1)
        #expect(fixture.pipeline.turns.released == 2)              // turns 3 and 4 are in the open batch
        #expect(fixture.turn() == .release([Self.frame(3)]))
        #expect(fixture.pipeline.turns == RelayTurns(current: 6, released: 5))
        _ = fixture.turn(writes: [2], frames: [4])
        _ = fixture.turn(frames: [5])
        _ = fixture.pipeline.failed(2, writes: &fixture.writes)    // turns 6 and 7: dropped
        #expect(fixture.pipeline.turns == RelayTurns(current: 8, released: 7))
    }

    /// Random turns (with and without writes), commits arriving late, now and then a failure: every
    /// released frame must come after the commit of every write made before it, frames must come
    /// out in the order made, and nothing may be released twice or lost unless its batch failed.
    /// `turns.released` must never run ahead of a frame that is still held.
    @Test("a frame is never released before every earlier write has committed", arguments: 0..<50)
    func invariantUnderRandomInterleavings(seed: UInt64) {
        var random = WireRandom(seed: seed)
        // Two variables, not a `Fixture`: the nested functions below modify both at once.
        var pipeline = RelayCommitPipeline(durable: true)
        var writes: [RelayWrite] = []
        var staged: [Int64: Bool] = [:]            // write → committed?
        var madeBefore: [UInt32: [Int64]] = [:]    // frame → the uncommitted writes made before it
        var nextWrite: Int64 = 1, nextFrame: UInt32 = 1
        var released: [UInt32] = [], dropped: Set<UInt32> = []
        var inFlightWrites: [Int64] = []
        var frameTurn: [UInt32: UInt64] = [:]      // frame → the turn that made it
        var checkedThrough: UInt32 = 1             // frames below this were out when their turn was released
        func checkTurns() {
            #expect(pipeline.turns.released < pipeline.turns.current, "seed \(seed): turn released before its end")
            while checkedThrough < nextFrame, let turn = frameTurn[checkedThrough], turn <= pipeline.turns.released {
                #expect(released.contains(checkedThrough) || dropped.contains(checkedThrough),
                        "seed \(seed): turn \(turn) counted released with frame \(checkedThrough) held")
                checkedThrough += 1
            }
        }
        func collect(_ actions: [RelayAction]) {
            for case let .send(_, .pong(nonce), _) in actions {
                let frame = UInt32(nonce)
                #expect(madeBefore[frame, default: []].allSatisfy { staged[$0] == true }, "seed \(seed): frame \(frame) released early")
                released.append(frame)
            }
        }
        func endTurn() {
            switch pipeline.endOfTurn(writes: &writes) {
            case let .submit(_, writes)?:
                inFlightWrites = writes.compactMap { if case let .removePreKey(_, n) = $0 { n } else { nil } }
            case let .release(actions)?:
                collect(actions)
            case nil:
                break
            }
        }
        func commit(_ number: UInt64) {
            for write in inFlightWrites { staged[write] = true }
            inFlightWrites = []
            collect(pipeline.committed(number))
        }
        for _ in 0..<400 {
            for _ in 0..<random.int(0...4) {
                if random.chance(0.4) {
                    staged[nextWrite] = false
                    writes.append(Self.write(nextWrite))
                    nextWrite += 1
                } else {
                    madeBefore[nextFrame] = staged.keys.filter { staged[$0] == false }
                    frameTurn[nextFrame] = pipeline.turns.current
                    pipeline.open.append(Self.frame(nextFrame))
                    nextFrame += 1
                }
            }
            endTurn()
            if let batch = pipeline.inFlight, random.chance(0.5) {
                if random.chance(0.03) {
                    for case let .send(_, .pong(nonce), _) in pipeline.failed(batch.number, writes: &writes) {
                        dropped.insert(UInt32(nonce))
                    }
                    for write in staged.keys where staged[write] == false { staged[write] = nil }
                    inFlightWrites = []
                } else {
                    commit(batch.number)
                }
            }
            checkTurns()
        }
        while !pipeline.isIdle || !writes.isEmpty {
            endTurn()
            if let batch = pipeline.inFlight { commit(batch.number) }
            checkTurns()
        }
        #expect(released == released.sorted(), "seed \(seed): frames out of order")
        #expect(Set(released).count == released.count, "seed \(seed): a frame released twice")
        #expect(Set(released).union(dropped) == Set(1..<nextFrame), "seed \(seed): a frame lost")
    }
}

extension RelayCommitPipeline.Step: Equatable {
    static func == (a: Self, b: Self) -> Bool {
        switch (a, b) {
        case let (.submit(n1, w1), .submit(n2, w2)): n1 == n2 && w1 == w2
        case let (.release(a1), .release(a2)): a1 == a2
        default: false
        }
    }
}

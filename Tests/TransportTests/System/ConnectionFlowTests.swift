import Testing
@testable import Transport

@Suite("ConnectionFlow")
struct ConnectionFlowTests {
    private static let limits = ConnectionFlow.Limits(
        inputLimit: 100, outputLimit: 1_000, highWaterMark: 500, lowWaterMark: 100,
        idleTimeout: .seconds(60), writeStallTimeout: .seconds(10))

    private func at(_ seconds: UInt64) -> MonotonicInstant {
        MonotonicInstant(nanoseconds: seconds * 1_000_000_000)
    }

    private func makeFlow(_ limits: ConnectionFlow.Limits = limits) -> ConnectionFlow {
        ConnectionFlow(limits: limits, now: at(0))
    }

    @Test func readsUntilTheInputLimitThenResumesWhenConsumed() {
        var flow = makeFlow()
        #expect(flow.wantsRead && flow.readCapacity == 100 && flow.interest(reading: true) == .read)
        flow.didRead(60, at: at(1))
        #expect(flow.wantsRead && flow.readCapacity == 40)
        flow.didRead(40, at: at(1))
        #expect(!flow.wantsRead && flow.interest(reading: true) == [])
        flow.didConsume(30)
        #expect(flow.wantsRead && flow.readCapacity == 30)
    }

    @Test func pausingAndEndOfInputStopReading() {
        var flow = makeFlow()
        flow.setReadingPaused(true)
        #expect(!flow.wantsRead)
        flow.setReadingPaused(false)
        #expect(flow.wantsRead)
        flow.closeInput()
        #expect(!flow.wantsRead && flow.interest(reading: true) == [])
    }

    @Test func writableInterestOnlyWhileOutputWaits() {
        var flow = makeFlow()
        flow.didEnqueue(200, at: at(1))
        #expect(flow.shouldSend && !flow.wantsWritableEvents)
        _ = flow.didSend(50, of: 200, at: at(1))
        #expect(!flow.shouldSend && flow.wantsWritableEvents && flow.interest(reading: false) == .write)
        flow.socketBecameWritable()
        #expect(flow.shouldSend && !flow.wantsWritableEvents)
        _ = flow.didSend(150, of: 150, at: at(2))
        #expect(!flow.shouldSend && !flow.wantsWritableEvents && flow.outputCount == 0)
    }

    @Test func writabilityHasHysteresisBetweenTheWaterMarks() {
        var flow = makeFlow()
        flow.didEnqueue(500, at: at(1))
        #expect(flow.isWritable)
        flow.didEnqueue(1, at: at(1))
        #expect(!flow.isWritable)
        #expect(flow.didSend(300, of: 501, at: at(2)) == false)
        #expect(!flow.isWritable)
        #expect(flow.didSend(101, of: 201, at: at(2)) == true)
        #expect(flow.isWritable)
    }

    @Test func exceedingTheOutputLimitIsACutOff() {
        var flow = makeFlow()
        flow.didEnqueue(1_000, at: at(1))
        #expect(flow.outputLimitViolation() == nil)
        flow.didEnqueue(1, at: at(1))
        #expect(flow.outputLimitViolation() == .outputLimitExceeded(queued: 1_001, limit: 1_000))
        #expect(flow.outputLimitViolation()?.isCutOff == true)
        _ = flow.didSend(1, of: 1_001, at: at(1))
        #expect(flow.outputLimitViolation() == nil)
    }

    @Test func stalledOutputExpiresAfterTheStallTimeout() {
        var flow = makeFlow()
        flow.didEnqueue(100, at: at(5))
        _ = flow.didSend(0, of: 100, at: at(5))
        #expect(flow.nextDeadline == at(15))
        #expect(flow.expiredTimeout(at: at(14)) == nil)
        #expect(flow.expiredTimeout(at: at(15)) == .writeStalled(after: .seconds(10)))
    }

    @Test func writeProgressPostponesTheStall() {
        var flow = makeFlow()
        flow.didEnqueue(100, at: at(5))
        _ = flow.didSend(10, of: 100, at: at(12))
        #expect(flow.nextDeadline == at(22))
        #expect(flow.expiredTimeout(at: at(20)) == nil)
    }

    @Test func idleTimeoutCountsFromTheLastReadOrWrite() {
        var flow = makeFlow()
        #expect(flow.nextDeadline == at(60))
        flow.didRead(1, at: at(30))
        #expect(flow.nextDeadline == at(90))
        #expect(flow.expiredTimeout(at: at(89)) == nil)
        #expect(flow.expiredTimeout(at: at(90)) == .idleTimeout(after: .seconds(60)))
    }

    @Test func noTimeoutsConfiguredMeansNoDeadline() {
        var limits = ConnectionFlowTests.limits
        limits.idleTimeout = nil
        limits.writeStallTimeout = nil
        var flow = makeFlow(limits)
        flow.didEnqueue(10, at: at(1))
        #expect(flow.nextDeadline == nil)
        #expect(flow.expiredTimeout(at: at(1_000_000)) == nil)
    }
}

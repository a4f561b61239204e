import Dispatch
import Foundation
import Storage
import Testing
@testable import Transport

/// Holds commits on the storage thread until released, or fails them: what the pipeline tests use
/// to look at the relay while a batch is in flight. Thread-safe; the store calls `pass()`.
final class CommitGate: Sendable {
    private struct State: Sendable {
        var holding = false
        var waiting = 0
        var failures = 0
        var commits = 0
    }

    private let state = LockedValue(State())
    private let opened = DispatchSemaphore(value: 0)

    /// From now on, commits wait for `open()`.
    func hold() { state.withLock { $0.holding = true } }

    /// Lets the waiting commits (and later ones) through.
    func open() {
        let waiting = state.withLock { state -> Int in
            state.holding = false
            defer { state.waiting = 0 }
            return state.waiting
        }
        for _ in 0..<waiting { opened.signal() }
    }

    /// The next `count` commits fail (after rolling back) instead of committing.
    func failNext(_ count: Int = 1) { state.withLock { $0.failures += count } }

    /// Commits blocked in `pass()` now.
    var waiting: Int { state.withLock { $0.waiting } }
    /// Commits that reached the store.
    var commits: Int { state.withLock { $0.commits } }

    /// Called by the store at the start of a commit: waits while held; false means "fail this one".
    func pass() -> Bool {
        let mustWait = state.withLock { state -> Bool in
            state.commits += 1
            guard state.holding else { return false }
            state.waiting += 1
            return true
        }
        if mustWait { opened.wait() }
        return state.withLock { state -> Bool in
            guard state.failures > 0 else { return true }
            state.failures -= 1
            return false
        }
    }
}

/// A ``RelayStore`` whose commits go through a ``CommitGate``.
final class GatedStore: RelayBatchStore {
    let store: RelayStore
    let gate: CommitGate

    init(store: RelayStore, gate: CommitGate) {
        self.store = store
        self.gate = gate
    }

    func load(envelopeCutoff: Int64, idempotencyCutoff: Int64) throws(RelayError) -> RelaySnapshot {
        try store.load(envelopeCutoff: envelopeCutoff, idempotencyCutoff: idempotencyCutoff)
    }

    func commit(_ writes: [RelayWrite]) throws(StorageError) {
        guard gate.pass() else { throw .aborted("injected commit failure") }
        try store.commit(writes)
    }

    var checkpointPath: String? { store.checkpointPath }

    func checkpoint() { store.checkpoint() }

    func close() { store.close() }
}

/// The storage thread and the pipelined group commit, observed from real clients: no reply is
/// written to a client before the batch holding its turn's writes has committed (deliveries to an
/// online recipient go at once), the loop keeps serving meanwhile, and a failed commit
/// acknowledges nothing.
@Suite("Relay storage pipeline", .timeLimit(.minutes(1)))
struct RelayStoragePipelineTests {
    static let device = RelayTestHost.device

    /// A relay on a fresh directory whose store commits through `gate`.
    static func start(_ gate: CommitGate) throws -> (RelayHost, String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-pipeline-\(UUID().uuidString)").path
        let configuration = RelayConfiguration(listenAddress: .loopbackIPv4(), dataDirectory: directory, tokenHasher: .testing, shutdownGrace: .milliseconds(200))
        let host = try RelayHost.start(configuration) { () throws(RelayError) -> any RelayBatchStore in
            GatedStore(store: try RelayStore(directory: directory, tokenHasher: .testing, checkpointsInline: false), gate: gate)
        }
        return (host, directory)
    }

    @Test func aReplyIsNotWrittenBeforeTheBatchHoldingItsWriteCommits() throws {
        let gate = CommitGate()
        let (relay, directory) = try Self.start(gate)
        defer { relay.stop(); try? FileManager.default.removeItem(atPath: directory) }
        gate.hold()
        let client = try RelayTestClient(relay.address)
        let phone = RelayTestHost.phone(1)
        try client.write(.register(phone: phone, device: Self.device), requestID: 1)
        try client.write(.ping(nonce: 9), requestID: 2)   // needs no write, but comes after one
        #expect(SystemTestSupport.waitUntil { gate.waiting == 1 })
        // The batch is in flight and held: the client gets nothing, not even the pong.
        #expect(throws: (any Error).self) { try client.nextFrame(timeout: .milliseconds(300)) }
        // Another client's ping, staged after the held write, waits too.
        let other = try RelayTestClient(relay.address)
        try other.write(.ping(nonce: 10), requestID: 3)
        #expect(throws: (any Error).self) { try other.nextFrame(timeout: .milliseconds(100)) }
        gate.open()
        let first = try client.requireFrame()
        guard case .registered = first.frame, first.requestID == 1 else { Issue.record("expected registered, got \(first)"); return }
        #expect(try client.requireFrame() == DecodedFrame(requestID: 2, frame: .pong(nonce: 9)))
        #expect(try other.requireFrame() == DecodedFrame(requestID: 3, frame: .pong(nonce: 10)))
    }

    @Test func theLoopKeepsServingWhileABatchCommitsAndTheNextBatchCarriesWhatArrived() throws {
        let gate = CommitGate()
        let (relay, directory) = try Self.start(gate)
        defer { relay.stop(); try? FileManager.default.removeItem(atPath: directory) }
        let alice = try RelayTestClient(relay.address)
        _ = try alice.register(RelayTestHost.phone(1), device: Self.device)
        let bob = try RelayTestClient(relay.address)
        let bobPhone = RelayTestHost.phone(2)
        _ = try bob.register(bobPhone, device: Self.device)
        let before = try #require(relay.withServer { $0.commitStatistics.transactions })

        gate.hold()
        try alice.write(.send(OutgoingEnvelope(recipient: bobPhone, clientMessageID: 1, kind: .user, ciphertext: [1])), requestID: 1)
        #expect(SystemTestSupport.waitUntil { gate.waiting == 1 })
        for id in 2...3 as ClosedRange<UInt64> {
            try alice.write(.send(OutgoingEnvelope(recipient: bobPhone, clientMessageID: id, kind: .user, ciphertext: [UInt8(id)])), requestID: RequestID(rawValue: UInt32(id)))
        }
        // The loop is not blocked by the held commit: it answers calls and has handled all three
        // sends. Bob, online, has them already; Alice's `accepted` waits for the commits.
        #expect(SystemTestSupport.waitUntil { relay.withServer { $0.statistics.accepted } == 3 })
        #expect(try bob.deliveries(3).map(\.ciphertext) == [[1], [2], [3]])
        #expect(relay.withServer { $0.commitStatistics.transactions } == before)
        #expect(throws: (any Error).self) { try alice.nextFrame(timeout: .milliseconds(100)) }
        gate.open()
        for id in 1...3 as ClosedRange<UInt32> {
            let reply = try alice.requireFrame()
            guard case let .accepted(clientMessageID, _, _) = reply.frame else { Issue.record("expected accepted, got \(reply)"); return }
            #expect(reply.requestID.rawValue == id && clientMessageID == UInt64(id))
        }
        // Batch 1 held the first send; the other two arrived meanwhile and shared batch 2.
        #expect(SystemTestSupport.waitUntil { relay.withServer { $0.commitStatistics.transactions } == before + 2 })
    }

    /// Alice (+…01) registered and online; Bob (+…02) registered, then gone offline.
    static func aliceAndOfflineBob(on relay: RelayHost) throws -> (alice: RelayTestClient, bobPhone: PhoneNumber, bobToken: RelayToken) {
        let alice = try RelayTestClient(relay.address)
        _ = try alice.register(RelayTestHost.phone(1), device: Self.device)
        let bobPhone = RelayTestHost.phone(2)
        let bob = try RelayTestClient(relay.address)
        let bobToken = try bob.register(bobPhone, device: Self.device)
        bob.close()
        #expect(SystemTestSupport.waitUntil { relay.withServer { $0.onlineCount } == 1 })
        return (alice, bobPhone, bobToken)
    }

    @Test func aReconnectedRecipientGetsDeliveriesOnlyAfterItsWelcome() throws {
        let gate = CommitGate()
        let (relay, directory) = try Self.start(gate)
        defer { relay.stop(); try? FileManager.default.removeItem(atPath: directory) }
        let (alice, bobPhone, bobToken) = try Self.aliceAndOfflineBob(on: relay)
        _ = try alice.sendAccepted(to: bobPhone, clientMessageID: 1, ciphertext: [1])

        gate.hold()
        try alice.write(.send(OutgoingEnvelope(recipient: bobPhone, clientMessageID: 2, kind: .user, ciphertext: [2])), requestID: 2)
        #expect(SystemTestSupport.waitUntil { gate.waiting == 1 })
        let bob2 = try RelayTestClient(relay.address)
        try bob2.write(.hello(phone: bobPhone, device: Self.device, token: bobToken), requestID: 7)
        try alice.write(.send(OutgoingEnvelope(recipient: bobPhone, clientMessageID: 3, kind: .user, ciphertext: [3])), requestID: 3)
        #expect(SystemTestSupport.waitUntil { relay.withServer { $0.statistics.accepted } == 3 })
        // The welcome waits behind the held batch; so does everything for this connection.
        #expect(throws: (any Error).self) { try bob2.nextFrame(timeout: .milliseconds(150)) }
        gate.open()
        #expect(try bob2.requireFrame() == DecodedFrame(requestID: 7, frame: .welcome))
        #expect(try bob2.deliveries(3).map(\.ciphertext) == [[1], [2], [3]])
    }

    @Test func aHeldDeliveryIsNeverOvertakenByALaterOne() throws {
        let gate = CommitGate()
        let (relay, directory) = try Self.start(gate)
        defer { relay.stop(); try? FileManager.default.removeItem(atPath: directory) }
        let (alice, bobPhone, bobToken) = try Self.aliceAndOfflineBob(on: relay)
        func send(_ id: UInt64) throws {
            try alice.write(.send(OutgoingEnvelope(recipient: bobPhone, clientMessageID: id, kind: .user, ciphertext: [UInt8(id)])),
                            requestID: RequestID(rawValue: UInt32(id)))
            #expect(SystemTestSupport.waitUntil { relay.withServer { $0.statistics.accepted } == Int(id) })
        }
        /// Lets the batch waiting at the gate commit and holds the next one there.
        func commitOne() {
            gate.open()
            gate.hold()
            #expect(SystemTestSupport.waitUntil { gate.waiting == 1 })
        }

        gate.hold()
        try send(1)                                               // batch 1, Bob offline
        #expect(SystemTestSupport.waitUntil { gate.waiting == 1 })
        let bob2 = try RelayTestClient(relay.address)
        try bob2.write(.hello(phone: bobPhone, device: Self.device, token: bobToken), requestID: 9)
        #expect(SystemTestSupport.waitUntil { relay.withServer { $0.onlineCount } == 2 })
        try send(2)                                               // with the hello: batch 2
        commitOne()                                               // batch 1 out; batch 2 waits
        try send(3)                                               // batch 3; its delivery is held
        commitOne()                                               // batch 2 out (welcome, 1, 2); batch 3 waits
        try send(4)                                               // must wait behind 3's delivery
        #expect(try bob2.requireFrame() == DecodedFrame(requestID: 9, frame: .welcome))
        #expect(try bob2.deliveries(2).map(\.ciphertext) == [[1], [2]])
        #expect(throws: (any Error).self) { try bob2.nextFrame(timeout: .milliseconds(150)) }
        gate.open()
        #expect(try bob2.deliveries(2).map(\.ciphertext) == [[3], [4]])
    }

    @Test func aFailedCommitAcknowledgesNothingAndTheRetryIsANewEnvelope() throws {
        let gate = CommitGate()
        let (relay, directory) = try Self.start(gate)
        defer { relay.stop(); try? FileManager.default.removeItem(atPath: directory) }
        let alicePhone = RelayTestHost.phone(1), bobPhone = RelayTestHost.phone(2)
        let alice = try RelayTestClient(relay.address)
        let aliceToken = try alice.register(alicePhone, device: Self.device)
        let bob = try RelayTestClient(relay.address)
        let bobToken = try bob.register(bobPhone, device: Self.device)

        gate.failNext()
        try alice.write(.send(OutgoingEnvelope(recipient: bobPhone, clientMessageID: 7, kind: .user, ciphertext: [7])), requestID: 1)
        let frames = try alice.framesUntilClosed()
        #expect(frames.map(\.frame.relayTestErrorCode) == [WireErrorCode.internalError.rawValue])
        // Bob, online, got the envelope before the commit failed; nothing he was sent waited for
        // it, so he gets no 500, but every connection is closed by the reload and re-authenticates.
        let bobFrames = try bob.framesUntilClosed()
        guard bobFrames.count == 1, case let .deliver(first) = bobFrames[0].frame, first.ciphertext == [7] else {
            Issue.record("expected the delivery, then the close; got \(bobFrames)"); return
        }
        #expect(relay.withServer { $0.commitFailures } == 1)
        #expect(relay.withServer { $0.queuedCount } == 0)

        let alice2 = try RelayTestClient(relay.address)
        #expect(try alice2.hello(alicePhone, device: Self.device, token: aliceToken) == .welcome)
        let bob2 = try RelayTestClient(relay.address)
        #expect(try bob2.hello(bobPhone, device: Self.device, token: bobToken) == .welcome)
        let retried = try alice2.sendAccepted(to: bobPhone, clientMessageID: 7, ciphertext: [7])
        // The resend is a new envelope (the failed one was never stored): the recipient's session
        // recognizes the ciphertext it already opened (ClientState.open → .duplicate).
        #expect(try bob2.deliveries(1).map(\.id) == [retried.id])
        #expect(retried.id != first.id)
        #expect(relay.withServer { $0.statistics.duplicates } == 0)
    }
}

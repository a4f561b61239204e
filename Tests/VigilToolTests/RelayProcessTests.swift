import Foundation
import Glibc
import Testing

/// `vigil relay` as a process: clean stops on SIGTERM / SIGINT, crash safety under SIGKILL, the
/// no-plaintext canary in the process's memory, and its command line.
@Suite("vigil relay process", .timeLimit(.minutes(2)))
struct RelayProcessTests {
    static let sender = "+15550100001", recipient = "+15550100002"

    // MARK: Clean stop

    @Test(arguments: [SIGTERM, SIGINT])
    func aStopSignalSends501ToClientsAndExitsZero(signal: Int32) throws {
        let work = try VigilProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let data = work.appendingPathComponent("data").path
        let relay = try RelayProcess(dataDirectory: data, in: work)
        let member = try WireClient(port: relay.port)
        let token = try member.register(Self.sender)
        let anonymous = try WireClient(port: relay.port)
        #expect(try anonymous.framesBeforePong() == [])   // accepted and being served

        relay.send(signal)
        for (name, client) in [("authenticated", member), ("unauthenticated", anonymous)] {
            let frames = try client.framesUntilClosed()
            #expect(frames.map(\.errorCode) == [501], "\(name): \(frames)")
            #expect(frames.map(\.requestID) == [0], "\(name)")
        }
        #expect(relay.waitForExit(timeout: .seconds(5)))
        #expect(relay.process.terminationReason == .exit)
        #expect(relay.process.terminationStatus == 0)
        let lines = relay.standardError.split(separator: "\n")
        #expect(lines.last == "relay: stopped", "\(lines)")
        #expect(lines.contains("relay: \(signal == SIGINT ? "SIGINT" : "SIGTERM"), stopping"), "\(lines)")

        // What it committed is there on the next start.
        let again = try RelayProcess(dataDirectory: data, in: work)
        let client = try WireClient(port: again.port)
        #expect(try client.hello(Self.sender, token: token).type == WireFrame.welcome)
        again.send(SIGTERM)
        #expect(again.waitForExit(timeout: .seconds(5)) && again.process.terminationStatus == 0)
    }

    // MARK: Crash safety

    /// The stand-in ciphertext of message `clientMessageID`: its id, then seeded bytes.
    static func ciphertext(_ clientMessageID: UInt64) -> [UInt8] {
        var state = clientMessageID &* 0x9E37_79B9_7F4A_7C15
        return WireFrame.u64(clientMessageID) + (0..<56).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
    }

    @Test func everyAcceptedEnvelopeSurvivesSIGKILLAndIsDeliveredExactlyOnce() throws {
        let work = try VigilProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let data = work.appendingPathComponent("data").path
        let total: UInt64 = 200, killAfter = 100
        var relay = try RelayProcess(dataDirectory: data, in: work)
        var sender = try WireClient(port: relay.port)
        let senderToken = try sender.register(Self.sender)
        let recipientToken = try WireClient(port: relay.port).register(Self.recipient)   // then offline

        // Sends are pipelined (at most 16 unanswered); `accepted` is what the relay confirmed.
        var accepted: [UInt64: [UInt8]] = [:]
        var answers: [(id: UInt64, envelope: [UInt8])] = []
        func record(_ frames: [WireFrame]) {
            for frame in frames {
                guard let (id, envelope) = frame.accepted else {
                    Issue.record("unexpected \(frame)")
                    continue
                }
                #expect(accepted[id] == nil, "two answers for \(id)")
                accepted[id] = envelope
                answers.append((id, envelope))
            }
        }
        func sendFrame(_ id: UInt64) -> WireFrame {
            .makeSend(to: Self.recipient, clientMessageID: id, ciphertext: Self.ciphertext(id), requestID: UInt32(id))
        }
        var next: UInt64 = 1
        while accepted.count < killAfter {
            if next - 1 - UInt64(accepted.count) < 16 {
                try sender.write(sendFrame(next))
                next += 1
                record(try sender.availableFrames())
            } else if let frame = try sender.nextFrame() {
                record([frame])
            }
        }
        // Frozen, the relay reads nothing more: ten sends are then in flight for certain. Killed.
        try #require(relay.freeze())
        let burst = next..<(next + 10)
        for id in burst { try sender.write(sendFrame(id)) }
        next = burst.upperBound
        relay.send(SIGKILL)
        #expect(relay.waitForExit(timeout: .seconds(5)))
        #expect(relay.process.terminationReason == .uncaughtSignal && relay.process.terminationStatus == SIGKILL)
        // Replies sent before the freeze were sent after their commit: they count too.
        record(try sender.framesUntilClosed())
        // The last five answers are treated as lost on the way (a reply can be lost after its
        // commit): the sender will retry them as if it had never seen them.
        let lost = Dictionary(uniqueKeysWithValues: answers.suffix(5).map { ($0.id, $0.envelope) })
        for id in lost.keys { accepted[id] = nil }
        let written = next - 1
        let inFlight = Set((1...written).filter { accepted[$0] == nil })
        #expect(inFlight.isSuperset(of: burst) && inFlight.isSuperset(of: lost.keys))
        #expect(accepted.count >= killAfter - 5)

        // Restart on the same data; the recipient takes its queue, acknowledging as it goes.
        relay = try RelayProcess(dataDirectory: data, in: work)
        var recipient = try WireClient(port: relay.port)
        #expect(try recipient.hello(Self.recipient, token: recipientToken).type == WireFrame.welcome)
        var delivered: [UInt64: [UInt8]] = [:]   // client message id → envelope id
        var order: [UInt64] = []
        func receive(_ frames: [WireFrame]) throws {
            var ids: [[UInt8]] = []
            for frame in frames {
                guard let envelope = frame.delivered, envelope.ciphertext.count == 64 else {
                    Issue.record("unexpected \(frame)")
                    continue
                }
                let id = WireFrame.readU64(envelope.ciphertext, at: 0)
                #expect(envelope.ciphertext == Self.ciphertext(id), "bytes of \(id)")
                #expect(envelope.sender == Self.sender)
                #expect(delivered[id] == nil, "message \(id) delivered twice")
                #expect(!delivered.values.contains(envelope.envelopeID), "envelope delivered twice")
                delivered[id] = envelope.envelopeID
                order.append(id)
                ids.append(envelope.envelopeID)
            }
            for start in stride(from: 0, to: ids.count, by: 256) {
                try recipient.write(.makeAck(Array(ids[start..<min(ids.count, start + 256)])))
            }
        }
        // The queue is pushed right after the welcome, before the pong of a later ping.
        try receive(try recipient.framesBeforePong())
        for (id, envelope) in accepted.merging(lost, uniquingKeysWith: { first, _ in first }) {
            #expect(delivered[id] == envelope, "accepted message \(id) lost or changed after the crash")
        }
        #expect(burst.allSatisfy { delivered[$0] == nil }, "a send the frozen relay never read was delivered")
        #expect(order == order.sorted(), "delivered out of acceptance order")
        #expect(Set(delivered.keys).subtracting(accepted.keys).isSubset(of: inFlight))

        // The sender comes back and retries everything it has no answer for, plus two it has:
        // the same id for whatever the relay had committed, a new one otherwise, nothing twice.
        sender = try WireClient(port: relay.port)
        #expect(try sender.hello(Self.sender, token: senderToken).type == WireFrame.welcome)
        let confirmed = accepted.keys.sorted()
        let retries = (1...total).filter { accepted[$0] == nil } + [confirmed[0], confirmed[confirmed.count - 1]]
        for id in retries {
            let reply = try sender.request(.makeSend(to: Self.recipient, clientMessageID: id, ciphertext: Self.ciphertext(id), requestID: sender.makeRequestID()))
            guard let (echoed, envelope) = reply.accepted, echoed == id else {
                Issue.record("retry of \(id): \(reply)")
                continue
            }
            if let earlier = accepted[id] ?? delivered[id] {
                #expect(envelope == earlier, "retry of \(id) got another envelope id")
            }
            accepted[id] = envelope
        }
        try receive(try recipient.framesBeforePong())
        #expect(Set(delivered.keys) == Set(1...total), "missing \(Set(1...total).subtracting(delivered.keys).sorted())")
        #expect(delivered == accepted)

        // Acknowledged means gone: one more connection gets nothing.
        _ = try recipient.framesBeforePong()
        recipient = try WireClient(port: relay.port)
        #expect(try recipient.hello(Self.recipient, token: recipientToken).type == WireFrame.welcome)
        #expect(try recipient.framesBeforePong() == [])
        relay.send(SIGTERM)
        #expect(relay.waitForExit(timeout: .seconds(5)) && relay.process.terminationStatus == 0)
    }

    // MARK: Canary in memory

    @Test func theRelaysMemoryHoldsStandInCiphertextButNeverThePlaintextCanary() throws {
        let work = try VigilProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let relay = try RelayProcess(dataDirectory: work.appendingPathComponent("data").path, in: work)
        let sender = try WireClient(port: relay.port)
        _ = try sender.register(Self.sender)
        let recipientToken = try WireClient(port: relay.port).register(Self.recipient)

        // Plaintext = "msg:" ‖ canary ‖ filler; on the wire only plaintext XOR pad.
        var generator = SystemRandomNumberGenerator()
        func randomBytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) } }
        let messages = (0..<20).map { index -> (canary: [UInt8], ciphertext: [UInt8]) in
            let canary = randomBytes(16)
            let plaintext = Array("msg:".utf8) + canary + randomBytes(40 + 10 * index)
            return (canary, zip(plaintext, randomBytes(plaintext.count)).map { $0 ^ $1 })
        }
        func canaryForms(_ canary: [UInt8]) -> [[UInt8]] {
            let hex = canary.map { String(format: "%02x", $0) }.joined()
            return [canary, Array(hex.utf8), Array(hex.uppercased().utf8)]
        }
        for (index, message) in messages.enumerated() {
            let reply = try sender.request(.makeSend(to: Self.recipient, clientMessageID: UInt64(index + 1),
                                                     ciphertext: message.ciphertext, requestID: sender.makeRequestID()))
            #expect(reply.accepted?.clientMessageID == UInt64(index + 1))
        }

        // Each scan's result is bound to a Bool before `#expect`: given the call itself, a failed
        // expectation would print its arguments, hundreds of MiB of memory (a sanitized relay's is
        // ~400 MiB), and the test would hang describing them instead of failing.
        let queued = try ProcessMemory.anonymousRegions(of: relay.processIdentifier)
        let queuedBytes = queued.reduce(0) { $0 + $1.count }
        #expect(queuedBytes > 1 << 20)
        for (index, message) in messages.enumerated() {
            // Positive control: the queued envelopes are in the relay's memory, so the scan can see them.
            let ciphertextSeen = ProcessMemory.contains(queued, message.ciphertext)
            #expect(ciphertextSeen, "ciphertext \(index) not found in the relay's memory (\(queued.count) regions, \(queuedBytes) bytes)")
            for form in canaryForms(message.canary) {
                let canarySeen = ProcessMemory.contains(queued, form)
                #expect(!canarySeen, "canary \(index) in the relay's memory")
            }
        }

        let recipient = try WireClient(port: relay.port)
        #expect(try recipient.hello(Self.recipient, token: recipientToken).type == WireFrame.welcome)
        let frames = try recipient.framesBeforePong()
        #expect(frames.compactMap(\.delivered?.ciphertext) == messages.map(\.ciphertext))
        try recipient.write(.makeAck(frames.compactMap(\.delivered?.envelopeID)))
        #expect(try recipient.framesBeforePong() == [])
        let drained = try ProcessMemory.anonymousRegions(of: relay.processIdentifier)
        for (index, message) in messages.enumerated() {
            for form in canaryForms(message.canary) {
                let canarySeen = ProcessMemory.contains(drained, form)
                #expect(!canarySeen, "canary \(index) in the relay's memory after delivery")
            }
        }
        relay.send(SIGTERM)
        #expect(relay.waitForExit(timeout: .seconds(5)) && relay.process.terminationStatus == 0)
    }

    // MARK: Command line

    @Test func helpAndCommandLineMistakes() throws {
        let help = try VigilProcess.run(["relay", "--help"])
        #expect(help.status == 0)
        #expect(help.standardOutput.contains("USAGE: vigil relay"))
        #expect(help.standardOutput.contains("--listen"))
        let work = try VigilProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let data = work.appendingPathComponent("data").path
        for listen in ["localhost:7700", "127.0.0.1", "127.0.0.1:99999", "[::1]:x"] {
            let result = try VigilProcess.run(["relay", "--listen", listen, "--data", data])
            #expect(result.status == 2, "--listen \(listen)")
            #expect(result.errorLines.count == 1, "--listen \(listen): \(result.errorLines)")
            #expect(result.errorLines.first?.hasPrefix("vigil: --listen") == true, "\(result.errorLines)")
            #expect(result.standardOutput.isEmpty)
        }
        // --listen defaults to 127.0.0.1:7700 (not run here: the port may be taken); --data has no default.
        #expect(help.standardOutput.contains("default 127.0.0.1:7700"))
        let missing = try VigilProcess.run(["relay", "--listen", "127.0.0.1:0"])
        #expect(missing.status == 2 && missing.errorLines == ["vigil: --data DIR is required (see --help)"], "\(missing.errorLines)")
        #expect(!FileManager.default.fileExists(atPath: data), "a refused command created its data directory")
    }
}

import Client
import Foundation
import Synchronization
import Testing
import Transport

/// `RelayConnection` on a real socket against a scripted relay: pings answered mid-request,
/// unsolicited frames kept in order, refusals typed, a close reported with the relay's last error.
@Suite struct RelayConnectionTests {
    /// A one-connection relay on 127.0.0.1 that runs a script on its own thread with blocking I/O.
    final class ScriptedRelay: Sendable {
        let listener: Int32
        let port: UInt16
        let log = Mutex<[String]>([])
        let finished = Mutex(false)

        init() throws {
            let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            self.listener = listener
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
                    bind(listener, pointer, length) == 0 && listen(listener, 1) == 0 && getsockname(listener, pointer, &length) == 0
                }
            }
            guard bound else { throw Fixture.BadFixture(description: "cannot listen: errno \(errno)") }
            port = UInt16(bigEndian: address.sin_port)
        }

        deinit { close(listener) }

        var address: SocketAddress { .loopbackIPv4(port: port) }

        /// Runs `script` with the accepted connection on a new thread.
        func run(_ script: @escaping @Sendable (Peer) throws -> Void) {
            Thread {
                let connection = accept(self.listener, nil, nil)
                defer {
                    if connection >= 0 { close(connection) }
                    self.finished.withLock { $0 = true }
                }
                guard connection >= 0 else { return }
                var timeout = timeval(tv_sec: 3, tv_usec: 0)
                setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                do {
                    try script(Peer(descriptor: connection, relay: self))
                } catch {
                    self.log.withLock { $0.append("script failed: \(error)") }
                }
            }.start()
        }

        func waitUntilFinished() -> Bool {
            let deadline = ContinuousClock.now + .seconds(5)
            while !finished.withLock({ $0 }) {
                if ContinuousClock.now > deadline { return false }
                usleep(1_000)
            }
            return true
        }
    }

    /// The relay's end of the connection.
    struct Peer {
        let descriptor: Int32
        let relay: ScriptedRelay
        private let decoder = Box()

        final class Box: @unchecked Sendable { var decoder = FrameDecoder() } // used on the script's thread only

        init(descriptor: Int32, relay: ScriptedRelay) {
            self.descriptor = descriptor
            self.relay = relay
        }

        func send(_ frame: Frame, _ requestID: RequestID = .zero) throws {
            let bytes = try FrameEncoder().encode(frame, requestID: requestID)
            let written = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written == bytes.count else { throw Fixture.BadFixture(description: "short write") }
        }

        func receive() throws -> DecodedFrame {
            while true {
                if let frame = try decoder.decoder.next() { return frame }
                var buffer = [UInt8](repeating: 0, count: 4096)
                let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
                guard count > 0 else { throw Fixture.BadFixture(description: "client went away") }
                decoder.decoder.feed(buffer[..<count])
            }
        }

        func note(_ line: String) { relay.log.withLock { $0.append(line) } }
    }

    @Test func requestsAreMatchedWhilePingsAreAnsweredAndEventsKept() throws {
        let relay = try ScriptedRelay()
        let blocked = try Fixture.phone("+14155550109")
        let envelope = DeliveredEnvelope(
            id: Fixture.envelopeID(7), sender: blocked, serverTimeMilliseconds: 1, kind: .user, ciphertext: [2, 9])
        let receipt = Receipt(kind: .read, counterpart: blocked, envelopeIDs: [Fixture.envelopeID(8)])
        relay.run { peer in
            let block = try peer.receive()
            peer.note("got \(block.frame.type) \(block.requestID)")
            // Before the answer: a ping, a delivery, a stale reply, a receipt.
            try peer.send(.ping(nonce: 0xC0FFEE), 77)
            try peer.send(.deliver(envelope))
            try peer.send(.ok, RequestID(rawValue: block.requestID.rawValue &+ 100))
            try peer.send(.receipt(receipt))
            let pong = try peer.receive()
            peer.note("got \(pong.frame) \(pong.requestID)")
            try peer.send(.ok, block.requestID)
            // The next request is refused.
            let report = try peer.receive()
            peer.note("got \(report.frame.type) \(report.requestID) after \(block.requestID)")
            try peer.send(.error(code: .admissionDenied, message: "not now"), report.requestID)
            // Then the relay goes away, saying why.
            try peer.send(.error(code: .unavailable, message: "shutting down"))
        }
        let connection = try RelayConnection(connectingTo: relay.address, timeout: .seconds(3))
        let reply = try connection.request(.block(blocked: blocked, reason: .spam), timeout: .seconds(3))
        #expect(reply == .ok)
        #expect(connection.bufferedEventCount == 2)
        #expect(try connection.nextEvent(timeout: .zero) == .deliver(envelope))
        #expect(try connection.nextEvent(timeout: .zero) == .receipt(receipt))
        #expect(throws: ClientError.refused(request: .report, code: .admissionDenied, message: "not now")) {
            try connection.request(.report(SpamReport(business: blocked, reason: .spam)), timeout: .seconds(3))
        }
        #expect(try connection.nextEvent(timeout: .seconds(3)) == .error(code: .unavailable, message: "shutting down"))
        #expect(throws: ClientError.connectionClosed(code: .unavailable, message: "shutting down")) {
            _ = try connection.nextEvent(timeout: .seconds(3))
        }
        #expect(!connection.isOpen)
        #expect(relay.waitUntilFinished())
        let log = relay.log.withLock { $0 }
        #expect(log.count == 3, "\(log)")
        #expect(log.first?.hasPrefix("got block #") == true)
        #expect(log.dropFirst().first == "got pong(nonce: 12648430) #77")
        #expect(log.last?.hasPrefix("got report") == true)
        #expect(log.allSatisfy { !$0.contains("failed") })
    }

    @Test func aSilentRelayTimesOutAndTheLateReplyIsDropped() throws {
        let relay = try ScriptedRelay()
        let owner = try Fixture.phone("+14155550109")
        relay.run { peer in
            let first = try peer.receive()
            let second = try peer.receive() // the client gave up on the first and asks again
            try peer.send(.error(code: .noPreKeys, message: "late"), first.requestID)
            try peer.send(.preKeyBundle(owner: owner, bundle: [1]), second.requestID)
            _ = try? peer.receive() // until the client closes
        }
        let connection = try RelayConnection(connectingTo: relay.address, timeout: .seconds(3))
        #expect(throws: ClientError.timedOut(request: .fetchPreKeys, timeout: .milliseconds(200))) {
            try connection.request(.fetchPreKeys(owner: owner), timeout: .milliseconds(200))
        }
        let reply = try connection.request(.fetchPreKeys(owner: owner), timeout: .seconds(3))
        #expect(reply == .preKeyBundle(owner: owner, bundle: [1]))
        // The late refusal of the abandoned request is kept as an event, not taken as the answer.
        #expect(try connection.nextEvent(timeout: .zero) == .error(code: .noPreKeys, message: "late"))
        connection.close()
        #expect(relay.waitUntilFinished())
    }

    @Test func garbageFromTheRelayClosesTheConnection() throws {
        let relay = try ScriptedRelay()
        relay.run { peer in
            _ = try peer.receive()
            let garbage: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 1, 0x86, 0, 0, 0, 0] // a 4 GiB frame
            _ = garbage.withUnsafeBytes { Glibc.send(peer.descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            let answer = try peer.receive()
            peer.note("\(answer.frame)")
        }
        let connection = try RelayConnection(connectingTo: relay.address, timeout: .seconds(3))
        let blocked = try Fixture.phone("+14155550109")
        do {
            _ = try connection.request(.block(blocked: blocked, reason: .spam), timeout: .seconds(3))
            Issue.record("a frame-too-large stream must fail the request")
        } catch {
            guard case .malformedStream = error else { Issue.record("expected malformedStream, got \(error)"); return }
        }
        #expect(!connection.isOpen)
        #expect(relay.waitUntilFinished())
        #expect(relay.log.withLock { $0.first?.hasPrefix("error(code: frame_too_large (100)") } == true)
    }
}

import Glibc
import Testing
@testable import Transport

/// Records an outbound connection's events for the test thread.
private final class OutboundRecorder: TCPConnectionDelegate {
    let events: Recorded<[String]>

    init(events: Recorded<[String]>) {
        self.events = events
    }

    func connectionDidConnect(_ connection: TCPConnection) {
        events.update { $0.append("connected") }
    }

    func connectionDidRead(_ connection: TCPConnection) {
        let text = String(decoding: connection.inputBytes, as: UTF8.self)
        connection.consumeInput(connection.inputBytes.count)
        events.update { $0.append("read \(text)") }
        connection.close()
    }

    func connection(_ connection: TCPConnection, didCloseWith reason: CloseReason) {
        events.update { $0.append("closed \(reason)") }
    }
}

/// With half-closure allowed: answers after the peer's end of file, then closes.
private final class ReplyAfterEOF: TCPConnectionDelegate {
    let closes: Recorded<[CloseReason]>

    init(closes: Recorded<[CloseReason]>) {
        self.closes = closes
    }

    func connectionDidRead(_ connection: TCPConnection) {}

    func connectionDidReceiveEOF(_ connection: TCPConnection) {
        let count = connection.inputBytes.count
        connection.write(Array("got \(count) bytes".utf8))
        connection.close()
    }

    func connection(_ connection: TCPConnection, didCloseWith reason: CloseReason) {
        closes.update { $0.append(reason) }
    }
}

/// Answers "bye" with a large reply and closes at once.
private final class LargeReplyThenClose: TCPConnectionDelegate {
    let reply: [UInt8]
    let closes: Recorded<[CloseReason]>

    init(reply: [UInt8], closes: Recorded<[CloseReason]>) {
        self.reply = reply
        self.closes = closes
    }

    func connectionDidRead(_ connection: TCPConnection) {
        connection.consumeInput(connection.inputBytes.count)
        connection.write(reply)
        connection.close()
    }

    func connection(_ connection: TCPConnection, didCloseWith reason: CloseReason) {
        closes.update { $0.append(reason) }
    }
}

@Suite("TCP connection lifecycle")
struct TCPConnectionTests {
    @Test func endOfFileFlushesTheReplyThenCloses() throws {
        let server = try ServerFixture()
        let client = try TCPClientSocket(connectingTo: server.address)
        try client.send("hello")
        try client.shutdownOutput()
        #expect(try client.receiveUntilEndOfFile() == Array("hello".utf8))
        #expect(SystemTestSupport.waitUntil { server.closes.value == [.peerClosed] })
    }

    @Test func halfClosureLetsTheServerAnswerAfterEndOfFile() throws {
        let server = try ServerFixture(options: TCPConnection.Options(allowHalfClosure: true)) { _, closes in
            ReplyAfterEOF(closes: closes)
        }
        let client = try TCPClientSocket(connectingTo: server.address)
        try client.send(SystemTestSupport.bytes(count: 1_000, seed: 1))
        try client.shutdownOutput()
        #expect(try client.receiveUntilEndOfFile() == Array("got 1000 bytes".utf8))
        #expect(SystemTestSupport.waitUntil { server.closes.value == [.closedLocally] })
    }

    @Test func aGracefulCloseDeliversTheWholeReplyEvenIfThePeerKeepsSending() throws {
        // Input arriving while the reply is flushed is discarded rather than left unread,
        // because closing a socket with unread input sends RST and drops unsent output.
        let reply = SystemTestSupport.bytes(count: 1 << 20, seed: 3)
        let options = TCPConnection.Options(sendBufferSize: 16 * 1024)
        let server = try ServerFixture(options: options) { _, closes in
            LargeReplyThenClose(reply: reply, closes: closes)
        }
        let client = try TCPClientSocket(connectingTo: server.address)
        try client.send("bye")
        usleep(20_000)
        try client.send(SystemTestSupport.bytes(count: 32 * 1024, seed: 4))
        #expect(try client.receiveUntilEndOfFile(limit: 2 << 20) == reply)
        #expect(SystemTestSupport.waitUntil { server.closes.value == [.closedLocally] })
    }

    @Test func peerResetIsReported() throws {
        let server = try ServerFixture()
        let client = try TCPClientSocket(connectingTo: server.address)
        try client.send("x")
        #expect(try client.receive(exactly: 1) == [UInt8(ascii: "x")])
        client.reset()
        #expect(SystemTestSupport.waitUntil { server.closes.value == [.reset] }, "\(server.closes.value)")
    }

    @Test(arguments: [SocketAddress.loopbackIPv4(), .loopbackIPv6()])
    func outboundConnectionOnTheLoop(bindAddress: SocketAddress) throws {
        let server = try ServerFixture(bindingTo: bindAddress)
        let events = Recorded<[String]>([])
        let address = server.address
        let loop = server.loop
        loop.executeAndWait {
            do {
                let connection = try TCPConnection.connect(to: address, on: loop, delegate: OutboundRecorder(events: events))
                // Queued while connecting, flushed once connected.
                connection.write(Array("ping".utf8))
            } catch {
                events.update { $0.append("threw \(error)") }
            }
        }
        #expect(SystemTestSupport.waitUntil { events.value.count == 3 })
        #expect(events.value == ["connected", "read ping", "closed closed locally"])
    }

    @Test func outboundConnectionToAClosedPortFails() throws {
        let probe = try Syscall.makeTCPSocket(family: .ipv4)
        try Syscall.bind(probe, to: .loopbackIPv4())
        let closedPort = try Syscall.localAddress(of: probe)
        try Syscall.close(probe)
        let thread = try EventLoopThread()
        defer { thread.stopAndJoin() }
        let loop = thread.loop
        let events = Recorded<[String]>([])
        let thrown = Recorded<SystemError?>(nil)
        loop.executeAndWait {
            do throws(SystemError) {
                _ = try TCPConnection.connect(to: closedPort, on: loop, delegate: OutboundRecorder(events: events))
            } catch {
                thrown.update { $0 = error }
            }
        }
        // Loopback may refuse at once (thrown) or report it through the loop.
        if let error = thrown.value {
            #expect(error.call == "connect" && error.errno == .connectionRefused)
        } else {
            #expect(SystemTestSupport.waitUntil { !events.value.isEmpty })
            let refused = CloseReason.connectFailed(SystemError(call: "connect", errno: .connectionRefused))
            #expect(events.value == ["closed \(refused)"])
        }
    }

    @Test func refusingAnAcceptedConnectionResetsIt() throws {
        final class Refuse: TCPListenerDelegate {
            func listener(_ listener: TCPListener, didAccept connection: TCPConnection) -> (any TCPConnectionDelegate)? { nil }
        }
        let loop = try EventLoop()
        let listener = try TCPListener(bindingTo: .loopbackIPv4(), on: loop, delegate: Refuse())
        let thread = try EventLoopThread(loop: loop)
        defer { thread.stopAndJoin() }
        // The reset can reach the client before its `connect` returns (a loaded machine: CI saw
        // `connect: Connection reset by peer`), or after: either way it is a reset.
        let error = #expect(throws: SystemError.self) {
            let client = try TCPClientSocket(connectingTo: listener.localAddress)
            _ = try client.receiveUntilEndOfFile()
        }
        #expect(error?.errno == .connectionReset)
    }
}

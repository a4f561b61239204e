import Glibc
import Testing
@testable import Transport

@Suite("Syscall edge")
struct SyscallTests {
    @Test func bindingATakenPortNamesTheCallAndErrno() throws {
        let loop = try EventLoop()
        final class Ignore: TCPListenerDelegate {
            func listener(_ listener: TCPListener, didAccept connection: TCPConnection) -> (any TCPConnectionDelegate)? { nil }
        }
        let first = try TCPListener(bindingTo: .loopbackIPv4(), on: loop, delegate: Ignore())
        let error = #expect(throws: SystemError.self) {
            _ = try TCPListener(bindingTo: first.localAddress, on: loop, delegate: Ignore())
        }
        #expect(error?.call == "bind")
        #expect(error?.errno == .addressInUse)
        #expect(error?.message == "Address already in use")
        #expect(error?.description == "bind: Address already in use (errno \(EADDRINUSE))")
        first.close()
    }

    @Test(arguments: [SocketAddress.loopbackIPv4(), .loopbackIPv6()])
    func connectingToAClosedPortIsRefused(family: SocketAddress) throws {
        // Learn a free port by binding one, then close it so nothing listens there.
        let probe = try Syscall.makeTCPSocket(family: family.family)
        try Syscall.bind(probe, to: family)
        let closedPort = try Syscall.localAddress(of: probe)
        try Syscall.close(probe)
        let error = #expect(throws: SystemError.self) {
            _ = try TCPClientSocket(connectingTo: closedPort, timeout: .seconds(2))
        }
        #expect(error?.call == "connect")
        #expect(error?.errno == .connectionRefused)
    }

    @Test func getsocknameReportsTheEphemeralPort() throws {
        let socket = try Syscall.makeTCPSocket(family: .ipv6)
        defer { try? Syscall.close(socket) }
        try Syscall.bind(socket, to: .loopbackIPv6())
        let bound = try Syscall.localAddress(of: socket)
        #expect(bound.family == .ipv6 && bound.isLoopback && bound.port != 0)
    }

    @Test func wouldBlockIsAResultNotAnError() throws {
        let (readEnd, writeEnd) = try Syscall.makePipe()
        defer {
            try? Syscall.close(readEnd)
            try? Syscall.close(writeEnd)
        }
        var buffer = [UInt8](repeating: 0, count: 8)
        let empty = try buffer.withUnsafeMutableBytes { try Syscall.read(readEnd, into: $0) }
        #expect(empty == .wouldBlock)
        let eventFD = try Syscall.makeEventFD()
        defer { try? Syscall.close(eventFD) }
        #expect(try Syscall.readCounter(eventFD) == .wouldBlock)
        _ = try Syscall.signalEventFD(eventFD, by: 3)
        _ = try Syscall.signalEventFD(eventFD, by: 4)
        #expect(try Syscall.readCounter(eventFD) == .processed(7))
    }

    @Test func vectoredWriteAndRead() throws {
        let (readEnd, writeEnd) = try Syscall.makePipe()
        defer {
            try? Syscall.close(readEnd)
            try? Syscall.close(writeEnd)
        }
        let first: [UInt8] = [1, 2, 3]
        let second: [UInt8] = [4, 5, 6, 7]
        let written = try first.withUnsafeBytes { a in
            try second.withUnsafeBytes { b in try Syscall.writev(writeEnd, from: [a, b]) }
        }
        #expect(written == .processed(7))
        var head = [UInt8](repeating: 0, count: 2)
        var tail = [UInt8](repeating: 0, count: 10)
        let read = try head.withUnsafeMutableBytes { a in
            try tail.withUnsafeMutableBytes { b in try Syscall.readv(readEnd, into: [a, b]) }
        }
        #expect(read == .processed(7))
        #expect(head == [1, 2] && Array(tail.prefix(5)) == [3, 4, 5, 6, 7])
    }

    @Test func timerFDExpires() throws {
        let timer = try Syscall.makeTimerFD()
        defer { try? Syscall.close(timer) }
        try Syscall.setTimer(timer, initial: .milliseconds(1))
        let ready = try Syscall.poll(timer, events: Int16(POLLIN), timeoutMilliseconds: 2_000)
        #expect(ready != nil)
        #expect(try Syscall.readCounter(timer) == .processed(1))
    }

    @Test func fileDescriptorLimitCanBeRaisedToTheHardLimit() throws {
        let (soft, hard) = try ResourceLimits.openFiles()
        #expect(soft <= hard)
        let raised = try ResourceLimits.raiseOpenFiles(toAtLeast: min(hard, max(soft, 4_096)))
        #expect(raised >= min(hard, 4_096))
    }

    @Test func errnoTextComesFromTheCLibrary() {
        #expect(Errno.connectionReset.description == "Connection reset by peer")
        #expect(SystemError(call: "accept4", errno: .tooManyOpenFiles).description
            == "accept4: Too many open files (errno \(EMFILE))")
    }

    @Test func badDescriptorIsAProgrammerError() async {
        await #expect(processExitsWith: .failure) {
            var byte: UInt8 = 0
            _ = try? withUnsafeMutableBytes(of: &byte) { try Syscall.read(FileDescriptor(rawValue: 1_000_000), into: $0) }
        }
    }
}

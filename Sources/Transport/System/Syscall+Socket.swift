import CSystem
import Glibc

/// Socket options the transport sets.
package enum SocketOption: Sendable {
    /// `SO_REUSEADDR`: rebind a listening port while old connections sit in TIME_WAIT.
    case reuseAddress
    /// `TCP_NODELAY`: send small writes at once instead of waiting to coalesce them (Nagle).
    case noDelay
    /// `IPV6_V6ONLY`: an IPv6 socket does not also accept IPv4-mapped connections.
    case ipv6Only
    /// `SO_SNDBUF`: the kernel send buffer size in bytes.
    case sendBufferSize
    /// `SO_RCVBUF`: the kernel receive buffer size in bytes.
    case receiveBufferSize

    var levelAndName: (Int32, Int32) {
        switch self {
        case .reuseAddress: return (SOL_SOCKET, SO_REUSEADDR)
        case .noDelay: return (VIGIL_IPPROTO_TCP, TCP_NODELAY)
        case .ipv6Only: return (VIGIL_IPPROTO_IPV6, IPV6_V6ONLY)
        case .sendBufferSize: return (SOL_SOCKET, SO_SNDBUF)
        case .receiveBufferSize: return (SOL_SOCKET, SO_RCVBUF)
        }
    }
}

/// Which direction(s) `shutdown` closes.
package enum ShutdownDirection: Sendable {
    /// No further receives.
    case read
    /// No further sends: the peer reads end of file once queued data is delivered.
    case write
    /// Both.
    case both

    var cValue: Int32 {
        switch self {
        case .read: return VIGIL_SHUT_RD
        case .write: return VIGIL_SHUT_WR
        case .both: return VIGIL_SHUT_RDWR
        }
    }
}

/// The outcome of a non-blocking `connect`.
package enum ConnectResult: Sendable, Equatable {
    /// Connected at once (common on loopback).
    case connected
    /// `EINPROGRESS`: wait for writability, then read `SO_ERROR` (`Syscall.pendingSocketError`).
    case inProgress
}

/// A connection returned by `accept4`.
package struct AcceptedSocket: Sendable {
    /// The new connection's descriptor (non-blocking, close-on-exec).
    package let descriptor: FileDescriptor
    /// The peer's address, if the kernel reported an IP address.
    package let remoteAddress: SocketAddress?
}

extension Syscall {
    /// Creates a non-blocking, close-on-exec TCP socket for `family`.
    ///
    /// The corresponding C function is `socket`.
    package static func makeTCPSocket(family: SocketAddress.Family) throws(SystemError) -> FileDescriptor {
        let domain = family == .ipv4 ? AF_INET : AF_INET6
        let fd = try run("socket") {
            socket(domain, VIGIL_SOCK_STREAM | VIGIL_SOCK_NONBLOCK | VIGIL_SOCK_CLOEXEC, 0)
        }
        return FileDescriptor(rawValue: fd)
    }

    /// Binds `fd` to `address`.
    ///
    /// The corresponding C function is `bind`.
    package static func bind(_ fd: FileDescriptor, to address: SocketAddress) throws(SystemError) {
        _ = try run("bind") { address.withSockAddr { Glibc.bind(fd.rawValue, $0, $1) } }
    }

    /// Marks `fd` as a listening socket with room for `backlog` pending connections.
    ///
    /// The corresponding C function is `listen`.
    package static func listen(_ fd: FileDescriptor, backlog: Int32) throws(SystemError) {
        _ = try run("listen") { Glibc.listen(fd.rawValue, backlog) }
    }

    /// Accepts one pending connection as a non-blocking, close-on-exec socket.
    ///
    /// The corresponding C function is `accept4`.
    package static func accept(_ fd: FileDescriptor) throws(SystemError) -> IOResult<AcceptedSocket> {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = try withUnsafeMutablePointer(to: &storage) { (pointer) throws(SystemError) -> IOResult<Int32> in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { (address) throws(SystemError) -> IOResult<Int32> in
                try runIO("accept4") {
                    vigil_accept4(fd.rawValue, address, &length, VIGIL_SOCK_NONBLOCK | VIGIL_SOCK_CLOEXEC)
                }
            }
        }
        switch result {
        case .wouldBlock:
            return .wouldBlock
        case let .processed(newFD):
            return .processed(AcceptedSocket(
                descriptor: FileDescriptor(rawValue: newFD), remoteAddress: SocketAddress(storage: storage)))
        }
    }

    /// Starts connecting `fd` (non-blocking) to `address`.
    ///
    /// The corresponding C function is `connect`.
    package static func connect(_ fd: FileDescriptor, to address: SocketAddress) throws(SystemError) -> ConnectResult {
        let result = address.withSockAddr { Glibc.connect(fd.rawValue, $0, $1) }
        if result == 0 { return .connected }
        let error = Errno.current
        // After EINTR the attempt continues in the background and completes like EINPROGRESS;
        // calling connect again would report EALREADY.
        if error == .inProgress || error == .interrupted { return .inProgress }
        preconditionAcceptable(error, "connect")
        throw SystemError(call: "connect", errno: error)
    }

    /// Shuts down one or both directions of a connected socket.
    ///
    /// The corresponding C function is `shutdown`.
    package static func shutdown(_ fd: FileDescriptor, _ direction: ShutdownDirection) throws(SystemError) {
        _ = try run("shutdown") { Glibc.shutdown(fd.rawValue, direction.cValue) }
    }

    /// Sets an integer socket option.
    ///
    /// The corresponding C function is `setsockopt`.
    package static func setOption(_ option: SocketOption, to value: Int32, on fd: FileDescriptor) throws(SystemError) {
        var value = value
        let (level, name) = option.levelAndName
        _ = try run("setsockopt") {
            setsockopt(fd.rawValue, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    /// Reads an integer socket option.
    ///
    /// The corresponding C function is `getsockopt`.
    package static func option(_ option: SocketOption, of fd: FileDescriptor) throws(SystemError) -> Int32 {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        let (level, name) = option.levelAndName
        _ = try run("getsockopt") { getsockopt(fd.rawValue, level, name, &value, &length) }
        return value
    }

    /// Makes the next `close` reset the connection (RST) and drop unsent data (`SO_LINGER` 0).
    ///
    /// The corresponding C function is `setsockopt`.
    package static func setLingerZero(_ fd: FileDescriptor) throws(SystemError) {
        _ = try run("setsockopt") { vigil_set_linger_zero(fd.rawValue) }
    }

    /// Reads and clears the socket's pending error (`SO_ERROR`); nil when there is none. This is
    /// how a non-blocking `connect` reports its outcome.
    ///
    /// The corresponding C function is `getsockopt`.
    package static func pendingSocketError(_ fd: FileDescriptor) throws(SystemError) -> Errno? {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        _ = try run("getsockopt") { getsockopt(fd.rawValue, SOL_SOCKET, SO_ERROR, &value, &length) }
        return value == 0 ? nil : Errno(rawValue: value)
    }

    /// The address `fd` is bound to, e.g. to learn the ephemeral port after binding port 0.
    ///
    /// The corresponding C function is `getsockname`.
    package static func localAddress(of fd: FileDescriptor) throws(SystemError) -> SocketAddress {
        try socketAddress("getsockname", fd) { getsockname($0, $1, $2) }
    }

    /// The address of `fd`'s connected peer.
    ///
    /// The corresponding C function is `getpeername`.
    package static func remoteAddress(of fd: FileDescriptor) throws(SystemError) -> SocketAddress {
        try socketAddress("getpeername", fd) { getpeername($0, $1, $2) }
    }

    private static func socketAddress(
        _ call: StaticString, _ fd: FileDescriptor,
        _ body: (Int32, UnsafeMutablePointer<sockaddr>, UnsafeMutablePointer<socklen_t>) -> Int32
    ) throws(SystemError) -> SocketAddress {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = try withUnsafeMutablePointer(to: &storage) { (pointer) throws(SystemError) -> Int32 in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { (address) throws(SystemError) -> Int32 in
                try run(call) { body(fd.rawValue, address, &length) }
            }
        }
        guard let address = SocketAddress(storage: storage) else {
            throw SystemError(call: "\(call)", errno: Errno(rawValue: EAFNOSUPPORT))
        }
        return address
    }

    /// Sends up to `buffer.count` bytes on a connected socket without raising `SIGPIPE`
    /// (`MSG_NOSIGNAL`); a vanished peer is reported as `EPIPE`/`ECONNRESET` instead.
    ///
    /// The corresponding C function is `send`.
    package static func send(_ fd: FileDescriptor, from buffer: UnsafeRawBufferPointer) throws(SystemError) -> IOResult<Int> {
        try runIO("send") { Glibc.send(fd.rawValue, buffer.baseAddress, buffer.count, VIGIL_MSG_NOSIGNAL) }
    }

    /// Receives up to `buffer.count` bytes from a connected socket; `.processed(0)` is end of
    /// file.
    ///
    /// The corresponding C function is `recv`.
    package static func receive(_ fd: FileDescriptor, into buffer: UnsafeMutableRawBufferPointer) throws(SystemError) -> IOResult<Int> {
        try runIO("recv") { Glibc.recv(fd.rawValue, buffer.baseAddress, buffer.count, 0) }
    }
}

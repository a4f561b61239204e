import Glibc

/// A plain blocking-with-timeout TCP client for tests, tools and benchmarks: connect, send,
/// receive on a socket, each call bounded by a timeout on the system's monotonic clock. Not
/// for use on an event loop's thread (it blocks).
///
/// Timeouts throw `SystemError` with `errno == .timedOut` and the call's name ("connect",
/// "send", "recv"). The socket closes when the object is released, or with `close()`.
public final class TCPClientSocket {
    /// The address connected to.
    public let remoteAddress: SocketAddress
    /// The local address (the kernel's ephemeral port).
    public let localAddress: SocketAddress
    private var descriptor: FileDescriptor?

    /// Connects to `address` within `timeout`.
    ///
    /// - Parameters:
    ///   - receiveBufferSize: `SO_RCVBUF` set before connecting (a small value makes a
    ///     non-reading client fill up quickly in backpressure tests); nil keeps the default.
    ///   - sendBufferSize: `SO_SNDBUF` likewise (a small value makes `send` block sooner).
    ///   - noDelay: `TCP_NODELAY`.
    public init(
        connectingTo address: SocketAddress, timeout: Duration = .seconds(5),
        receiveBufferSize: Int? = nil, sendBufferSize: Int? = nil, noDelay: Bool = true
    ) throws(SystemError) {
        let deadline = SystemClock().now() + timeout
        let fd = try Syscall.makeTCPSocket(family: address.family)
        do throws(SystemError) {
            if let size = receiveBufferSize {
                try Syscall.setOption(.receiveBufferSize, to: Int32(clamping: size), on: fd)
            }
            if let size = sendBufferSize {
                try Syscall.setOption(.sendBufferSize, to: Int32(clamping: size), on: fd)
            }
            try Syscall.setOption(.noDelay, to: noDelay ? 1 : 0, on: fd)
            if try Syscall.connect(fd, to: address) == .inProgress {
                try TCPClientSocket.wait(for: Int16(POLLOUT), on: fd, until: deadline, call: "connect")
                if let error = try Syscall.pendingSocketError(fd) {
                    throw SystemError(call: "connect", errno: error)
                }
            }
            self.localAddress = try Syscall.localAddress(of: fd)
        } catch {
            try? Syscall.close(fd)
            throw error
        }
        self.remoteAddress = address
        self.descriptor = fd
    }

    deinit {
        if let descriptor { try? Syscall.close(descriptor) }
    }

    /// Sends all of `bytes` within `timeout`.
    public func send(_ bytes: [UInt8], timeout: Duration = .seconds(5)) throws(SystemError) {
        let fd = try openDescriptor("send")
        let deadline = SystemClock().now() + timeout
        var offset = 0
        while offset < bytes.count {
            let result = try bytes.withUnsafeBytes { raw -> Result<IOResult<Int>, SystemError> in
                do throws(SystemError) {
                    return .success(try Syscall.send(fd, from: UnsafeRawBufferPointer(rebasing: raw[offset...])))
                } catch {
                    return .failure(error)
                }
            }.get()
            switch result {
            case let .processed(count):
                offset += count
            case .wouldBlock:
                try TCPClientSocket.wait(for: Int16(POLLOUT), on: fd, until: deadline, call: "send")
            }
        }
    }

    /// Sends the UTF-8 bytes of `text` within `timeout`.
    public func send(_ text: String, timeout: Duration = .seconds(5)) throws(SystemError) {
        try send(Array(text.utf8), timeout: timeout)
    }

    /// Waits up to `timeout` for data and returns 1…`maximumCount` bytes, or an empty array at
    /// end of file.
    public func receive(maximumCount: Int = 64 * 1024, timeout: Duration = .seconds(5)) throws(SystemError) -> [UInt8] {
        precondition(maximumCount > 0)
        let fd = try openDescriptor("recv")
        let deadline = SystemClock().now() + timeout
        var buffer = [UInt8](repeating: 0, count: maximumCount)
        while true {
            let result = try buffer.withUnsafeMutableBytes { raw -> Result<IOResult<Int>, SystemError> in
                do throws(SystemError) {
                    return .success(try Syscall.receive(fd, into: raw))
                } catch {
                    return .failure(error)
                }
            }.get()
            switch result {
            case let .processed(count):
                return Array(buffer.prefix(count))
            case .wouldBlock:
                try TCPClientSocket.wait(for: Int16(POLLIN), on: fd, until: deadline, call: "recv")
            }
        }
    }

    /// Receives exactly `count` bytes within `timeout`; returns fewer only if the peer closed
    /// first.
    public func receive(exactly count: Int, timeout: Duration = .seconds(5)) throws(SystemError) -> [UInt8] {
        let deadline = SystemClock().now() + timeout
        var received: [UInt8] = []
        received.reserveCapacity(count)
        while received.count < count {
            let remaining = deadline - SystemClock().now()
            guard remaining > .zero else { throw SystemError(call: "recv", errno: .timedOut) }
            let chunk = try receive(maximumCount: min(count - received.count, 256 * 1024), timeout: remaining)
            if chunk.isEmpty { break }
            received += chunk
        }
        return received
    }

    /// Receives until the peer closes (end of file), at most `limit` bytes, within `timeout`.
    public func receiveUntilEndOfFile(limit: Int = 16 * 1024 * 1024, timeout: Duration = .seconds(5)) throws(SystemError) -> [UInt8] {
        let deadline = SystemClock().now() + timeout
        var received: [UInt8] = []
        while received.count < limit {
            let remaining = deadline - SystemClock().now()
            guard remaining > .zero else { throw SystemError(call: "recv", errno: .timedOut) }
            let chunk = try receive(maximumCount: min(limit - received.count, 256 * 1024), timeout: remaining)
            if chunk.isEmpty { break }
            received += chunk
        }
        return received
    }

    /// Sends end of file; receiving continues.
    public func shutdownOutput() throws(SystemError) {
        try Syscall.shutdown(try openDescriptor("shutdown"), .write)
    }

    /// Closes the socket (idempotent).
    public func close() {
        guard let descriptor else { return }
        self.descriptor = nil
        try? Syscall.close(descriptor)
    }

    /// Closes with an RST instead of a FIN (`SO_LINGER` 0), discarding unsent data.
    public func reset() {
        guard let descriptor else { return }
        try? Syscall.setLingerZero(descriptor)
        close()
    }

    private func openDescriptor(_ call: String) throws(SystemError) -> FileDescriptor {
        guard let descriptor else { throw SystemError(call: call, errno: .badFileDescriptor) }
        return descriptor
    }

    /// Polls until `events` or the deadline; throws `ETIMEDOUT` named `call` at the deadline.
    private static func wait(for events: Int16, on fd: FileDescriptor, until deadline: MonotonicInstant, call: String) throws(SystemError) {
        while true {
            let now = SystemClock().now()
            guard deadline > now else { throw SystemError(call: call, errno: .timedOut) }
            let milliseconds = (deadline.nanoseconds - now.nanoseconds + 999_999) / 1_000_000
            if try Syscall.poll(fd, events: events, timeoutMilliseconds: Int32(clamping: milliseconds)) != nil {
                return
            }
        }
    }
}

/// What a listener tells its owner. Calls happen on the loop thread.
public protocol TCPListenerDelegate: AnyObject {
    /// A connection was accepted. Return the delegate that will own it, or nil to refuse it
    /// (it is then reset without further callbacks). Events for the connection start after this
    /// returns.
    func listener(_ listener: TCPListener, didAccept connection: TCPConnection) -> (any TCPConnectionDelegate)?

    /// Accepting failed. For `EMFILE`/`ENFILE`/`ENOBUFS`/`ENOMEM` the listener pauses accepting
    /// for `TCPListener.acceptBackoff` and then resumes by itself. Default: nothing.
    func listener(_ listener: TCPListener, didFailToAccept error: SystemError)
}

extension TCPListenerDelegate {
    /// Does nothing.
    public func listener(_ listener: TCPListener, didFailToAccept error: SystemError) {}
}

/// A listening TCP socket on an event loop that accepts connections until the kernel has none
/// left (`EAGAIN`) and wraps each in a `TCPConnection` with `connectionOptions`.
///
/// Loop-confined, like everything registered with a loop.
public final class TCPListener {
    /// The loop it accepts on.
    public let loop: EventLoop
    /// The bound address, with the kernel's port when port 0 was requested.
    public let localAddress: SocketAddress
    /// Options given to every accepted connection.
    public var connectionOptions: TCPConnection.Options
    /// Connections accepted so far.
    public private(set) var acceptedCount = 0
    /// How long accepting pauses after running out of descriptors or memory.
    public static let acceptBackoff: Duration = .milliseconds(100)
    /// Most connections accepted in one wake-up; the rest wait for the next turn (level-triggered).
    static let maximumAcceptsPerWakeUp = 1024

    private let descriptor: FileDescriptor
    private var registration: IORegistration?
    private var delegate: (any TCPListenerDelegate)?
    private var backoffTimer: TimerID?

    /// Binds `address` (port 0: an ephemeral port, see `localAddress`), listens, and registers
    /// with `loop`. IPv6 listeners are IPv6-only; `SO_REUSEADDR` is set. Loop-confined.
    public init(
        bindingTo address: SocketAddress,
        on loop: EventLoop,
        backlog: Int32 = 1024,
        connectionOptions: TCPConnection.Options = TCPConnection.Options(),
        delegate: any TCPListenerDelegate
    ) throws(SystemError) {
        loop.preconditionConfined()
        let descriptor = try Syscall.makeTCPSocket(family: address.family)
        do {
            try Syscall.setOption(.reuseAddress, to: 1, on: descriptor)
            if address.family == .ipv6 {
                try Syscall.setOption(.ipv6Only, to: 1, on: descriptor)
            }
            try Syscall.bind(descriptor, to: address)
            try Syscall.listen(descriptor, backlog: backlog)
            self.localAddress = try Syscall.localAddress(of: descriptor)
        } catch {
            try? Syscall.close(descriptor)
            throw error
        }
        self.loop = loop
        self.descriptor = descriptor
        self.connectionOptions = connectionOptions
        self.delegate = delegate
        do {
            self.registration = try loop.register(descriptor, interest: .read, handler: self)
        } catch {
            try? Syscall.close(descriptor)
            throw error
        }
    }

    /// Whether it is still listening.
    public var isOpen: Bool { registration != nil }

    /// Stops listening and closes the socket; accepted connections are unaffected. Loop-confined.
    public func close() {
        loop.preconditionConfined()
        guard let registration else { return }
        self.registration = nil
        if let timer = backoffTimer { loop.cancelTimer(timer) }
        backoffTimer = nil
        loop.deregister(registration, closingDescriptor: true)
        delegate = nil
    }

    private func acceptAvailable() {
        var accepted = 0
        while accepted < TCPListener.maximumAcceptsPerWakeUp, isOpen {
            let result: IOResult<AcceptedSocket>
            do {
                result = try Syscall.accept(descriptor)
            } catch {
                if handleAcceptError(error) { continue }
                return
            }
            guard case let .processed(socket) = result else { return }
            accepted += 1
            acceptedCount += 1
            adopt(socket)
        }
    }

    /// Returns whether accepting should continue after `error`.
    private func handleAcceptError(_ error: SystemError) -> Bool {
        switch error.errno {
        case .connectionAborted, .protocolError, .notPermitted:
            // The peer went away before we accepted it, or a firewall refused it: skip it.
            return true
        case .tooManyOpenFiles, .tooManyOpenFilesInSystem, .noBufferSpace, .outOfMemory:
            delegate?.listener(self, didFailToAccept: error)
            pauseAccepting()
            return false
        default:
            delegate?.listener(self, didFailToAccept: error)
            return false
        }
    }

    /// Level-triggered epoll would report the pending connection again at once; stop listening
    /// for it for a moment instead of spinning.
    private func pauseAccepting() {
        guard let registration, backoffTimer == nil else { return }
        try? loop.setInterest([], for: registration)
        backoffTimer = loop.scheduleTimer(after: TCPListener.acceptBackoff) { [weak self] in
            guard let self, let registration = self.registration else { return }
            self.backoffTimer = nil
            try? self.loop.setInterest(.read, for: registration)
        }
    }

    private func adopt(_ socket: AcceptedSocket) {
        let connection: TCPConnection
        do {
            connection = try TCPConnection(
                descriptor: socket.descriptor, remoteAddress: socket.remoteAddress, loop: loop,
                options: connectionOptions, connecting: false)
        } catch {
            try? Syscall.close(socket.descriptor)
            delegate?.listener(self, didFailToAccept: error)
            return
        }
        if let connectionDelegate = delegate?.listener(self, didAccept: connection) {
            connection.delegate = connectionDelegate
        } else {
            connection.abort()
        }
    }
}

extension TCPListener: IOHandler {
    /// Accepts pending connections.
    public func handleIOEvents(_ events: IOEvents, for registration: IORegistration) {
        acceptAvailable()
    }

    /// Closes the listener when the loop shuts down.
    public func eventLoopWillClose(_ registration: IORegistration) {
        close()
    }
}

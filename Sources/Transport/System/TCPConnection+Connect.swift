extension TCPConnection {
    /// Opens an outbound connection to `address` without blocking. The delegate hears
    /// `connectionDidConnect` once established, or `didCloseWith: .connectFailed(…)` (refused,
    /// unreachable, or no handshake within `timeout`). Writes made while connecting are queued.
    /// Throws only if the socket cannot be created or the address is rejected at once.
    /// Loop-confined.
    public static func connect(
        to address: SocketAddress,
        on loop: EventLoop,
        options: Options = Options(),
        timeout: Duration? = .seconds(10),
        delegate: any TCPConnectionDelegate
    ) throws(SystemError) -> TCPConnection {
        loop.preconditionConfined()
        let descriptor = try Syscall.makeTCPSocket(family: address.family)
        let connection: TCPConnection
        do {
            // Connected at once or in progress: either way writability reports the outcome.
            _ = try Syscall.connect(descriptor, to: address)
            connection = try TCPConnection(
                descriptor: descriptor, remoteAddress: address, loop: loop, options: options, connecting: true)
        } catch {
            try? Syscall.close(descriptor)
            throw error
        }
        connection.delegate = delegate
        if let timeout {
            connection.connectTimer = loop.scheduleTimer(after: timeout) { [weak connection] in
                connection?.connectTimedOut()
            }
        }
        return connection
    }

    func finishConnecting(_ events: IOEvents) {
        let pending: Errno?
        do {
            pending = try Syscall.pendingSocketError(descriptor)
        } catch {
            finish(.connectFailed(error), reset: false)
            return
        }
        if let pending {
            finish(.connectFailed(SystemError(call: "connect", errno: pending)), reset: false)
            return
        }
        guard events.contains(.writable) else { return }
        if let timer = connectTimer { loop.cancelTimer(timer) }
        connectTimer = nil
        state = .open
        localAddress = try? Syscall.localAddress(of: descriptor)
        flow.noteActivity(at: loop.now())
        delegate?.connectionDidConnect(self)
        guard state == .open else { return }
        flow.socketBecameWritable()
        if flow.shouldSend { flushOutput() }
        refreshInterest()
        scheduleTimeoutIfNeeded()
    }

    private func connectTimedOut() {
        connectTimer = nil
        guard state == .connecting else { return }
        finish(.connectFailed(SystemError(call: "connect", errno: .timedOut)), reset: false)
    }
}

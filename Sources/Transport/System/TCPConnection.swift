/// A TCP connection on an event loop with bounded input and output buffers.
///
/// - Reading: bytes are appended to `inputBytes` up to `Options.inputLimit`; the delegate hears
///   `connectionDidRead` and consumes what it can (`consumeInput`). A full buffer (or
///   `pauseReading()`) stops reading — `EPOLLIN` is dropped — until room is made, so a slow
///   consumer pushes back on the peer through TCP flow control.
/// - Writing: `write` hands bytes to the kernel at once when it can and queues the rest;
///   `EPOLLOUT` is requested only while output waits. A peer that stops reading gets cut off when
///   the queue exceeds `Options.outputLimit` or makes no progress for `writeStallTimeout`, and
///   the delegate is told why (`CloseReason.isCutOff`).
/// - Closing: end of file, resets, errors, timeouts and loop shutdown all end in exactly one
///   `connection(_:didCloseWith:)`.
///
/// Loop-confined: use it only on its loop's thread (carry it across threads in a `LoopBound`).
/// The loop keeps it alive while it is open.
public final class TCPConnection {
    /// Where a connection is in its life.
    public enum State: Sendable, Hashable {
        /// An outbound connection waiting for the handshake.
        case connecting
        /// Established.
        case open
        /// `close()` was called or the peer finished: flushing queued output, then closing.
        case closing
        /// Closed, with the reason.
        case closed(CloseReason)
    }

    /// The loop the connection lives on.
    public let loop: EventLoop
    /// Its limits and socket settings.
    public let options: Options
    /// The peer's address, when known.
    public let remoteAddress: SocketAddress?
    /// The local address, when known (after connecting for outbound connections).
    public internal(set) var localAddress: SocketAddress?
    /// The current state.
    public internal(set) var state: State
    /// Receives the connection's events; held strongly until the close is reported.
    public var delegate: (any TCPConnectionDelegate)?

    let descriptor: FileDescriptor
    var registration: IORegistration?
    var flow: ConnectionFlow
    var input = ByteQueue()
    var output = ByteQueue()
    var currentInterest: IOInterest
    var timeoutTimer: (id: TimerID, deadline: MonotonicInstant)?
    var connectTimer: TimerID?
    var outputShutdown = OutputShutdown.none
    /// The peer's end of file has been read.
    var peerSentEOF = false
    var pendingCloseReason = CloseReason.closedLocally

    enum OutputShutdown {
        case none
        case requested
        case done
    }

    /// Wraps a connected (or connecting) non-blocking socket and registers it with `loop`. On
    /// failure the caller still owns `descriptor`.
    init(
        descriptor: FileDescriptor, remoteAddress: SocketAddress?, loop: EventLoop, options: Options, connecting: Bool
    ) throws(SystemError) {
        self.loop = loop
        self.options = options
        self.descriptor = descriptor
        self.remoteAddress = remoteAddress
        self.state = connecting ? .connecting : .open
        self.flow = ConnectionFlow(limits: options.flowLimits, now: loop.now())
        self.currentInterest = connecting ? .write : .read
        try Syscall.setOption(.noDelay, to: options.noDelay ? 1 : 0, on: descriptor)
        if let size = options.sendBufferSize {
            try Syscall.setOption(.sendBufferSize, to: Int32(clamping: size), on: descriptor)
        }
        if let size = options.receiveBufferSize {
            try Syscall.setOption(.receiveBufferSize, to: Int32(clamping: size), on: descriptor)
        }
        if !connecting {
            self.localAddress = try? Syscall.localAddress(of: descriptor)
        }
        self.registration = try loop.register(descriptor, interest: currentInterest, handler: self)
        scheduleTimeoutIfNeeded()
    }

    // MARK: Input

    /// The bytes received and not yet consumed, oldest first (at most `options.inputLimit`).
    public var inputBytes: ArraySlice<UInt8> {
        loop.preconditionConfined()
        return input.readableBytes
    }

    /// Drops the first `count` bytes of `inputBytes`, making room to read more.
    public func consumeInput(_ count: Int) {
        loop.preconditionConfined()
        guard count > 0 else { return }
        input.consume(count)
        flow.didConsume(count)
        refreshInterest()
    }

    /// Stops reading even though the input buffer has room (e.g. while a downstream is busy).
    public func pauseReading() {
        loop.preconditionConfined()
        flow.setReadingPaused(true)
        refreshInterest()
    }

    /// Undoes `pauseReading()`.
    public func resumeReading() {
        loop.preconditionConfined()
        flow.setReadingPaused(false)
        refreshInterest()
    }

    /// Whether the connection is currently asking the loop for input.
    public var isReading: Bool {
        loop.preconditionConfined()
        return currentInterest.contains(.read)
    }

    // MARK: Output

    /// Queues `bytes` for the peer, sending at once what the kernel accepts. Returns false if
    /// the connection is not open for writing, or if this write cut it off (the delegate then
    /// hears why, right after the current callback).
    @discardableResult
    public func write<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> Bool {
        loop.preconditionConfined()
        switch state {
        case .open, .connecting: break
        case .closing, .closed: return false
        }
        guard outputShutdown == .none else { return false }
        let before = output.count
        output.append(contentsOf: bytes)
        let added = output.count - before
        guard added > 0 else { return true }
        flow.didEnqueue(added, at: loop.now())
        if state == .open { flushOutput() }
        guard state == .open || state == .connecting else { return false }
        if let reason = flow.outputLimitViolation() {
            finish(reason, reset: true)
            return false
        }
        refreshInterest()
        scheduleTimeoutIfNeeded()
        return true
    }

    /// Bytes queued in user space, not yet accepted by the kernel.
    public var queuedOutputCount: Int {
        loop.preconditionConfined()
        return output.count
    }

    /// false while queued output is above the high-water mark; `connectionDidBecomeWritable`
    /// follows when it drains to the low-water mark.
    public var isWritable: Bool {
        loop.preconditionConfined()
        return flow.isWritable
    }

    // MARK: Closing

    /// Half-closes: once queued output is flushed, sends end of file (`shutdown(SHUT_WR)`);
    /// reading continues.
    public func shutdownOutput() {
        loop.preconditionConfined()
        guard state == .open, outputShutdown == .none else { return }
        outputShutdown = .requested
        if output.isEmpty { finishOutputShutdown() }
    }

    /// Closes gracefully: stops delivering input (further input is read and discarded, so the
    /// kernel does not answer the final close with a reset), flushes queued output (bounded by
    /// the stall timeout), then closes. The delegate hears `.closedLocally`.
    public func close() {
        loop.preconditionConfined()
        beginClose(.closedLocally)
    }

    /// Closes at once, discarding queued output and resetting the connection (RST). The delegate
    /// hears `.closedLocally`.
    public func abort() {
        loop.preconditionConfined()
        finish(.closedLocally, reset: true)
    }
}

/// The bookkeeping and backpressure decisions of one TCP connection, with no I/O: byte counts
/// against the input and output limits, whether to read, whether to wait for writability, when
/// the writability signal flips, and which timeout (idle, write stall) expires when.
///
/// `TCPConnection` feeds it what the socket did and runs the decisions; tests drive it directly
/// with made-up byte counts and instants.
struct ConnectionFlow {
    /// The limits it enforces (see `TCPConnection.Options`).
    struct Limits: Hashable {
        var inputLimit: Int
        var outputLimit: Int
        var highWaterMark: Int
        var lowWaterMark: Int
        var idleTimeout: Duration?
        var writeStallTimeout: Duration?
    }

    let limits: Limits

    /// Unconsumed input bytes.
    private(set) var inputCount = 0
    /// Output bytes queued in user space (not yet accepted by the kernel).
    private(set) var outputCount = 0
    /// No more reading: end of file arrived, or the connection is closing.
    private(set) var inputClosed = false
    /// The owner asked to stop reading (`pauseReading`).
    private(set) var readingPaused = false
    /// The kernel's send buffer was full at the last attempt; wait for writability.
    private(set) var sendBlocked = false
    /// The writability signal (hysteresis between the water marks).
    private(set) var isWritable = true
    /// The last time any byte was read or written.
    private(set) var lastActivity: MonotonicInstant
    /// The last time queued output shrank, or began to be queued.
    private(set) var lastWriteProgress: MonotonicInstant

    init(limits: Limits, now: MonotonicInstant) {
        self.limits = limits
        self.lastActivity = now
        self.lastWriteProgress = now
    }

    // MARK: Input

    /// How many more bytes may be read now.
    var readCapacity: Int { max(0, limits.inputLimit - inputCount) }

    /// Whether the socket should be read (and `EPOLLIN` requested).
    var wantsRead: Bool { !inputClosed && !readingPaused && inputCount < limits.inputLimit }

    /// `count` bytes were read and appended to the input buffer.
    mutating func didRead(_ count: Int, at now: MonotonicInstant) {
        precondition(count > 0 && count <= readCapacity, "read \(count) with room for \(readCapacity)")
        inputCount += count
        lastActivity = now
    }

    /// The owner consumed `count` input bytes.
    mutating func didConsume(_ count: Int) {
        precondition(count >= 0 && count <= inputCount, "consumed \(count) of \(inputCount)")
        inputCount -= count
    }

    /// End of file, or the connection is closing: never read again.
    mutating func closeInput() { inputClosed = true }

    /// The owner stops or resumes reading regardless of buffer room.
    mutating func setReadingPaused(_ paused: Bool) { readingPaused = paused }

    // MARK: Output

    /// Whether queued output should be handed to `send` now.
    var shouldSend: Bool { outputCount > 0 && !sendBlocked }

    /// Whether to ask for `EPOLLOUT`: only while output waits for room in the kernel.
    var wantsWritableEvents: Bool { outputCount > 0 && sendBlocked }

    /// The interest to register; `reading` is false while connecting or closing.
    func interest(reading: Bool) -> IOInterest {
        var interest: IOInterest = []
        if reading && wantsRead { interest.insert(.read) }
        if wantsWritableEvents { interest.insert(.write) }
        return interest
    }

    /// `count` bytes were queued for output.
    mutating func didEnqueue(_ count: Int, at now: MonotonicInstant) {
        precondition(count >= 0)
        if outputCount == 0 { lastWriteProgress = now }
        outputCount += count
        if outputCount > limits.highWaterMark { isWritable = false }
    }

    /// `send` took `sent` of the `attempted` bytes (`attempted > sent` includes would-block).
    /// Returns true when this made the connection writable again (crossed the low-water mark).
    mutating func didSend(_ sent: Int, of attempted: Int, at now: MonotonicInstant) -> Bool {
        precondition(sent >= 0 && sent <= attempted && attempted <= outputCount)
        outputCount -= sent
        if sent > 0 {
            lastActivity = now
            lastWriteProgress = now
        }
        sendBlocked = sent < attempted
        if !isWritable && outputCount <= limits.lowWaterMark {
            isWritable = true
            return true
        }
        return false
    }

    /// epoll reported room in the send buffer.
    mutating func socketBecameWritable() { sendBlocked = false }

    /// The cut-off verdict after a write and its send attempt: the queue must not exceed the limit.
    func outputLimitViolation() -> CloseReason? {
        outputCount > limits.outputLimit ? .outputLimitExceeded(queued: outputCount, limit: limits.outputLimit) : nil
    }

    /// Forgets queued output (the connection is gone).
    mutating func discardOutput() {
        outputCount = 0
        sendBlocked = false
    }

    // MARK: Deadlines

    /// Restarts the idle clock (e.g. when an outbound connection is established).
    mutating func noteActivity(at now: MonotonicInstant) {
        lastActivity = now
    }

    /// When the next timeout would expire if nothing happens; nil if none applies.
    var nextDeadline: MonotonicInstant? {
        var deadline: MonotonicInstant?
        if let idle = limits.idleTimeout {
            deadline = lastActivity + idle
        }
        if outputCount > 0, let stall = limits.writeStallTimeout {
            let stallDeadline = lastWriteProgress + stall
            deadline = deadline.map { min($0, stallDeadline) } ?? stallDeadline
        }
        return deadline
    }

    /// The timeout that has expired at `now`, if any (a stalled write wins over idleness).
    func expiredTimeout(at now: MonotonicInstant) -> CloseReason? {
        if outputCount > 0, let stall = limits.writeStallTimeout, lastWriteProgress + stall <= now {
            return .writeStalled(after: stall)
        }
        if let idle = limits.idleTimeout, lastActivity + idle <= now {
            return .idleTimeout(after: idle)
        }
        return nil
    }
}

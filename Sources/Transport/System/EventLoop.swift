import Glibc

/// A single-threaded, non-blocking epoll event loop: descriptors with read/write interest and a
/// handler, timers on an injectable clock, work handed in from other threads, and an end-of-turn
/// hook.
///
/// ## Threading model
/// One thread runs the loop (`run()`); it owns all of the loop's state — registrations, timers,
/// local tasks, hooks, statistics — and every handler, timer, task and hook runs on it, one at a
/// time, so they need no locks. The loop-confined API (`register`, `setInterest`, `deregister`,
/// `scheduleTimer`, `cancelTimer`, `enqueueLocalTask`, `addEndOfTurnHook`, `statistics`, and the
/// TCP types built on them) may be called only from that thread — or, before `run()` starts and
/// after it returns, from a single thread that hands the loop over with a happens-before edge
/// (starting the loop's thread is one). Misuse is a precondition failure.
///
/// The cross-thread entry points are `execute`, `executeAndWait`, `wakeUp`, `stop` and
/// `inEventLoop`. They touch only `shared`, a mutex-protected queue, and the eventfd.
///
/// `@unchecked Sendable` proof: the `let` properties are never reassigned after `init`; `clock`
/// is `Sendable`; the eventfd is written from any thread, which the kernel makes safe; `shared`
/// is a `LockedValue`; every other stored property, and the memory of `eventBuffer` and
/// `readBuffer`, is read and written only by the thread allowed by `preconditionConfined()`
/// (checked under `shared`'s lock on every loop-confined entry point), so no two threads ever
/// touch it concurrently. The eventfd and epoll descriptors are closed only in `deinit`, when no
/// other thread can hold a reference.
///
/// ## A turn
/// Each wake-up from `epoll_wait` is one turn: dispatch the ready descriptors, fire due timers,
/// run tasks handed in by `execute`, then call every end-of-turn hook once (the relay commits its
/// batch there), then compute the next timeout and sleep again. Local tasks
/// (`enqueueLocalTask`) run right after the callback that enqueued them returns.
public final class EventLoop: @unchecked Sendable {
    /// Where the loop reads the time for its timers and for connection timeouts.
    public let clock: any MonotonicClock

    let epoll: FileDescriptor
    let wakeDescriptor: FileDescriptor
    let eventBuffer: EpollEventBuffer
    /// A scratch buffer connections read into before copying to their bounded input buffers.
    let readBuffer: UnsafeMutableRawBufferPointer

    // MARK: Cross-thread state (behind the lock)

    struct SharedState: Sendable {
        enum Lifecycle: Sendable {
            case notStarted
            case running(pthread_t)
            case finished
        }

        var lifecycle: Lifecycle = .notStarted
        var tasks: [@Sendable () -> Void] = []
        var acceptingTasks = true
        var stopRequested = false
        /// Whether the eventfd has been signalled since the loop last took the task queue.
        var wakePending = false
    }

    let shared = LockedValue(SharedState())

    // MARK: Loop-confined state

    struct Registration {
        let handle: IORegistration
        var interest: IOInterest
        let handler: any IOHandler
    }

    var registrations: [UInt64: Registration] = [:]
    var nextRegistrationID: UInt64 = 1
    var timers = TimerQueue<() -> Void>()
    var localTasks: [() -> Void] = []
    var endOfTurnHooks: [(id: UInt64, body: () -> Void)] = []
    var nextHookID: UInt64 = 1
    var counters = EventLoopStatistics()

    /// The registration tag of the wake-up eventfd; registrations start at 1.
    static let wakeTag: UInt64 = 0
    /// Bytes in the shared read scratch buffer.
    static let readBufferSize = 64 * 1024

    /// Creates a loop (epoll instance and wake-up eventfd). It does nothing until `run()`.
    ///
    /// - Parameters:
    ///   - clock: the time source for timers and timeouts; `SystemClock()` in production.
    ///   - maximumEventsPerWakeUp: how many ready descriptors one `epoll_wait` returns at most.
    public init(clock: any MonotonicClock = SystemClock(), maximumEventsPerWakeUp: Int = 256) throws(SystemError) {
        self.clock = clock
        let epoll = try Syscall.epollCreate()
        let wake: FileDescriptor
        do {
            wake = try Syscall.makeEventFD()
            try Syscall.epollControl(epoll, .add, wake, events: IOInterest.read.epollMask, data: EventLoop.wakeTag)
        } catch {
            try? Syscall.close(epoll)
            throw error
        }
        self.epoll = epoll
        self.wakeDescriptor = wake
        self.eventBuffer = EpollEventBuffer(capacity: maximumEventsPerWakeUp)
        self.readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: EventLoop.readBufferSize, alignment: 16)
    }

    deinit {
        // The descriptors outlive `run()` so a late `execute` from another thread can never
        // write to a closed (or reused) eventfd; the last reference releases them.
        for registration in registrations.values {
            try? Syscall.close(registration.handle.descriptor)
        }
        try? Syscall.close(wakeDescriptor)
        try? Syscall.close(epoll)
        readBuffer.deallocate()
    }

    /// Whether the calling thread is the one running the loop.
    public var inEventLoop: Bool {
        shared.withLock { state in
            if case let .running(thread) = state.lifecycle { return pthread_equal(thread, pthread_self()) != 0 }
            return false
        }
    }

    /// Checks the threading rule for loop-confined state; returns whether the loop has finished.
    @discardableResult
    public func preconditionConfined(_ function: StaticString = #function) -> Bool {
        let (allowed, finished) = shared.withLock { state -> (Bool, Bool) in
            switch state.lifecycle {
            case .notStarted: return (true, false)
            case let .running(thread): return (pthread_equal(thread, pthread_self()) != 0, false)
            case .finished: return (true, true)
            }
        }
        precondition(allowed, "EventLoop.\(function) called off the loop thread while the loop runs")
        return finished
    }

    /// Counters describing the loop's work so far. Loop-confined.
    public var statistics: EventLoopStatistics {
        preconditionConfined()
        return counters
    }
}

/// Counters an event loop keeps; read through `EventLoop.statistics`.
public struct EventLoopStatistics: Sendable, Hashable {
    /// Wake-ups from `epoll_wait` (plus the final turn at shutdown); also the number of times each
    /// end-of-turn hook has run.
    public internal(set) var turns: UInt64 = 0
    /// Wake-ups caused by a signal interrupting `epoll_wait` (`EINTR`).
    public internal(set) var interruptedWaits: UInt64 = 0
    /// Descriptor events handed to handlers.
    public internal(set) var eventsDispatched: UInt64 = 0
    /// Timers fired.
    public internal(set) var timersFired: UInt64 = 0
    /// Tasks from `execute` run.
    public internal(set) var tasksRun: UInt64 = 0
}

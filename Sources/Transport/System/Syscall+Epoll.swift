import CSystem
import Glibc

/// Operations on an epoll interest list.
package enum EpollOperation: Sendable {
    /// `EPOLL_CTL_ADD`.
    case add
    /// `EPOLL_CTL_MOD`.
    case modify
    /// `EPOLL_CTL_DEL`.
    case delete

    var cValue: Int32 {
        switch self {
        case .add: return VIGIL_EPOLL_CTL_ADD
        case .modify: return VIGIL_EPOLL_CTL_MOD
        case .delete: return VIGIL_EPOLL_CTL_DEL
        }
    }
}

extension Syscall {
    /// Creates a close-on-exec epoll instance.
    ///
    /// The corresponding C function is `epoll_create1`.
    package static func epollCreate() throws(SystemError) -> FileDescriptor {
        FileDescriptor(rawValue: try run("epoll_create1") { epoll_create1(VIGIL_EPOLL_CLOEXEC) })
    }

    /// Adds, changes or removes `fd` in `epoll`'s interest list; `data` comes back with its events.
    ///
    /// The corresponding C function is `epoll_ctl`.
    package static func epollControl(
        _ epoll: FileDescriptor, _ operation: EpollOperation, _ fd: FileDescriptor, events: UInt32, data: UInt64
    ) throws(SystemError) {
        _ = try run("epoll_ctl") { vigil_epoll_ctl(epoll.rawValue, operation.cValue, fd.rawValue, events, data) }
    }

    /// Waits up to `timeoutMilliseconds` (-1: forever, 0: poll) for events, storing up to
    /// `buffer.capacity` of them; returns how many, or nil when a signal interrupted the wait
    /// (`EINTR` is not retried here so the caller can recompute its timeout).
    ///
    /// The corresponding C function is `epoll_wait`.
    package static func epollWait(
        _ epoll: FileDescriptor, into buffer: EpollEventBuffer, timeoutMilliseconds: Int32
    ) throws(SystemError) -> Int? {
        let result = vigil_epoll_wait(epoll.rawValue, buffer.storage, Int32(buffer.capacity), timeoutMilliseconds)
        if result >= 0 { return Int(result) }
        let error = Errno.current
        if error == .interrupted { return nil }
        preconditionAcceptable(error, "epoll_wait")
        throw SystemError(call: "epoll_wait", errno: error)
    }

    /// Creates a non-blocking, close-on-exec eventfd with counter `initialValue`.
    ///
    /// The corresponding C function is `eventfd`.
    package static func makeEventFD(initialValue: UInt32 = 0) throws(SystemError) -> FileDescriptor {
        FileDescriptor(rawValue: try run("eventfd") { eventfd(initialValue, VIGIL_EFD_NONBLOCK | VIGIL_EFD_CLOEXEC) })
    }

    /// Adds `value` to an eventfd's counter, making it readable. `.wouldBlock` only if the counter
    /// would overflow, which means it is already readable.
    ///
    /// The corresponding C function is `write`.
    package static func signalEventFD(_ fd: FileDescriptor, by value: UInt64 = 1) throws(SystemError) -> IOResult<Int> {
        var value = value
        return try withUnsafeBytes(of: &value) { (bytes) throws(SystemError) -> IOResult<Int> in
            try write(fd, from: bytes)
        }
    }

    /// Reads and resets an eventfd's or timerfd's 8-byte counter; `.wouldBlock` when it is zero.
    ///
    /// The corresponding C function is `read`.
    package static func readCounter(_ fd: FileDescriptor) throws(SystemError) -> IOResult<UInt64> {
        var value: UInt64 = 0
        let result = try withUnsafeMutableBytes(of: &value) { (bytes) throws(SystemError) -> IOResult<Int> in
            try read(fd, into: bytes)
        }
        switch result {
        case .wouldBlock: return .wouldBlock
        case .processed: return .processed(value)
        }
    }

    /// Creates a non-blocking, close-on-exec timerfd on `CLOCK_MONOTONIC`.
    ///
    /// The corresponding C function is `timerfd_create`.
    package static func makeTimerFD() throws(SystemError) -> FileDescriptor {
        FileDescriptor(rawValue: try run("timerfd_create") {
            timerfd_create(CLOCK_MONOTONIC, VIGIL_TFD_NONBLOCK | VIGIL_TFD_CLOEXEC)
        })
    }

    /// Arms a timerfd to expire after `initial` and then every `interval` (nil: once); a zero
    /// `initial` disarms it. Its counter (`readCounter`) counts expirations.
    ///
    /// The corresponding C function is `timerfd_settime`.
    package static func setTimer(_ fd: FileDescriptor, initial: Duration, interval: Duration? = nil) throws(SystemError) {
        let first = UInt64(max(0, initial.nanosecondsClamped))
        let every = UInt64(max(0, interval?.nanosecondsClamped ?? 0))
        _ = try run("timerfd_settime") { vigil_timerfd_settime(fd.rawValue, first, every) }
    }
}

/// A buffer `epoll_wait` fills; owned by one event loop and freed with it.
package final class EpollEventBuffer {
    let storage: UnsafeMutableRawPointer
    /// How many events fit.
    package let capacity: Int

    /// Allocates room for `capacity` events.
    package init(capacity: Int) {
        precondition(capacity > 0, "an epoll buffer holds at least one event")
        self.capacity = capacity
        let size = Int(vigil_epoll_event_size())
        self.storage = UnsafeMutableRawPointer.allocate(byteCount: size * capacity, alignment: 8)
    }

    deinit { storage.deallocate() }

    /// The event mask of the `index`-th event.
    package func events(at index: Int) -> UInt32 { vigil_epoll_event_events(storage, Int32(index)) }

    /// The tag of the `index`-th event.
    package func data(at index: Int) -> UInt64 { vigil_epoll_event_data(storage, Int32(index)) }
}

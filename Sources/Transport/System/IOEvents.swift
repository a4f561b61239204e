import CSystem

/// What a registration wants to hear about.
public struct IOInterest: OptionSet, Hashable, Sendable {
    /// The descriptor's raw bit set.
    public let rawValue: UInt8

    /// Wraps a raw bit set.
    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// Readable (`EPOLLIN`): data, end of file, or a pending connection on a listener.
    public static let read = IOInterest(rawValue: 1 << 0)
    /// Writable (`EPOLLOUT`): room in the send buffer, or a finished non-blocking connect.
    public static let write = IOInterest(rawValue: 1 << 1)

    /// The `epoll_ctl` event mask (level-triggered).
    var epollMask: UInt32 {
        var mask: UInt32 = 0
        if contains(.read) { mask |= VIGIL_EPOLLIN }
        if contains(.write) { mask |= VIGIL_EPOLLOUT }
        return mask
    }
}

/// What epoll reported for a descriptor in one wake-up.
///
/// `hangup` and `error` are reported even without interest in them. Events may be stale by the
/// time a handler sees them (an earlier handler in the same batch may have drained or changed the
/// descriptor), so handlers treat them as hints and rely on `wouldBlock`.
public struct IOEvents: OptionSet, Hashable, Sendable, CustomStringConvertible {
    /// The raw bit set.
    public let rawValue: UInt8

    /// Wraps a raw bit set.
    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// `EPOLLIN`.
    public static let readable = IOEvents(rawValue: 1 << 0)
    /// `EPOLLOUT`.
    public static let writable = IOEvents(rawValue: 1 << 1)
    /// `EPOLLHUP`: both directions are shut (or the socket never connected).
    public static let hangup = IOEvents(rawValue: 1 << 2)
    /// `EPOLLERR`: an error is pending on the socket (`SO_ERROR`).
    public static let error = IOEvents(rawValue: 1 << 3)
    /// `EPOLLRDHUP`: the peer shut down its sending side.
    public static let readHangup = IOEvents(rawValue: 1 << 4)

    /// Converts an `epoll_wait` event mask.
    init(epollMask mask: UInt32) {
        var events: IOEvents = []
        if mask & VIGIL_EPOLLIN != 0 { events.insert(.readable) }
        if mask & VIGIL_EPOLLOUT != 0 { events.insert(.writable) }
        if mask & VIGIL_EPOLLHUP != 0 { events.insert(.hangup) }
        if mask & VIGIL_EPOLLERR != 0 { events.insert(.error) }
        if mask & VIGIL_EPOLLRDHUP != 0 { events.insert(.readHangup) }
        self = events
    }

    /// "[readable, hangup]".
    public var description: String {
        let names: [(IOEvents, String)] = [
            (.readable, "readable"), (.writable, "writable"), (.hangup, "hangup"),
            (.error, "error"), (.readHangup, "readHangup"),
        ]
        return "[" + names.filter { contains($0.0) }.map(\.1).joined(separator: ", ") + "]"
    }
}

/// A descriptor registered with an event loop.
public struct IORegistration: Hashable, Sendable {
    /// The loop's key for this registration (never reused by that loop, unlike descriptor numbers).
    let id: UInt64
    /// The registered descriptor.
    public let descriptor: FileDescriptor
}

/// Receives readiness for a registered descriptor. Every call happens on the loop thread.
public protocol IOHandler: AnyObject {
    /// epoll reported `events` for `registration`.
    func handleIOEvents(_ events: IOEvents, for registration: IORegistration)

    /// The loop is shutting down while `registration` is still registered: release resources and
    /// tell whoever depends on them. Afterwards the loop deregisters and closes the descriptor if
    /// the handler has not done so itself.
    func eventLoopWillClose(_ registration: IORegistration)
}

/// A failed system call: which call, the `errno` it reported and the C library's text for it.
///
/// Thrown by every syscall wrapper in the transport. "Would block" is never an error (see
/// `IOResult`), `EINTR` is retried, and `EBADF`/`EFAULT` stop the process as programmer errors, so
/// a `SystemError` always describes a condition of the system or the peer.
public struct SystemError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The name of the failing call, e.g. `accept4` or `epoll_ctl`.
    public let call: String
    /// The error number the call reported.
    public let errno: Errno
    /// The C library's text for `errno` (`strerror`), captured when the error was made.
    public let message: String

    /// Makes the error for `call` failing with `errno`.
    public init(call: String, errno: Errno) {
        self.call = call
        self.errno = errno
        self.message = errno.description
    }

    /// "`call`: `message` (errno `n`)", e.g. "bind: Address already in use (errno 98)".
    public var description: String { "\(call): \(message) (errno \(errno.rawValue))" }
}

/// The outcome of a non-blocking operation that did not fail: it either did its work, or it would
/// have had to block and did nothing.
public enum IOResult<Value> {
    /// The call completed with this value (a byte count, a new descriptor, …).
    case processed(Value)
    /// The call returned `EAGAIN`/`EWOULDBLOCK`: nothing happened; wait for readiness and retry.
    case wouldBlock
}

extension IOResult: Sendable where Value: Sendable {}
extension IOResult: Equatable where Value: Equatable {}

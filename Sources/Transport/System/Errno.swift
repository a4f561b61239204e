import CSystem
import Glibc

/// A POSIX error number, as a thin wrapper that can be compared and matched in `catch` clauses.
///
/// The named constants cover the values Vigil's transport handles specially; any other value is
/// still representable through `init(rawValue:)`.
public struct Errno: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The C `errno` value.
    public let rawValue: Int32

    /// Wraps a C `errno` value.
    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// The calling thread's current `errno`.
    static var current: Errno { Errno(rawValue: errno) }

    /// `EINTR`: a signal interrupted the call.
    public static let interrupted = Errno(rawValue: EINTR)
    /// `EAGAIN` (also `EWOULDBLOCK` on Linux): a non-blocking call would have blocked.
    public static let wouldBlock = Errno(rawValue: EAGAIN)
    /// `EINPROGRESS`: a non-blocking `connect` has started.
    public static let inProgress = Errno(rawValue: EINPROGRESS)
    /// `EBADF`: not an open file descriptor.
    public static let badFileDescriptor = Errno(rawValue: EBADF)
    /// `EFAULT`: a pointer argument is outside the address space.
    public static let badAddress = Errno(rawValue: EFAULT)
    /// `EINVAL`: an argument is invalid.
    public static let invalidArgument = Errno(rawValue: EINVAL)
    /// `EADDRINUSE`: the local address is already in use.
    public static let addressInUse = Errno(rawValue: EADDRINUSE)
    /// `EADDRNOTAVAIL`: the address is not available on this host.
    public static let addressNotAvailable = Errno(rawValue: EADDRNOTAVAIL)
    /// `ECONNREFUSED`: nothing listens at the remote address.
    public static let connectionRefused = Errno(rawValue: ECONNREFUSED)
    /// `ECONNRESET`: the peer reset the connection.
    public static let connectionReset = Errno(rawValue: ECONNRESET)
    /// `ECONNABORTED`: a connection was aborted before it was accepted.
    public static let connectionAborted = Errno(rawValue: ECONNABORTED)
    /// `EPIPE`: writing to a connection whose peer has gone.
    public static let brokenPipe = Errno(rawValue: EPIPE)
    /// `ENOTCONN`: the socket is not connected.
    public static let notConnected = Errno(rawValue: ENOTCONN)
    /// `ETIMEDOUT`: the operation timed out.
    public static let timedOut = Errno(rawValue: ETIMEDOUT)
    /// `EMFILE`: the process has reached its limit on open file descriptors.
    public static let tooManyOpenFiles = Errno(rawValue: EMFILE)
    /// `ENFILE`: the system has reached its limit on open files.
    public static let tooManyOpenFilesInSystem = Errno(rawValue: ENFILE)
    /// `ENOBUFS`: no buffer space is available.
    public static let noBufferSpace = Errno(rawValue: ENOBUFS)
    /// `ENOMEM`: the kernel is out of memory.
    public static let outOfMemory = Errno(rawValue: ENOMEM)
    /// `EPROTO`: a protocol error (e.g. a connection failed before `accept` returned it).
    public static let protocolError = Errno(rawValue: EPROTO)
    /// `EPERM`: the operation is not permitted (e.g. a firewall refused a connection).
    public static let notPermitted = Errno(rawValue: EPERM)
    /// `ESHUTDOWN`: the endpoint (here: the event loop) has shut down.
    public static let shutDown = Errno(rawValue: ESHUTDOWN)

    /// The C library's text for this error (thread-safe `strerror_r`), e.g. "Connection reset by peer".
    public var description: String {
        var text = [CChar](repeating: 0, count: 256)
        text.withUnsafeMutableBufferPointer { vigil_strerror(rawValue, $0.baseAddress, $0.count) }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

import CSystem
import Glibc

/// The syscall edge: each system call the transport makes, wrapped exactly once.
///
/// Every wrapper follows the same rules:
/// - `EINTR` is retried (except `close`, which on Linux has released the descriptor either way,
///   and `epoll_wait`, which reports the interruption so the loop can recompute its timeout);
/// - `EAGAIN`/`EWOULDBLOCK` becomes `IOResult.wouldBlock` on the calls that can block;
/// - `EBADF` and `EFAULT` mean the caller passed a closed descriptor or a bad pointer: a
///   programmer error that stops the process with a precondition failure;
/// - anything else throws a `SystemError` naming the call.
///
/// All descriptors Vigil creates are non-blocking and close-on-exec.
package enum Syscall {}

extension Syscall {
    /// Stops the process if `errno` says the caller misused a descriptor or pointer.
    @inline(__always)
    static func preconditionAcceptable(_ errno: Errno, _ call: StaticString) {
        precondition(
            errno != .badFileDescriptor && errno != .badAddress,
            "\(call) failed with \(errno) (errno \(errno.rawValue)): programmer error"
        )
    }

    /// Runs a call that returns -1 on failure and never blocks; retries `EINTR`.
    @inline(__always)
    static func run(_ call: StaticString, _ body: () -> Int32) throws(SystemError) -> Int32 {
        while true {
            let result = body()
            if result != -1 { return result }
            let error = Errno.current
            if error == .interrupted { continue }
            preconditionAcceptable(error, call)
            throw SystemError(call: "\(call)", errno: error)
        }
    }

    /// Runs a call that returns -1 on failure and may block; retries `EINTR`, maps `EAGAIN`.
    @inline(__always)
    static func runIO(_ call: StaticString, _ body: () -> Int32) throws(SystemError) -> IOResult<Int32> {
        while true {
            let result = body()
            if result != -1 { return .processed(result) }
            let error = Errno.current
            if error == .interrupted { continue }
            if error == .wouldBlock { return .wouldBlock }
            preconditionAcceptable(error, call)
            throw SystemError(call: "\(call)", errno: error)
        }
    }

    /// Like `runIO` for the calls returning `ssize_t`.
    @inline(__always)
    static func runIO(_ call: StaticString, _ body: () -> Int) throws(SystemError) -> IOResult<Int> {
        while true {
            let result = body()
            if result != -1 { return .processed(result) }
            let error = Errno.current
            if error == .interrupted { continue }
            if error == .wouldBlock { return .wouldBlock }
            preconditionAcceptable(error, call)
            throw SystemError(call: "\(call)", errno: error)
        }
    }
}

// MARK: - Plain descriptors

extension Syscall {
    /// Reads at most `buffer.count` bytes; `.processed(0)` is end of file.
    ///
    /// The corresponding C function is `read`.
    package static func read(
        _ fd: FileDescriptor, into buffer: UnsafeMutableRawBufferPointer
    ) throws(SystemError) -> IOResult<Int> {
        try runIO("read") { Glibc.read(fd.rawValue, buffer.baseAddress, buffer.count) }
    }

    /// Writes at most `buffer.count` bytes and returns how many were written.
    ///
    /// The corresponding C function is `write`. On sockets prefer `send`, which never raises
    /// `SIGPIPE`.
    package static func write(
        _ fd: FileDescriptor, from buffer: UnsafeRawBufferPointer
    ) throws(SystemError) -> IOResult<Int> {
        try runIO("write") { Glibc.write(fd.rawValue, buffer.baseAddress, buffer.count) }
    }

    /// Scatter read into `buffers` (at most `IOV_MAX` of them) in one call.
    ///
    /// The corresponding C function is `readv`.
    package static func readv(
        _ fd: FileDescriptor, into buffers: [UnsafeMutableRawBufferPointer]
    ) throws(SystemError) -> IOResult<Int> {
        precondition(buffers.count <= Int(vigil_iov_max()), "readv: more than IOV_MAX buffers")
        let vectors = buffers.map { iovec(iov_base: $0.baseAddress, iov_len: $0.count) }
        return try vectors.withUnsafeBufferPointer { (vectors) throws(SystemError) -> IOResult<Int> in
            try runIO("readv") { Glibc.readv(fd.rawValue, vectors.baseAddress, Int32(vectors.count)) }
        }
    }

    /// Gather write of `buffers` (at most `IOV_MAX` of them) in one call.
    ///
    /// The corresponding C function is `writev`. On sockets prefer `send`, which never raises
    /// `SIGPIPE`.
    package static func writev(
        _ fd: FileDescriptor, from buffers: [UnsafeRawBufferPointer]
    ) throws(SystemError) -> IOResult<Int> {
        precondition(buffers.count <= Int(vigil_iov_max()), "writev: more than IOV_MAX buffers")
        let vectors = buffers.map { iovec(iov_base: UnsafeMutableRawPointer(mutating: $0.baseAddress), iov_len: $0.count) }
        return try vectors.withUnsafeBufferPointer { (vectors) throws(SystemError) -> IOResult<Int> in
            try runIO("writev") { Glibc.writev(fd.rawValue, vectors.baseAddress, Int32(vectors.count)) }
        }
    }

    /// Closes `fd`.
    ///
    /// `EINTR` is not retried: Linux releases the descriptor before the interruption can be
    /// reported, and retrying could close a descriptor another thread has just been given.
    /// The corresponding C function is `close`.
    package static func close(_ fd: FileDescriptor) throws(SystemError) {
        guard Glibc.close(fd.rawValue) == -1 else { return }
        let error = Errno.current
        if error == .interrupted { return }
        preconditionAcceptable(error, "close")
        throw SystemError(call: "close", errno: error)
    }

    /// Creates a pipe; both ends non-blocking and close-on-exec.
    ///
    /// The corresponding C function is `pipe2`.
    package static func makePipe() throws(SystemError) -> (read: FileDescriptor, write: FileDescriptor) {
        var ends: [Int32] = [-1, -1]
        _ = try run("pipe2") { vigil_pipe2(&ends, O_NONBLOCK | O_CLOEXEC) }
        return (FileDescriptor(rawValue: ends[0]), FileDescriptor(rawValue: ends[1]))
    }

    /// Waits up to `timeoutMilliseconds` (-1: forever) for `events` on `fd` and returns the events
    /// reported, or nil on timeout. `EINTR` is reported as a timeout so the caller can recompute
    /// its deadline.
    ///
    /// The corresponding C function is `poll`.
    static func poll(_ fd: FileDescriptor, events: Int16, timeoutMilliseconds: Int32) throws(SystemError) -> Int16? {
        var entry = pollfd(fd: fd.rawValue, events: events, revents: 0)
        let result = Glibc.poll(&entry, 1, timeoutMilliseconds)
        if result > 0 { return entry.revents }
        if result == 0 { return nil }
        let error = Errno.current
        if error == .interrupted { return nil }
        preconditionAcceptable(error, "poll")
        throw SystemError(call: "poll", errno: error)
    }
}

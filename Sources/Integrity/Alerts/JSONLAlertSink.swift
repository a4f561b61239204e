import Glibc

/// Writes alert transitions as JSON lines (``Alert/jsonLine``) to a file or standard output,
/// buffered: bytes reach the file in 64 KiB writes and on ``finish()`` — or, for a service whose
/// file is read while it runs (`lineBuffered`), at every delivery. A write failure is kept
/// and thrown by ``finish()`` (``AlertSink/deliver(_:)`` cannot throw); nothing more is written
/// after one.
public final class JSONLAlertSink: AlertSink {
    /// The path written to (`-` for standard output).
    public let path: String
    /// Lines written so far.
    public private(set) var lines = 0
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    private var failure: AlertSinkError?
    private let lineBuffered: Bool

    /// Bytes buffered before a write.
    static let bufferSize = 1 << 16

    /// Opens `path` (created 0600 — alerts name businesses), or standard output for `-`: truncated
    /// for a replay's output, or appended to (`append`) for a service that restarts. `lineBuffered`
    /// writes each delivery at once (alerts are rare; readers such as `tail -f` see them live).
    public init(path: String, append: Bool = false, lineBuffered: Bool = false) throws(AlertSinkError) {
        self.path = path
        self.lineBuffered = lineBuffered
        if path == "-" {
            descriptor = STDOUT_FILENO
        } else {
            let opened = open(path, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC) | O_CLOEXEC, 0o600)
            guard opened >= 0 else { throw AlertSinkError(path: path, operation: "open", errno: errno) }
            descriptor = opened
        }
        buffer.reserveCapacity(Self.bufferSize + 1024)
    }

    deinit {
        // Best effort for a sink dropped without `finish()`: its errors have nowhere to go.
        flush()
        if descriptor > STDERR_FILENO { close(descriptor) }
    }

    /// Appends one line per alert.
    public func deliver(_ alerts: [Alert]) {
        guard failure == nil else { return }
        for alert in alerts {
            buffer.append(contentsOf: alert.jsonLine.utf8)
            buffer.append(UInt8(ascii: "\n"))
            lines += 1
        }
        if lineBuffered || buffer.count >= Self.bufferSize { flush() }
    }

    /// Writes what is buffered and closes the file (standard output stays open); throws the first
    /// write failure.
    public func finish() throws(AlertSinkError) {
        flush()
        if descriptor > STDERR_FILENO {
            if close(descriptor) != 0, failure == nil { failure = AlertSinkError(path: path, operation: "close", errno: errno) }
            descriptor = -1
        }
        if let failure { throw failure }
    }

    private func flush() {
        guard failure == nil, descriptor >= 0 else { return }
        var offset = 0
        while offset < buffer.count {
            let written = buffer.withUnsafeBytes { raw in
                write(descriptor, raw.baseAddress.map { $0 + offset }, raw.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                failure = AlertSinkError(path: path, operation: "write", errno: errno)
                break
            }
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// A sink that could not write: which file, which call, and the C `errno`.
public struct AlertSinkError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The path.
    public let path: String
    /// The failing call (`open`, `write`, `close`).
    public let operation: String
    /// The C `errno` value.
    public let errno: Int32

    /// Creates an error.
    public init(path: String, operation: String, errno: Int32) {
        self.path = path
        self.operation = operation
        self.errno = errno
    }

    /// `PATH: OPERATION: strerror`.
    public var description: String { "\(path): \(operation): \(String(cString: strerror(errno)))" }
}

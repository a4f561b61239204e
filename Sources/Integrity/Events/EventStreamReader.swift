import Glibc
public import Transport

/// Reads an event file (or standard input) line by line and parses each line, streaming: memory
/// stays at one buffer however long the file is.
///
/// Blank lines are skipped. A malformed line comes back as ``Item/malformed(_:)`` with its line
/// number, and reading goes on with the next line; so does a line longer than the buffer
/// (``bufferBytes``), which is reported once as ``EventLineError/Reason/lineTooLong(limit:)``.
public final class EventStreamReader {
    /// One line's outcome.
    public enum Item: Sendable, Hashable {
        /// A valid event.
        case event(IntegrityEvent)
        /// A refused line.
        case malformed(EventLineError)
    }

    /// The read buffer's size, which is also the longest line accepted (1 MiB).
    public static let bufferBytes = 1 << 20

    /// The path read ("-" for standard input).
    public let path: String
    /// Lines consumed so far (including blank and malformed ones).
    public private(set) var linesRead = 0
    /// Bytes read from the file so far.
    public private(set) var bytesRead = 0

    private let descriptor: FileDescriptor
    private let ownsDescriptor: Bool
    private let buffer: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    private var atEnd = false
    /// Skipping the rest of a line that did not fit in the buffer.
    private var discarding = false
    private let parser = EventLineParser()

    /// Opens `path` for reading; "-" reads standard input.
    public init(path: String) throws(EventReadError) {
        if path == "-" {
            descriptor = FileDescriptor(rawValue: 0)
            ownsDescriptor = false
        } else {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw EventReadError(path: path, error: SystemError(call: "open", errno: Errno(rawValue: errno))) }
            descriptor = FileDescriptor(rawValue: fd)
            ownsDescriptor = true
        }
        self.path = path
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.bufferBytes, alignment: 16)
    }

    deinit {
        if ownsDescriptor { _ = close(descriptor.rawValue) }
        buffer.deallocate()
    }

    /// The next event or malformed line; `nil` at the end of the input.
    public func next() throws(EventReadError) -> Item? {
        while true {
            if start < end, let base = buffer.baseAddress,
               let newline = memchr(base + start, Int32(UInt8(ascii: "\n")), end - start) {
                let lineEnd = base.distance(to: UnsafeMutableRawPointer(newline))
                let lineStart = start
                start = lineEnd + 1
                linesRead += 1
                if discarding {
                    discarding = false
                    continue
                }
                if let item = item(lineStart..<lineEnd) { return item }
                continue
            }
            if atEnd {
                guard start < end else { return nil }
                let lineStart = start
                start = end
                linesRead += 1
                if discarding {
                    discarding = false
                    continue
                }
                if let item = item(lineStart..<end) { return item }
                continue
            }
            if start > 0 {
                if end > start, let base = buffer.baseAddress { memmove(base, base + start, end - start) }
                end -= start
                start = 0
            }
            if end == buffer.count {
                // One line fills the whole buffer: report it once, then drop bytes up to its newline.
                end = 0
                if !discarding {
                    discarding = true
                    return .malformed(EventLineError(line: linesRead + 1, column: 0, reason: .lineTooLong(limit: Self.bufferBytes)))
                }
            }
            try fill()
        }
    }

    /// Parses one line; nil for a blank one.
    private func item(_ range: Range<Int>) -> Item? {
        let line = UnsafeRawBufferPointer(rebasing: buffer[range])
        guard line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0d }) else { return nil }
        do {
            return .event(try parser.parse(line, lineNumber: linesRead))
        } catch {
            return .malformed(error)
        }
    }

    /// Reads more bytes after `end`; sets `atEnd` at the end of the file.
    private func fill() throws(EventReadError) {
        let space = UnsafeMutableRawBufferPointer(rebasing: buffer[end...])
        do {
            switch try Syscall.read(descriptor, into: space) {
            case let .processed(count):
                if count == 0 { atEnd = true }
                end += count
                bytesRead += count
            case .wouldBlock:
                // A non-blocking standard input with nothing yet: wait for it.
                var poller = pollfd(fd: descriptor.rawValue, events: Int16(POLLIN), revents: 0)
                _ = poll(&poller, 1, -1)
            }
        } catch {
            throw EventReadError(path: path, error: error)
        }
    }
}

/// Reading an event file failed (opening or reading it; malformed lines are not errors).
public struct EventReadError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file ("-" for standard input).
    public let path: String
    /// The failed call and its errno.
    public let error: SystemError

    /// Creates an error.
    public init(path: String, error: SystemError) {
        self.path = path
        self.error = error
    }

    /// `cannot read PATH: call: message (errno N)`.
    public var description: String { "cannot read \(path == "-" ? "standard input" : path): \(error)" }
}

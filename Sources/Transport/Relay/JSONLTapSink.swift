import Glibc

/// The relay's default metadata sink (`vigil relay --tap FILE`): appends each event as one line of
/// the integrity analyzer's JSONL schema (``TapEvent``). Lines are buffered during a loop turn and
/// written with one `write(2)` when the relay calls ``flush()`` after the turn's commit; the file
/// is opened for appending with mode 0600 and fsynced when closed.
public final class JSONLTapSink: MetadataSink {
    /// The file's path.
    public let path: String
    /// The businesses learned so far.
    public private(set) var directory: BusinessDirectory
    /// Lines written.
    public private(set) var linesWritten = 0
    /// Events the schema has no line for (consumer-to-consumer messages, control traffic).
    public private(set) var eventsWithoutLine = 0
    /// The first write error, if any (the sink then drops further lines; the relay keeps running).
    public private(set) var writeError: SystemError?
    private var descriptor: Int32
    private var buffer: [UInt8] = []

    /// Opens (creating, mode 0600) `path` for appending.
    public init(path: String, businesses: some Sequence<PhoneNumber> = []) throws(SystemError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SystemError(call: "open", errno: Errno(rawValue: errno)) }
        self.path = path
        self.descriptor = fd
        self.directory = BusinessDirectory(businesses)
        buffer.reserveCapacity(1 << 16)
    }

    deinit { close() }

    /// Buffers `event`'s line.
    public func record(_ event: MetadataEvent) {
        guard let line = TapEvent.line(for: event, directory: &directory) else {
            eventsWithoutLine += 1
            return
        }
        buffer.append(contentsOf: line.utf8)
        buffer.append(UInt8(ascii: "\n"))
        linesWritten += 1
        if buffer.count >= 1 << 20 { flush() }
    }

    /// Writes the buffered lines.
    public func flush() {
        guard !buffer.isEmpty, descriptor >= 0 else { return }
        defer { buffer.removeAll(keepingCapacity: true) }
        guard writeError == nil else { return }
        var offset = 0
        while offset < buffer.count {
            let written = buffer.withUnsafeBytes { raw in
                write(descriptor, raw.baseAddress! + offset, raw.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                writeError = SystemError(call: "write", errno: Errno(rawValue: errno))
                return
            }
            offset += written
        }
    }

    /// Flushes, fsyncs and closes the file. Idempotent.
    public func close() {
        guard descriptor >= 0 else { return }
        flush()
        _ = fsync(descriptor)
        _ = Glibc.close(descriptor)
        descriptor = -1
    }
}

import Glibc

/// The businesses' own record of what their customers wrote (`DIR/business/transcript.log`):
/// plaintext that legitimately exists on the business side, and the audit's positive control
/// for files. Buffered; written when the buffer fills and on ``close()``. Loop-confined.
final class DemoTranscript {
    /// The file.
    let path: String
    private var descriptor: Int32
    private var buffer: [UInt8] = []

    /// Creates (mode 0600) `path`.
    init(path: String) throws(DemoError) {
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw DemoError("cannot create \(path): \(String(cString: strerror(errno)))") }
        self.path = path
    }

    deinit { close() }

    /// Appends `line`.
    func append(_ line: String) {
        buffer.append(contentsOf: line.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    /// Writes what is buffered.
    func flush() {
        var offset = 0
        while offset < buffer.count, descriptor >= 0 {
            let written = buffer[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0, errno == EINTR { continue }
            if written <= 0 { break }
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes and closes. Idempotent.
    func close() {
        guard descriptor >= 0 else { return }
        flush()
        _ = Glibc.close(descriptor)
        descriptor = -1
    }
}

import Glibc

/// Whole-file reads and writes through the C library, with errors that name the file and errno.
enum FileIO {
    /// Reads a whole file, or standard input for `nil` / "-".
    static func read(_ path: String?) throws(CLIError) -> [UInt8] {
        let isStandardInput = path == nil || path == "-"
        let descriptor = isStandardInput ? 0 : open(path ?? "", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw CLIError("cannot open \(path ?? "-"): \(String(cString: strerror(errno)))") }
        defer { if !isStandardInput { close(descriptor) } }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw CLIError("cannot read \(path ?? "standard input"): \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return bytes
    }

    /// Writes `bytes` to `path` atomically (temporary file, fsync, rename) with `permissions` —
    /// 0600 unless asked: what Vigil writes (signals, exports, sketches, alerts) is the operator's
    /// to hand on, not every local user's to read —, or standard output for "-". A path that
    /// exists and is not a regular file (`/dev/null`, a FIFO, a terminal) is written in place:
    /// renamed over, the device would be replaced by a file (as root, `/dev/null` itself).
    static func write(_ bytes: [UInt8], to path: String, permissions: mode_t = 0o600) throws(CLIError) {
        if path == "-" {
            try writeAll(bytes, to: 1, name: "standard output")
            return
        }
        var status = stat()
        if stat(path, &status) == 0, status.st_mode & S_IFMT != S_IFREG {
            guard status.st_mode & S_IFMT != S_IFDIR else { throw CLIError("cannot write \(path): it is a directory") }
            let descriptor = open(path, O_WRONLY | O_CLOEXEC)
            guard descriptor >= 0 else { throw CLIError("cannot open \(path): \(String(cString: strerror(errno)))") }
            defer { close(descriptor) }
            try writeAll(bytes, to: descriptor, name: path)
            return
        }
        let temporary = path + ".tmp-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, permissions)
        guard descriptor >= 0 else { throw CLIError("cannot create \(path): \(String(cString: strerror(errno)))") }
        do throws(CLIError) {
            try writeAll(bytes, to: descriptor, name: path)
            guard fsync(descriptor) == 0 else { throw CLIError("cannot sync \(path): \(String(cString: strerror(errno)))") }
            close(descriptor)
        } catch {
            close(descriptor)
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw CLIError("cannot write \(path): \(reason)")
        }
    }

    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32, name: String) throws(CLIError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw CLIError("cannot write \(name): \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }
}

/// Splits input into lines (without the newline), as byte ranges of one buffer.
struct Lines: Sequence {
    let bytes: [UInt8]

    func makeIterator() -> AnyIterator<(number: Int, range: Range<Int>)> {
        var start = 0
        var number = 0
        let bytes = self.bytes
        return AnyIterator {
            guard start < bytes.count else { return nil }
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            defer { start = end + 1 }
            number += 1
            return (number, start..<end)
        }
    }
}

import Glibc

/// Output helpers for the command-line tool; standard error is written with `write(2)` directly.
enum Console {
    /// Writes `vigil: message` to standard error.
    static func error(_ message: String) {
        writeStandardError("vigil: \(message)\n")
    }

    /// Writes a progress line to standard error (never mixed into standard output).
    static func progress(_ message: String) {
        writeStandardError("\(message)\n")
    }

    private static func writeStandardError(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { Glibc.write(2, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { return }
            offset += written
        }
    }
}

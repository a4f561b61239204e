import Foundation
import Glibc

/// Least privilege on disk: under the data directory every directory is 0700 and every file 0600
/// (no group or other bits) — keys, queues, stores and logs are the owner's alone.
enum AuditPermissions {
    /// Paths (relative to `root`) whose mode grants anything to group or others, with the mode.
    static func looseEntries(under root: String) -> [String] {
        var loose: [String] = []
        var status = stat()
        if lstat(root, &status) == 0, status.st_mode & 0o077 != 0 {
            loose.append(". (\(String(status.st_mode & 0o777, radix: 8)))")
        }
        for relative in ((try? FileManager.default.subpathsOfDirectory(atPath: root)) ?? []).sorted() {
            guard lstat(root + "/" + relative, &status) == 0 else { continue }
            let kind = status.st_mode & S_IFMT
            guard kind == S_IFREG || kind == S_IFDIR else { continue }
            if status.st_mode & 0o077 != 0 { loose.append("\(relative) (\(String(status.st_mode & 0o777, radix: 8)))") }
        }
        return loose
    }
}

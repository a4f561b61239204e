import Glibc

/// Least privilege on disk, checked at start-up: a service's data directory (and its files and
/// subdirectories, one level down) must grant nothing to group or others — keys, queues, logs and
/// tokens are the owner's alone. Vigil creates them that way; this refuses a directory someone
/// loosened, with the fix in the message.
enum PrivateDirectory {
    /// Throws when `path` (if it exists) or an entry in it (or in its subdirectories) is
    /// readable, writable or searchable by group or others.
    static func require(_ path: String) throws(CLIError) {
        var loose: [String] = []
        // The directory itself through any symbolic link (what the service will use).
        var root = stat()
        if stat(path, &root) == 0, root.st_mode & 0o077 != 0 { loose.append("\(path) (\(String(root.st_mode & 0o777, radix: 8)))") }
        if let directory = opendir(path) {
            var subdirectories: [String] = []
            while let entry = readdir(directory) {
                let name = withUnsafePointer(to: entry.pointee.d_name) { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
                guard name != ".", name != ".." else { continue }
                if check(path + "/" + name, name: name, into: &loose) { subdirectories.append(name) }
            }
            closedir(directory)
            for subdirectory in subdirectories {
                guard let inner = opendir(path + "/" + subdirectory) else { continue }
                while let entry = readdir(inner) {
                    let name = withUnsafePointer(to: entry.pointee.d_name) { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
                    guard name != ".", name != ".." else { continue }
                    check(path + "/" + subdirectory + "/" + name, name: subdirectory + "/" + name, into: &loose)
                }
                closedir(inner)
            }
        }
        guard loose.isEmpty else {
            throw CLIError("\(path) is not private: \(loose.prefix(5).joined(separator: ", ")) grant access to group or others; "
                + "run `chmod -R go-rwx \(path)` (Vigil creates directories 0700 and files 0600)")
        }
    }

    /// Adds `name (mode)` to `loose` when the entry at `path` is too open; returns whether it is a
    /// directory. Symbolic links and missing entries are left alone.
    @discardableResult
    private static func check(_ path: String, name: String, into loose: inout [String]) -> Bool {
        var status = stat()
        guard lstat(path, &status) == 0 else { return false }
        let kind = status.st_mode & S_IFMT
        guard kind == S_IFDIR || kind == S_IFREG else { return false }
        if status.st_mode & 0o077 != 0 { loose.append("\(name) (\(String(status.st_mode & 0o777, radix: 8)))") }
        return kind == S_IFDIR
    }
}

import Glibc

/// Least privilege on disk, checked at start-up: a service's data directory (and everything in it,
/// down to ``maximumDepth`` levels) must grant nothing to group or others — keys, queues, logs and
/// token digests are the owner's alone. Vigil creates them that way; this refuses a directory
/// someone loosened, naming the paths and their modes, with the fix in the message.
enum PrivateDirectory {
    /// How deep the check descends (the Cloud API's day files sit at `regions/eu/days/DAY.sqlite`).
    static let maximumDepth = 4

    /// Throws when `path` (if it exists) or an entry under it is readable, writable or searchable
    /// by group or others.
    static func require(_ path: String) throws(CLIError) {
        var loose: [String] = []
        // The directory itself through any symbolic link (what the service will use).
        var root = stat()
        if stat(path, &root) == 0, root.st_mode & 0o077 != 0 { loose.append("\(path) (\(String(root.st_mode & 0o777, radix: 8)))") }
        collect(in: path, prefix: "", depth: 1, into: &loose)
        guard loose.isEmpty else {
            throw CLIError("\(path) is not private: \(loose.prefix(5).joined(separator: ", "))\(loose.count > 5 ? " and \(loose.count - 5) more" : "") "
                + "grant access to group or others; run `chmod -R go-rwx \(path)` (Vigil creates directories 0700 and files 0600)")
        }
    }

    /// Adds every too-open entry of `directory` (named `prefix` + name) to `loose`, descending
    /// into subdirectories (not through symbolic links) down to ``maximumDepth``.
    private static func collect(in directory: String, prefix: String, depth: Int, into loose: inout [String]) {
        guard depth <= maximumDepth, let handle = opendir(directory) else { return }
        var subdirectories: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
            guard name != ".", name != ".." else { continue }
            if check(directory + "/" + name, name: prefix + name, into: &loose) { subdirectories.append(name) }
        }
        closedir(handle)
        for name in subdirectories {
            collect(in: directory + "/" + name, prefix: prefix + name + "/", depth: depth + 1, into: &loose)
        }
    }

    /// Throws when the file at `path` (followed through symbolic links) grants any access to group
    /// or others — a token or key file named on the command line (`--token-file`,
    /// `--master-key-file`). `option` names the flag in the message. A missing file passes (the
    /// caller reports that when it opens it).
    static func requirePrivateFile(_ path: String, option: String) throws(CLIError) {
        var status = stat()
        guard stat(path, &status) == 0 else { return }
        guard status.st_mode & 0o077 == 0 else {
            throw CLIError("\(option) \(path) is not private: mode \(String(status.st_mode & 0o777, radix: 8)) grants access to group or others; "
                + "run `chmod 600 \(path)` (it holds a secret)")
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

import Glibc
import Transport

/// The few POSIX file operations the store performs itself, each retrying `EINTR` and throwing a
/// `SystemError` that names the call. No Foundation.
enum StoreFiles {
    /// Runs a system call, retrying on `EINTR`; a negative result throws with the call's name.
    static func retrying<Result: BinaryInteger>(_ call: String, _ body: () -> Result) throws(SystemError) -> Result {
        while true {
            let result = body()
            if result >= 0 { return result }
            let number = errno
            if number == EINTR { continue }
            throw SystemError(call: call, errno: Errno(rawValue: number))
        }
    }

    /// Whether `path` is a directory (symbolic links followed).
    static func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFDIR
    }

    /// Creates the directory `path` with `permissions` unless a directory is there already, and
    /// fsyncs its parent so the new name is durable.
    static func createDirectoryIfMissing(_ path: String, permissions: mode_t) throws(SystemError) {
        if mkdir(path, permissions) == 0 {
            try syncDirectory(parent(of: path))
            return
        }
        let number = errno
        guard number == EEXIST else { throw SystemError(call: "mkdir", errno: Errno(rawValue: number)) }
        guard isDirectory(path) else { throw SystemError(call: "mkdir", errno: Errno(rawValue: ENOTDIR)) }
    }

    /// The names in directory `path`, without `.` and `..`, in no particular order.
    static func contents(ofDirectory path: String) throws(SystemError) -> [String] {
        guard let directory = opendir(path) else { throw SystemError(call: "opendir", errno: Errno(rawValue: errno)) }
        defer { closedir(directory) }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(directory) else {
                if errno != 0 { throw SystemError(call: "readdir", errno: Errno(rawValue: errno)) }
                break
            }
            let name = withUnsafePointer(to: &entry.pointee.d_name) { tuple in
                UnsafeRawPointer(tuple).withMemoryRebound(
                    to: CChar.self, capacity: MemoryLayout.size(ofValue: tuple.pointee)
                ) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Removes `path`; a missing file is not an error.
    static func removeFile(_ path: String) throws(SystemError) {
        guard unlink(path) == 0 || errno == ENOENT else {
            throw SystemError(call: "unlink", errno: Errno(rawValue: errno))
        }
    }

    /// Fsyncs the directory `path`, making created and removed names in it durable.
    static func syncDirectory(_ path: String) throws(SystemError) {
        let descriptor = try retrying("open") { open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        defer { close(descriptor) }
        _ = try retrying("fsync") { fsync(descriptor) }
    }

    /// The directory part of `path` (`.` when there is none).
    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}

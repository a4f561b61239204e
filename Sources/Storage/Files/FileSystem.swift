public import Glibc

/// The few POSIX file operations Storage performs itself, each retrying `EINTR` and throwing a
/// ``StorageError/Code/fileSystem`` error with `errno`. No Foundation.
public enum FileSystem {
    /// Creates `path` and any missing parents with `permissions` (default 0700), like `mkdir -p`,
    /// fsyncing each new directory's parent so the names survive a crash. Existing directories
    /// are left as they are; a non-directory in the way is an error.
    public static func createDirectories(_ path: String, permissions: mode_t = 0o700) throws(StorageError) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") where component != "." {
            prefix += "/" + component
            try createDirectoryIfMissing(prefix, permissions: permissions)
        }
    }

    /// Creates `path` as an empty file with exactly `permissions` (umask notwithstanding) if it
    /// does not exist, then fsyncs it and its directory so the new name survives a crash. An
    /// existing file is left alone.
    static func createFileIfMissing(_ path: String, permissions: mode_t) throws(StorageError) {
        var descriptor: Int32
        repeat {
            descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, permissions)
        } while descriptor < 0 && errno == EINTR
        if descriptor < 0 {
            if errno == EEXIST { return }
            throw .system("open", path: path)
        }
        defer { _ = close(descriptor) }
        guard fchmod(descriptor, permissions) == 0 else { throw .system("fchmod", path: path) }
        guard fsync(descriptor) == 0 else { throw .system("fsync", path: path) }
        try syncDirectory(parent(of: path))
    }

    /// Creates the directory `path` with `permissions` unless it exists already as a directory.
    static func createDirectoryIfMissing(_ path: String, permissions: mode_t) throws(StorageError) {
        if mkdir(path, permissions) == 0 {
            try syncDirectory(parent(of: path))
            return
        }
        guard errno == EEXIST else { throw .system("mkdir", path: path) }
        var status = stat()
        guard stat(path, &status) == 0 else { throw .system("stat", path: path) }
        guard status.st_mode & S_IFMT == S_IFDIR else {
            errno = ENOTDIR
            throw .system("mkdir", path: path)
        }
    }

    /// Whether something exists at `path`.
    static func exists(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0
    }

    /// The names in directory `path`, without `.` and `..`, in no particular order.
    static func contents(ofDirectory path: String) throws(StorageError) -> [String] {
        guard let directory = opendir(path) else { throw .system("opendir", path: path) }
        defer { closedir(directory) }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(directory) else {
                if errno != 0 { throw .system("readdir", path: path) }
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
    static func removeFile(_ path: String) throws(StorageError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw .system("unlink", path: path) }
    }

    /// Fsyncs the directory `path`, making created and removed names in it durable.
    static func syncDirectory(_ path: String) throws(StorageError) {
        var descriptor: Int32
        repeat {
            descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        } while descriptor < 0 && errno == EINTR
        guard descriptor >= 0 else { throw .system("open", path: path) }
        defer { _ = close(descriptor) }
        guard fsync(descriptor) == 0 else { throw .system("fsync", path: path) }
    }

    /// The directory part of `path` (`.` when there is none).
    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}

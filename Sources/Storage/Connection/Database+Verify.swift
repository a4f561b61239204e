import Glibc

extension Database {
    /// The file-name suffix of Vigil's SQLite database files.
    public static let fileSuffix = ".sqlite"

    /// Checks the database file at `path` the way ``open(path:options:)`` does — `PRAGMA
    /// quick_check` before anything is written — and closes it again; for start-up checks of files
    /// a store would otherwise open only when first needed.
    ///
    /// - Throws: ``StorageError`` with ``StorageError/Code/corrupt`` (quick_check's findings in
    ///   `message`, the path in `operation`) or ``StorageError/Code/notADatabase``; a missing file
    ///   is a ``StorageError/Code/fileSystem`` error (`ENOENT`), never created.
    public static func verify(path: String) throws(StorageError) {
        guard FileSystem.exists(path) else {
            errno = ENOENT
            throw .system("stat", path: path)
        }
        let database = try open(path: path, options: Options())
        try database.close()
    }

    /// Verifies (``verify(path:)``) every database file under `directory` — names ending in
    /// ``fileSuffix``, subdirectories included, symbolic links not followed — in path order, and
    /// returns the paths checked. Stops at the first damaged file: its error names it.
    ///
    /// The cost is a read of every page of every file; a start-up that must never serve a damaged
    /// file pays it once.
    @discardableResult
    public static func verifyFiles(under directory: String) throws(StorageError) -> [String] {
        let paths = try databaseFiles(under: directory)
        for path in paths { try verify(path: path) }
        return paths
    }

    /// The database files under `directory`, sorted; see ``verifyFiles(under:)``.
    static func databaseFiles(under directory: String) throws(StorageError) -> [String] {
        var found: [String] = []
        var pending = [directory]
        while let current = pending.popLast() {
            for name in try FileSystem.contents(ofDirectory: current) {
                let path = current + "/" + name
                var status = stat()
                guard lstat(path, &status) == 0 else { throw .system("lstat", path: path) }
                switch status.st_mode & S_IFMT {
                case S_IFDIR: pending.append(path)
                case S_IFREG where name.hasSuffix(fileSuffix): found.append(path)
                default: continue
                }
            }
        }
        return found.sorted()
    }
}

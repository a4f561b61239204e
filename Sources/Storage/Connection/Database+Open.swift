import CSQLite
import Glibc

extension Database {
    /// How many lines of `quick_check`'s findings a ``StorageError/Code/corrupt`` error keeps.
    public static let findingsShown = 4

    /// The path that opens a private in-memory database (no file, no WAL, nothing durable).
    public static let inMemoryPath = ":memory:"

    /// Opens (creating if needed) the database at `path` and configures it for Vigil.
    ///
    /// In order:
    /// 1. A missing file is created empty with permissions 0600 (SQLite gives its `-wal` and
    ///    `-shm` files the same mode), and the file and its directory are fsynced — unless
    ///    ``Options/createsMissingFile`` is off: then a missing file fails the open.
    /// 2. `sqlite3_open_v2` in multi-thread mode with extended result codes; the busy timeout.
    /// 3. `PRAGMA quick_check` unless ``Options/quickCheckAtOpen`` is off: a file that is not a
    ///    database is refused with ``StorageError/Code/notADatabase``, a damaged one with
    ///    ``StorageError/Code/corrupt`` carrying quick_check's findings. Nothing is written first.
    /// 4. `journal_mode=WAL` (checked: the call fails if SQLite did not switch), `synchronous=FULL`
    ///    (with ``Durability/deferred``: `NORMAL`, and ``walFile`` opened), `foreign_keys=ON`, and
    ///    `secure_delete=ON` if ``Options/secureDelete`` is set.
    ///
    /// - Parameters:
    ///   - path: A file path, or ``inMemoryPath`` (then steps 1, 3 and the WAL switch are skipped).
    ///   - options: Connection settings.
    /// - Returns: An open connection owned by the calling thread.
    /// - Throws: ``StorageError``; the connection is closed again when configuration fails.
    ///
    /// The corresponding C function is `sqlite3_open_v2`.
    public static func open(path: String, options: Options = Options()) throws(StorageError) -> Database {
        let inMemory = path == inMemoryPath
        if !inMemory, options.createsMissingFile {
            try FileSystem.createFileIfMissing(path, permissions: 0o600)
        }
        var handle: OpaquePointer?
        let create = inMemory || options.createsMissingFile ? SQLITE_OPEN_CREATE : 0
        let flags = SQLITE_OPEN_READWRITE | create | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        let result = sqlite3_open_v2(path, &handle, flags, nil)
        guard result == SQLITE_OK, let handle else {
            let error = StorageError.sqlite(result, handle: handle, context: .open, operation: "open \(path)")
            if let handle { sqlite3_close_v2(handle) }
            throw error
        }
        let database = Database(connection: Connection(handle: handle), path: path, options: options)
        do {
            try database.configure(inMemory: inMemory)
        } catch {
            try? database.close()
            throw error
        }
        return database
    }

    /// Steps 2–4 of ``open(path:options:)``.
    private func configure(inMemory: Bool) throws(StorageError) {
        let handle = try connection.requireHandle("open \(path)")
        _ = sqlite3_extended_result_codes(handle, 1)
        let milliseconds = options.busyTimeout.components.seconds * 1000
            + options.busyTimeout.components.attoseconds / 1_000_000_000_000_000
        _ = sqlite3_busy_timeout(handle, Int32(clamping: max(0, milliseconds)))
        if !inMemory {
            if options.quickCheckAtOpen { try quickCheck() }
            let mode = try query("PRAGMA journal_mode=WAL").first?[0].stringValue
            guard mode == "wal" else {
                throw .usage(.open, "could not switch to WAL journal mode (mode is \(mode ?? "unknown"))",
                             operation: "PRAGMA journal_mode=WAL on \(path)")
            }
        }
        if !inMemory, options.durability == .deferred {
            try execute("PRAGMA synchronous=NORMAL")
            // A checkpoint syncs the log and the database on the committing thread; the owner's
            // syncer checkpoints instead (`WALSyncer`, `WALFile.checkpoint()`).
            try execute("PRAGMA wal_autocheckpoint=0")
            // After a checkpoint the writer restarts the log from its beginning and never
            // truncates it: the file keeps the largest size it reached until the database closes
            // (SQLite deletes the log then) or whoever syncs it empties it while it is idle, off
            // this thread (`WALFile.truncate()`). Truncating is a blocking file-system call on the
            // committing thread, an event loop, and costs the more the larger the log: 12–48 ms
            // per restart at a 1 MiB limit, and still 5–30 ms every few seconds at 16 MB (the
            // Cloud API at 2 500 messages/s, `discard` mount), since under steady load a
            // checkpoint seldom catches the log up before the next commit, so the log outgrows
            // any fixed limit. A log that keeps its blocks also spares each `fdatasync` the
            // file-system journal commit that growing the file again needs.
            try execute("PRAGMA journal_size_limit=-1")
            // A read opens the log (a new database gets its `-wal` file only then).
            _ = try query("SELECT count(*) FROM sqlite_schema")
            let pageSize = Int(try query("PRAGMA page_size").first?[0].int64Value ?? 4096)
            let log = try WALFile(databasePath: path, pageSize: pageSize)
            walFile = log
            // After each commit SQLite reports the frames in the log (since its restart): what the
            // syncer checkpoints by, the file's length no longer saying it. Registered after
            // `wal_autocheckpoint`, which replaces the hook; the log outlives the connection.
            // Cleared when the connection closes (`Connection.close()`). Only the main database's
            // log is this `WALFile`'s.
            sqlite3_wal_hook(handle, { context, _, name, frames in
                if let context, let name, strcmp(name, "main") == 0 {
                    Unmanaged<WALFile>.fromOpaque(context).takeUnretainedValue().noteCommit(frames: Int(frames))
                }
                return SQLITE_OK
            }, Unmanaged.passUnretained(log).toOpaque())
        } else {
            try execute("PRAGMA synchronous=FULL")
        }
        try execute("PRAGMA foreign_keys=ON")
        if options.secureDelete { try execute("PRAGMA secure_delete=ON") }
    }

    /// Runs `PRAGMA quick_check` and throws unless it reports `ok`: ``StorageError/Code/corrupt``
    /// with its first findings on one line (at most ``findingsShown`` lines of them) and the file's
    /// path in `operation`, or
    /// ``StorageError/Code/notADatabase`` when the file is not an SQLite database. Reads every page
    /// of the file, so its cost grows with the file.
    public func quickCheck() throws(StorageError) {
        let operation = "PRAGMA quick_check on \(path)"
        let statement = try makeStatement("PRAGMA quick_check(20)")
        var findings: [String] = []
        do {
            while try statement.step() { findings.append(statement.string(at: 0)) }
        } catch where error.code == .step || error.code == .corrupt {
            // An error quick_check itself cannot get past (SQLite's "database disk image is
            // malformed" on a damaged b-tree page) is damage too; say which file it is in.
            throw StorageError(code: .corrupt, resultCode: error.resultCode, extendedResultCode: error.extendedResultCode,
                               message: error.message, operation: operation)
        }
        guard findings == ["ok"] else {
            // Findings span lines ("*** in database main ***\nPage 2: btreeInitPage() …\nPage 6 is
            // never used…"): the first few on one line, so a refused start-up prints one line.
            let lines = findings.flatMap { $0.split(separator: "\n", omittingEmptySubsequences: true) }
            var message = lines.prefix(Self.findingsShown).joined(separator: "; ")
            if lines.count > Self.findingsShown { message += "; … \(lines.count - Self.findingsShown) more" }
            throw StorageError(code: .corrupt, resultCode: SQLITE_CORRUPT, extendedResultCode: SQLITE_CORRUPT,
                               message: message, operation: operation)
        }
    }
}

import CSQLite

/// Day-partitioned storage: one SQLite file per UTC day, `<directory>/YYYY-MM-DD.sqlite`, each
/// with the same versioned schema, attached to one connection on demand. Retention is a file
/// deletion (``dropPartitions(olderThan:)``), not a slow `DELETE`.
///
/// The store's ``database`` is an in-memory connection to which day files are attached as
/// schemas `day_YYYYMMDD`; SQL names a day's tables with ``Partition/qualified(_:)``, and
/// ``GroupCommit`` works on ``database`` as on any connection:
///
/// ```swift
/// let today = try store.partition(for: UTCDay(secondsSince1970: now))   // `now` is injected
/// batch.enqueue(id, sql: "INSERT INTO \(today.qualified("queue"))(envelope) VALUES (?)", bindings: [.blob(e)])
/// ```
///
/// Rules that follow from SQLite:
/// - A day is attached outside transactions only (SQLite refuses `ATTACH`/`DETACH` inside one):
///   resolve the partitions a batch needs (``partition(for:)``) when enqueuing, before
///   ``GroupCommit/commit(on:)``.
/// - At most ``maximumAttached`` days are attached at once (SQLite's limit, 10 in the system
///   build); attaching another detaches the least recently used. A single transaction can
///   therefore touch at most that many days.
/// - In WAL mode a transaction spanning two days' files commits atomically in each file but not
///   across them (SQLite's documented limit for attached databases); each file is still durable
///   when `COMMIT` returns.
///
/// The first attach of a day in a process opens the file on its own connection first: created
/// with 0600 permissions when new, `quick_check`ed (a damaged day is refused with
/// ``StorageError/Code/corrupt`` while other days stay usable), and migrated. Owned by one thread,
/// like ``Database``.
public final class DayPartitionedStore {
    /// The directory holding the day files.
    public let directory: String
    /// The connection the days are attached to (its `main` is in memory and holds nothing).
    public let database: Database
    /// The schema every day file is migrated to.
    public let migrations: [Migration]
    /// The options used for the connection and for opening day files.
    public let options: Database.Options
    /// The most days attached at once.
    public let maximumAttached: Int

    /// Last use of each attached day, for least-recently-used detaching.
    private var attached: [UTCDay: UInt64] = [:]
    private var useClock: UInt64 = 0

    /// Opens a store over `directory` (created with 0700 permissions if missing).
    ///
    /// - Parameters:
    ///   - directory: Where the day files live; nothing else in it is touched except files named
    ///     `YYYY-MM-DD.sqlite` and their `-wal`, `-shm` and `-journal` companions.
    ///   - migrations: The schema of every day file.
    ///   - options: Connection settings, applied to the store's connection and to each day file.
    ///   - maximumAttached: How many days may be attached at once; `nil` or a larger value means
    ///     SQLite's limit (`SQLITE_LIMIT_ATTACHED`).
    public init(
        directory: String, migrations: [Migration], options: Database.Options = Database.Options(),
        maximumAttached: Int? = nil
    ) throws(StorageError) {
        try FileSystem.createDirectoryIfMissing(directory, permissions: 0o700)
        self.directory = directory
        self.migrations = migrations
        self.options = options
        self.database = try Database.open(path: Database.inMemoryPath, options: options)
        let limit = Int(sqlite3_limit(try database.connection.requireHandle("sqlite3_limit"), SQLITE_LIMIT_ATTACHED, -1))
        self.maximumAttached = max(1, min(maximumAttached ?? limit, limit))
    }

    /// The days that have a file in the directory, oldest first.
    public func partitions() throws(StorageError) -> [UTCDay] {
        try FileSystem.contents(ofDirectory: directory).compactMap(Partition.day(forFileName:)).sorted()
    }

    /// The days attached right now, oldest first.
    public var attachedDays: [UTCDay] { attached.keys.sorted() }

    /// The partition for `day`, attached and ready for SQL; its file is created and migrated if
    /// it does not exist yet. Must be called outside a transaction unless the day is attached.
    public func partition(for day: UTCDay) throws(StorageError) -> Partition {
        let partition = Partition(day: day, directory: directory)
        if attached[day] == nil {
            try attach(partition)
        }
        touch(day)
        return partition
    }

    /// The partition for `day` if its file exists (attached on demand), without creating one.
    public func existingPartition(for day: UTCDay) throws(StorageError) -> Partition? {
        let partition = Partition(day: day, directory: directory)
        guard attached[day] != nil || FileSystem.exists(partition.path) else { return nil }
        return try self.partition(for: day)
    }

    /// Calls `body` with each existing partition from `start` through `end` (both included; `nil`
    /// means unbounded), oldest first, attaching each on demand — the way to run a query across
    /// days. Must be called outside a transaction.
    public func forEachPartition(
        from start: UTCDay? = nil, through end: UTCDay? = nil, _ body: (Partition) throws -> Void
    ) throws {
        for day in try partitions() {
            if let start, day < start { continue }
            if let end, day > end { break }
            guard let partition = try existingPartition(for: day) else { continue }
            try body(partition)
        }
    }

    /// Closes the connection, detaching every day.
    public func close() throws(StorageError) {
        attached.removeAll()
        try database.close()
    }

    private func touch(_ day: UTCDay) {
        useClock += 1
        attached[day] = useClock
    }

    /// Checks, migrates and attaches `partition`, detaching the least recently used day first
    /// when the limit is reached.
    private func attach(_ partition: Partition) throws(StorageError) {
        let operation = "attach \(partition.path)"
        guard !database.isInTransaction else {
            throw .usage(.misuse, "a day cannot be attached inside a transaction; resolve partitions before BEGIN",
                         operation: operation)
        }
        guard (0...9999).contains(partition.day.components.year) else {
            throw .usage(.misuse, "day \(partition.day) is outside the years 0000...9999", operation: operation)
        }
        while attached.count >= maximumAttached,
              let oldest = attached.min(by: { $0.value < $1.value })?.key {
            try detach(oldest)
        }
        // Its own connection: creates the file 0600, runs quick_check, migrates; closing it
        // checkpoints the WAL.
        let file = try Database.open(path: partition.path, options: options)
        do {
            try file.migrate(migrations)
        } catch {
            try? file.close()
            throw error
        }
        try file.close()

        let schema = Partition.quoted(partition.schema)
        let statement = try database.makeStatement("ATTACH DATABASE ? AS \(schema)")
        try statement.bind([.text(partition.path)])
        try statement.run()
        attached[partition.day] = useClock
        do throws(StorageError) {
            let journal = try database.makeStatement("PRAGMA \(schema).journal_mode=WAL")
            let mode = try journal.step() ? journal.string(at: 0) : nil
            journal.reset()
            guard mode == "wal" else {
                throw StorageError.usage(.open, "could not switch to WAL journal mode (mode is \(mode ?? "unknown"))",
                                         operation: operation)
            }
            try database.execute("PRAGMA \(schema).synchronous=FULL")
            if options.secureDelete || migrations.contains(where: \.holdsKeys) {
                try database.execute("PRAGMA \(schema).secure_delete=ON")
            }
        } catch {
            try? detach(partition.day)
            throw error
        }
    }

    /// Detaches `day`, first dropping cached statements that name its schema.
    func detach(_ day: UTCDay) throws(StorageError) {
        let partition = Partition(day: day, directory: directory)
        guard !database.isInTransaction else {
            throw .usage(.misuse, "a day cannot be detached inside a transaction", operation: "detach \(partition.path)")
        }
        database.evictCachedStatements { $0.contains(partition.schema) }
        try database.makeStatement("DETACH DATABASE \(Partition.quoted(partition.schema))").run()
        attached[day] = nil
    }
}

@available(*, unavailable, message: "a DayPartitionedStore belongs to one thread or event loop")
extension DayPartitionedStore: Sendable {}

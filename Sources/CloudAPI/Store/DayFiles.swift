import Storage
import Transport

/// The day files of one store location, `days/YYYY-MM-DD.sqlite`, each on its own connection.
///
/// Why not `DayPartitionedStore`: it attaches days to one connection, at most 10 at a time, and
/// each (re)attach re-opens, `quick_check`s and migrates the file. The store reads across all 31
/// retained days on every `record(id:)` and every read of due webhooks, which would churn attachments
/// constantly. A connection per day (opened on first use, `quick_check`ed once, kept open) has no
/// such limit, and a batch of writes is simply one transaction per day file.
///
/// A row holds the id in the clear, `party` (the HMAC index of an inbound record's pair; empty
/// for outbound records, which no query finds by pair), direction, time, the delivery columns,
/// and `sealed` (the record under the day key). No number, pair or content in the clear.
final class DayFiles {
    /// The subdirectory of the store's directory holding the day files.
    static let directoryName = "days"

    static let migrations = [
        Migration(version: 1, sql: """
            CREATE TABLE records(
                id TEXT NOT NULL UNIQUE,
                party BLOB NOT NULL,
                direction INTEGER NOT NULL,
                time INTEGER NOT NULL,
                status TEXT NOT NULL,
                attempts INTEGER NOT NULL,
                next_attempt_at INTEGER NOT NULL,
                delivered INTEGER NOT NULL,
                sealed BLOB NOT NULL
            ) STRICT;
            CREATE INDEX records_party ON records(party, direction, time);
            CREATE INDEX records_pending ON records(next_attempt_at, time) WHERE delivered = 0;
            """),
        // The party index is read only for inbound records (`MessageStore.lastInbound`): outbound
        // messages and their statuses — most rows — no longer write an entry at a random place in
        // it (a page of the log per message at every commit). `direction` stays a column of the
        // index, so that the query is answered from the index alone (SQLite does not drop a term
        // the partial index implies; without it, every match reads its row too).
        Migration(version: 2, sql: """
            DROP INDEX IF EXISTS records_party;
            CREATE INDEX records_inbound_party ON records(party, direction, time) WHERE direction = 0;
            """),
    ]

    /// The directory holding the day files.
    let directory: String
    /// How the day files commit (the keyring, elsewhere, is always immediate).
    let durability: Database.Durability
    private var connections: [UTCDay: Database] = [:]
    /// The days that have a file, kept in step with the directory by this class.
    private(set) var days: Set<UTCDay>

    /// Lists the day files in `directory`, creating the directory (0700) if missing.
    init(directory: String, durability: Database.Durability = .immediate) throws(MessageStoreError) {
        do throws(SystemError) {
            try StoreFiles.createDirectoryIfMissing(directory, permissions: 0o700)
            days = Set(try StoreFiles.contents(ofDirectory: directory).compactMap(Self.day(forFileName:)))
        } catch {
            throw .fileSystem(error, path: directory)
        }
        self.directory = directory
        self.durability = durability
    }

    /// The path of `day`'s file.
    func path(for day: UTCDay) -> String { directory + "/\(day).sqlite" }

    /// The day a file name belongs to, or `nil` for any other file.
    static func day(forFileName name: String) -> UTCDay? {
        guard name.hasSuffix(".sqlite") else { return nil }
        return UTCDay(String(name.dropLast(".sqlite".count)))
    }

    /// The connection to `day`'s file, creating (0600) and migrating the file if needed.
    func database(for day: UTCDay) throws(MessageStoreError) -> Database {
        if let database = connections[day] { return database }
        let database: Database
        do throws(StorageError) { database = try Database.open(path: path(for: day), options: Database.Options(durability: durability)) } catch { throw .storage(error) }
        do throws(StorageError) { try database.migrate(Self.migrations) } catch {
            try? database.close()
            throw .storage(error)
        }
        connections[day] = database
        days.insert(day)
        return database
    }

    /// The logs of the open connections (deferred durability only).
    var logs: [WALFile] { connections.values.compactMap(\.walFile) }

    /// The connection to `day`'s file if the file exists; never creates one.
    func existingDatabase(for day: UTCDay) throws(MessageStoreError) -> Database? {
        guard days.contains(day) else { return nil }
        return try database(for: day)
    }

    /// Closes `day`'s connection (if open) and deletes its file with its `-wal`, `-shm` and
    /// `-journal` companions — companions first, so a crash part-way never leaves an old log next
    /// to a missing database. The caller fsyncs the directory afterwards.
    func remove(_ day: UTCDay) throws(MessageStoreError) {
        if let database = connections.removeValue(forKey: day) {
            try? database.close()
        }
        let path = path(for: day)
        for suffix in ["-wal", "-shm", "-journal", ""] {
            do throws(SystemError) { try StoreFiles.removeFile(path + suffix) } catch {
                throw .fileSystem(error, path: path + suffix)
            }
        }
        days.remove(day)
    }

    /// Fsyncs the directory, making removals durable.
    func syncDirectory() throws(MessageStoreError) {
        do throws(SystemError) { try StoreFiles.syncDirectory(directory) } catch {
            throw .fileSystem(error, path: directory)
        }
    }

    /// Closes every connection.
    func close() {
        for database in connections.values { try? database.close() }
        connections.removeAll()
    }
}

@available(*, unavailable, message: "DayFiles belong to one thread or event loop")
extension DayFiles: Sendable {}

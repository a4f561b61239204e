public import Storage

/// Pseudonym keys in an SQLite table (Storage: WAL, `synchronous=FULL`, `quick_check` at open).
///
/// The table is declared as a key table, so `PRAGMA secure_delete` is on and a deleted key's bytes
/// are overwritten in the database file; after each deletion the WAL is checkpointed and truncated
/// (`wal_checkpoint(TRUNCATE)`), so no page image holding the key stays in the `-wal` file either.
public final class SQLiteKeyStore: PseudonymKeyStore {
    /// The schema: one row per epoch, 16-byte keys.
    public static let migrations: [Migration] = [
        Migration(
            version: 1,
            sql: """
                CREATE TABLE pseudonym_keys (
                    epoch INTEGER PRIMARY KEY NOT NULL,
                    key BLOB NOT NULL CHECK (length(key) = 16)
                ) STRICT
                """,
            keyTables: ["pseudonym_keys"]
        ),
    ]

    /// The open database.
    public let database: Database

    /// Opens (creating) the key database at `path` and brings its schema up to date.
    public convenience init(path: String) throws(PseudonymKeyError) {
        let database: Database
        do {
            database = try Database.open(path: path)
        } catch {
            throw .storeFailed(operation: "open \(path)", message: error.description)
        }
        try self.init(database: database)
    }

    /// Uses an open database (its schema is migrated).
    public init(database: Database) throws(PseudonymKeyError) {
        self.database = database
        do {
            try database.migrate(Self.migrations)
        } catch {
            throw .storeFailed(operation: "migrate \(database.path)", message: error.description)
        }
    }

    /// Every key in the table.
    public func loadKeys() throws(PseudonymKeyError) -> [PseudonymKey] {
        let rows: [Row]
        do {
            rows = try database.query("SELECT epoch, key FROM pseudonym_keys ORDER BY epoch")
        } catch {
            throw .storeFailed(operation: "load keys", message: error.description)
        }
        var keys: [PseudonymKey] = []
        for row in rows {
            guard let epoch = row[0].int64Value, let bytes = row[1].blobValue else {
                throw .storeFailed(operation: "load keys", message: "a row has the wrong types")
            }
            keys.append(try PseudonymKey(epoch: epoch, bytes: bytes))
        }
        return keys
    }

    /// Inserts `key` (committed before returning).
    public func save(_ key: PseudonymKey) throws(PseudonymKeyError) {
        do {
            try database.execute("INSERT OR REPLACE INTO pseudonym_keys(epoch, key) VALUES (?, ?)",
                                 bindings: [.integer(key.epoch), .blob(key.bytes)])
        } catch {
            throw .storeFailed(operation: "save key of epoch \(key.epoch)", message: error.description)
        }
    }

    /// Deletes the key of `epoch` (secure_delete overwrites it), then checkpoints and truncates
    /// the WAL so no copy of the page remains there.
    public func destroy(epoch: Int64) throws(PseudonymKeyError) {
        do {
            try database.execute("DELETE FROM pseudonym_keys WHERE epoch = ?", bindings: [.integer(epoch)])
            if database.path != Database.inMemoryPath {
                _ = try database.query("PRAGMA wal_checkpoint(TRUNCATE)")
            }
        } catch {
            throw .storeFailed(operation: "destroy key of epoch \(epoch)", message: error.description)
        }
    }
}

/// A small key-value table for opaque snapshots — e.g. Integrity's sketch state as DataSketches
/// images — one row per name, replaced on each save.
///
/// Add ``createTableSQL`` to the schema as a ``Migration`` of your own numbering; the table is
/// then versioned with everything else:
///
/// ```swift
/// let snapshots = SnapshotTable(tableName: "sketch_snapshots")
/// let migrations = [Migration(version: 1, sql: snapshots.createTableSQL), …]
/// try snapshots.save(hll.serialized(), as: "reach/2024-05-01", in: db)
/// ```
public struct SnapshotTable: Sendable, Hashable {
    /// The table's name.
    public let tableName: String

    /// A table named `tableName`.
    public init(tableName: String = "snapshots") {
        self.tableName = tableName
    }

    /// The DDL creating the table: `name TEXT PRIMARY KEY`, `bytes BLOB NOT NULL`.
    public var createTableSQL: String {
        "CREATE TABLE \(quotedName) (name TEXT PRIMARY KEY NOT NULL, bytes BLOB NOT NULL) STRICT"
    }

    /// Stores `bytes` under `name`, replacing what was there.
    public func save(_ bytes: [UInt8], as name: String, in database: Database) throws(StorageError) {
        try database.execute(
            "INSERT INTO \(quotedName)(name, bytes) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET bytes = excluded.bytes",
            bindings: [.text(name), .blob(bytes)]
        )
    }

    /// The bytes stored under `name`, or `nil`.
    public func load(_ name: String, from database: Database) throws(StorageError) -> [UInt8]? {
        try database.query("SELECT bytes FROM \(quotedName) WHERE name = ?", bindings: [.text(name)]).first?[0].blobValue
    }

    /// Removes `name`; returns whether it existed.
    @discardableResult
    public func remove(_ name: String, from database: Database) throws(StorageError) -> Bool {
        try database.execute("DELETE FROM \(quotedName) WHERE name = ?", bindings: [.text(name)]) > 0
    }

    /// The stored names, sorted.
    public func names(in database: Database) throws(StorageError) -> [String] {
        try database.query("SELECT name FROM \(quotedName) ORDER BY name").compactMap { $0[0].stringValue }
    }

    private var quotedName: String { Partition.quoted(tableName) }
}

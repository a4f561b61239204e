/// One step of a versioned schema: the change that takes a database from the previous version to
/// ``version``. ``Database/migrate(_:)`` applies the steps a file has not seen yet.
///
/// Versions are positive, unique integers recorded in `PRAGMA user_version`; steps are never
/// edited once released — a change is a new step.
///
/// ```swift
/// static let migrations: [Migration] = [
///     Migration(version: 1, sql: "CREATE TABLE queue(id INTEGER PRIMARY KEY, envelope BLOB NOT NULL)"),
///     Migration(version: 2, sql: "CREATE TABLE day_keys(day TEXT PRIMARY KEY, key BLOB NOT NULL)",
///               keyTables: ["day_keys"]),
/// ]
/// ```
public struct Migration: Sendable {
    /// The schema version this step produces.
    public let version: Int
    /// Tables created or changed by this step that hold key material. When any step of a schema
    /// names one, ``Database/migrate(_:)`` turns on `PRAGMA secure_delete` for the connection, so
    /// deleted keys are overwritten rather than left in free pages. Informational beyond that.
    public let keyTables: [String]

    let apply: @Sendable (Database) throws(StorageError) -> Void

    /// A step that runs the SQL script `sql` (one or more statements).
    public init(version: Int, sql: String, keyTables: [String] = []) {
        self.version = version
        self.keyTables = keyTables
        self.apply = { database throws(StorageError) in try database.execute(sql) }
    }

    /// A step that runs `apply` against the database (for data migrations that need code).
    public init(version: Int, keyTables: [String] = [], _ apply: @escaping @Sendable (Database) throws(StorageError) -> Void) {
        self.version = version
        self.keyTables = keyTables
        self.apply = apply
    }

    /// Whether this step declares tables holding keys.
    public var holdsKeys: Bool { !keyTables.isEmpty }
}

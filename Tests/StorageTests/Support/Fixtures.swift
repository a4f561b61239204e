@testable import Storage

/// Small schemas and helpers shared by the suites.
enum Fixture {
    /// A table whose columns have no type affinity, so every value keeps its storage class.
    static let valuesSchema = [
        Migration(version: 1, sql: "CREATE TABLE items(id INTEGER PRIMARY KEY, value ANY) STRICT"),
    ]

    static let queueSchema = [
        Migration(version: 1, sql: """
            CREATE TABLE queue(id INTEGER PRIMARY KEY, recipient TEXT NOT NULL, envelope BLOB NOT NULL);
            CREATE UNIQUE INDEX queue_envelope ON queue(envelope);
            """),
    ]

    static func count(_ database: Database, _ table: String) throws -> Int64 {
        try database.query("SELECT count(*) FROM \(table)").first?[0].int64Value ?? -1
    }

    /// The error `body` throws, as a `StorageError`, or `nil` if it throws none or another type.
    static func storageError(_ body: () throws -> Void) -> StorageError? {
        do {
            try body()
            return nil
        } catch let error as StorageError {
            return error
        } catch {
            return nil
        }
    }
}

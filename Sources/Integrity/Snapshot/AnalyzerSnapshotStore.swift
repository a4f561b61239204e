public import Storage

/// Where analyzer snapshots live: two rows of a ``SnapshotTable`` in the report log's database —
/// the newest image and the one before it, so a damaged newest image still leaves a recent
/// starting point.
public struct AnalyzerSnapshotStore {
    /// The table (created by ``ReportLog/migrations``).
    static let table = SnapshotTable(tableName: "analyzer_snapshots")
    /// Row names, newest first.
    public static let names = ["latest", "previous"]

    /// The database holding the table.
    public let database: Database

    /// The store in `database` (migrated by ``ReportLog``).
    public init(database: Database) {
        self.database = database
    }

    /// Saves `snapshot` as the newest image, keeping the former newest as the previous one, in
    /// one durable transaction.
    public func save(_ snapshot: AnalyzerSnapshot) throws(ReportLogError) {
        do {
            try database.transaction { database in
                if let former = try Self.table.load(Self.names[0], from: database) {
                    try Self.table.save(former, as: Self.names[1], in: database)
                }
                try Self.table.save(snapshot.bytes, as: Self.names[0], in: database)
            }
        } catch let error as StorageError {
            throw ReportLogError(operation: "save snapshot covering \(snapshot.coveredSequence)", storage: error)
        } catch {
            throw ReportLogError(operation: "save snapshot covering \(snapshot.coveredSequence)", message: "\(error)")
        }
    }

    /// The stored images, newest first, as raw bytes (checked when restored).
    public func images() throws(ReportLogError) -> [(name: String, bytes: [UInt8])] {
        var found: [(name: String, bytes: [UInt8])] = []
        for name in Self.names {
            do {
                if let bytes = try Self.table.load(name, from: database) { found.append((name, bytes)) }
            } catch {
                throw ReportLogError(operation: "load snapshot \(name)", storage: error)
            }
        }
        return found
    }

    /// Overwrites the image `name` with `bytes` (tests use it to damage one).
    func overwrite(_ name: String, with bytes: [UInt8]) throws(StorageError) {
        try Self.table.save(bytes, as: name, in: database)
    }
}

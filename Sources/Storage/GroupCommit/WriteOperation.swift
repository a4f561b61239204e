/// One write queued in a ``GroupCommit``: a statement with its bindings, or code run against the
/// database inside the batch's transaction.
enum WriteOperation {
    case statement(sql: String, bindings: [DatabaseValue])
    case closure((Database) throws(StorageError) -> Void)

    /// Performs the write on `database` (inside the batch's transaction).
    func run(on database: Database) throws(StorageError) {
        switch self {
        case let .statement(sql, bindings):
            try database.execute(sql, bindings: bindings)
        case let .closure(write):
            try write(database)
        }
    }
}

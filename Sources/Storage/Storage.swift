/// Vigil's durable storage: SQLite through the `CSQLite` module — WAL mode, prepared statements,
/// versioned migrations, group commit and day-partitioned files.
///
/// - ``Database``: one connection, owned by one thread or event loop; WAL, `synchronous=FULL`,
///   `foreign_keys=ON`, `quick_check` at open (damaged files are refused), files created 0600,
///   a statement cache, `transaction { }`.
/// - ``Statement``, ``DatabaseValue``, ``Row``: binding and typed column reads.
/// - ``Migration`` and ``Database/migrate(_:)``: schema versions in `PRAGMA user_version`, one
///   transaction per step; tables that hold keys turn on `secure_delete`.
/// - ``GroupCommit``: the writes of one loop turn in one transaction, acknowledged only after
///   its commit.
/// - ``DayPartitionedStore``, ``UTCDay``, ``Partition``: a file per UTC day; retention deletes
///   files.
/// - ``SnapshotTable``: named byte snapshots (sketch images).
///
/// Every failure is a ``StorageError``. Storage never reads the clock: days come from
/// timestamps the caller passes.
public enum VigilStorage {}

/// Vigil's durable storage: SQLite through the `CSQLite` module — WAL mode, prepared statements,
/// versioned migrations, group commit and day-partitioned files.
public enum VigilStorage {}

/// Prepared statements kept by a ``Database``, keyed by SQL text, least recently used dropped
/// first beyond `capacity`. Dropping a statement only releases the cache's reference; it is
/// finalized when no one else holds it.
struct StatementCache {
    private struct Entry {
        let statement: Statement
        var lastUse: UInt64
    }

    let capacity: Int
    private var entries: [String: Entry] = [:]
    private var clock: UInt64 = 0

    init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    var count: Int { entries.count }

    /// The SQL texts cached, in no particular order.
    var sqlTexts: [String] { Array(entries.keys) }

    /// The cached statement for `sql`, marked as just used.
    mutating func statement(for sql: String) -> Statement? {
        guard entries[sql] != nil else { return nil }
        clock += 1
        entries[sql]?.lastUse = clock
        return entries[sql]?.statement
    }

    /// Caches `statement`, evicting the least recently used entry when full.
    mutating func insert(_ statement: Statement) {
        guard capacity > 0 else { return }
        if entries[statement.sql] == nil, entries.count >= capacity,
           let oldest = entries.min(by: { $0.value.lastUse < $1.value.lastUse })?.key {
            entries[oldest] = nil
        }
        clock += 1
        entries[statement.sql] = Entry(statement: statement, lastUse: clock)
    }

    mutating func removeAll(where predicate: (String) -> Bool) {
        for sql in entries.keys where predicate(sql) {
            entries[sql] = nil
        }
    }

    mutating func removeAll() {
        entries.removeAll()
    }
}

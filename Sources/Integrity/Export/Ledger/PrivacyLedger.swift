public import Storage

/// The privacy-budget ledger: every platform release, per dataset and UTC day, with its ε, δ and
/// queries, in SQLite (Storage: WAL, `synchronous=FULL`). A release is recorded *before* its
/// output is written, inside one `BEGIN IMMEDIATE` transaction that reads the days' spending,
/// applies ``LedgerPolicy`` and inserts — so concurrent exporters cannot both squeeze under the
/// budget, and a crash after the charge can only waste budget, never leak it.
///
/// ε and δ are stored as integers (millionths, 10⁻¹⁵), so sums are exact.
public final class PrivacyLedger {
    /// The schema.
    public static let migrations: [Migration] = [
        Migration(
            version: 1,
            sql: """
                CREATE TABLE privacy_releases (
                    release INTEGER NOT NULL,
                    dataset TEXT NOT NULL,
                    day INTEGER NOT NULL,
                    epsilon_micros INTEGER NOT NULL CHECK (epsilon_micros > 0),
                    delta_femtos INTEGER NOT NULL CHECK (delta_femtos >= 0),
                    queries TEXT NOT NULL,
                    recorded_at_ms INTEGER NOT NULL,
                    PRIMARY KEY (release, day)
                ) STRICT;
                CREATE INDEX privacy_releases_by_day ON privacy_releases(dataset, day);
                """
        ),
    ]

    /// The open database.
    public let database: Database

    /// Opens (creating) the ledger at `path`.
    public convenience init(path: String) throws(PrivacyLedgerError) {
        let database: Database
        do {
            database = try Database.open(path: path)
        } catch {
            throw .storage(operation: "open \(path)", message: error.description)
        }
        try self.init(database: database)
    }

    /// Uses an open database (its schema is migrated).
    public init(database: Database) throws(PrivacyLedgerError) {
        self.database = database
        do {
            try database.migrate(Self.migrations)
        } catch {
            throw .storage(operation: "migrate \(database.path)", message: error.description)
        }
    }

    /// ε and δ spent so far on each day of `days` for `dataset` (days without releases are absent).
    public func spent(dataset: String, days: ClosedRange<UTCDay>) throws(PrivacyLedgerError) -> [UTCDay: (epsilon: Epsilon, delta: Delta)] {
        let rows: [Row]
        do {
            rows = try database.query("""
                SELECT day, SUM(epsilon_micros), SUM(delta_femtos) FROM privacy_releases
                WHERE dataset = ? AND day BETWEEN ? AND ? GROUP BY day
                """, bindings: [.text(dataset), .integer(days.lowerBound.daysSince1970), .integer(days.upperBound.daysSince1970)])
        } catch {
            throw .storage(operation: "read spending", message: error.description)
        }
        var spent: [UTCDay: (epsilon: Epsilon, delta: Delta)] = [:]
        for row in rows {
            guard let day = row[0].int64Value, let epsilon = row[1].int64Value, let delta = row[2].int64Value else {
                throw .storage(operation: "read spending", message: "a row has the wrong types")
            }
            spent[UTCDay(daysSince1970: day)] = (Epsilon(units: epsilon), Delta(units: delta))
        }
        return spent
    }

    /// Records `charge` if every day it covers stays within `budget`; returns what remains.
    /// - Throws: ``PrivacyLedgerError/overBudget(dataset:day:spentEpsilon:spentDelta:requestedEpsilon:requestedDelta:budget:)``
    ///   (nothing recorded) or a storage error.
    @discardableResult
    public func charge(_ charge: LedgerCharge, budget: PrivacyBudget, at time: Int64) throws(PrivacyLedgerError) -> BudgetStatus {
        guard !charge.dataset.isEmpty, charge.dataset.utf8.count <= 200 else { throw .invalidDataset(charge.dataset) }
        do {
            return try database.transaction { database in
                let spent = try self.spent(dataset: charge.dataset, days: charge.days)
                if let refusal = LedgerPolicy.refusal(spent: spent, charge: charge, budget: budget) { throw refusal }
                let next = try database.query("SELECT COALESCE(MAX(release), 0) + 1 FROM privacy_releases")
                let release = next.first?[0].int64Value ?? 1
                var day = charge.days.lowerBound
                while day <= charge.days.upperBound {
                    _ = try database.execute("""
                        INSERT INTO privacy_releases(release, dataset, day, epsilon_micros, delta_femtos, queries, recorded_at_ms)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """, bindings: [.integer(release), .text(charge.dataset), .integer(day.daysSince1970),
                                        .integer(charge.epsilon.units), .integer(charge.delta.units), .text(charge.queries), .integer(time)])
                    day = day.advanced(by: 1)
                }
                let (epsilon, delta) = LedgerPolicy.remaining(spent: spent, charge: charge, budget: budget)
                return BudgetStatus(dataset: charge.dataset, budget: budget, remainingEpsilon: epsilon, remainingDelta: delta)
            }
        } catch let error as PrivacyLedgerError {
            throw error
        } catch {
            throw .storage(operation: "record release", message: "\(error)")
        }
    }

    /// Releases recorded for `dataset` (distinct release numbers).
    public func releaseCount(dataset: String) throws(PrivacyLedgerError) -> Int {
        do {
            let rows = try database.query("SELECT COUNT(DISTINCT release) FROM privacy_releases WHERE dataset = ?", bindings: [.text(dataset)])
            return Int(rows.first?[0].int64Value ?? 0)
        } catch {
            throw .storage(operation: "count releases", message: error.description)
        }
    }
}

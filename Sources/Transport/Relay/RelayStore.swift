import Glibc
public import Storage

/// The relay's durable state in one SQLite file (`relay.sqlite` in the data directory): numbers and
/// tokens, prekey bundles, the offline queue with its tombstones, blocks and reports. Every
/// ``RelayWrite`` of an event-loop turn goes into one group-commit transaction
/// (`synchronous=FULL`); the host sends the turn's replies only after it commits.
///
/// The registrations table holds relay tokens (secrets), so the schema declares it a key table and
/// the connection runs with `secure_delete`: deleted rows are overwritten, not left in free pages.
public final class RelayStore {
    /// The database file's name inside the data directory.
    public static let fileName = "relay.sqlite"

    /// The open database.
    public let database: Database
    /// The pending writes of the current turn.
    private var batch = GroupCommit<Int>()

    /// The schema, oldest step first.
    static let migrations: [Migration] = [
        Migration(version: 1, sql: """
            CREATE TABLE registrations(
                phone INTEGER PRIMARY KEY, device INTEGER NOT NULL, token BLOB NOT NULL);
            CREATE TABLE prekeys(
                phone INTEGER NOT NULL, sequence INTEGER NOT NULL, bundle BLOB NOT NULL,
                PRIMARY KEY(phone, sequence)) WITHOUT ROWID;
            CREATE TABLE envelopes(
                seq INTEGER PRIMARY KEY, id BLOB NOT NULL UNIQUE, sender INTEGER NOT NULL,
                client_id INTEGER NOT NULL, recipient INTEGER NOT NULL, time INTEGER NOT NULL,
                kind INTEGER NOT NULL, category INTEGER NOT NULL, ciphertext BLOB);
            CREATE INDEX envelopes_time ON envelopes(time);
            CREATE TABLE blocks(
                blocker INTEGER NOT NULL, blocked INTEGER NOT NULL, reason INTEGER NOT NULL,
                time INTEGER NOT NULL, PRIMARY KEY(blocker, blocked)) WITHOUT ROWID;
            CREATE TABLE reports(
                seq INTEGER PRIMARY KEY, time INTEGER NOT NULL, reporter INTEGER NOT NULL,
                business INTEGER NOT NULL, reason INTEGER NOT NULL, envelope BLOB);
            """, keyTables: ["registrations"]),
    ]

    /// Opens (creating if needed, mode 0700 / 0600) the store in `directory`.
    public init(directory: String) throws(RelayError) {
        try Self.createDirectory(directory)
        let path = directory.hasSuffix("/") ? directory + Self.fileName : directory + "/" + Self.fileName
        do throws(StorageError) {
            database = try Database.open(path: path)
            _ = try database.migrate(Self.migrations)
        } catch {
            throw .storage(error)
        }
    }

    /// Creates `directory` and any missing parents (mode 0700), like `mkdir -p`.
    static func createDirectory(_ directory: String) throws(RelayError) {
        var path = directory.hasPrefix("/") ? "" : "."
        for component in directory.split(separator: "/") {
            path += "/" + component
            if mkdir(path, 0o700) != 0, errno != EEXIST {
                throw .dataDirectory(directory, SystemError(call: "mkdir", errno: Errno(rawValue: errno)))
            }
        }
    }

    /// Writes waiting for ``commit()``.
    public var pendingWriteCount: Int { batch.pendingCount }

    /// Group-commit statistics (transactions, writes per transaction).
    public var commitStatistics: GroupCommit<Int>.Statistics { batch.statistics }

    /// Queues `write` for the current turn's transaction.
    public func enqueue(_ write: RelayWrite) {
        let token = batch.pendingCount
        switch write {
        case let .register(phone, device, token: relayToken):
            batch.enqueue(token, sql: "INSERT OR REPLACE INTO registrations(phone, device, token) VALUES (?, ?, ?)",
                          bindings: [.integer(Int64(phone.digits)), .integer(Int64(device.rawValue)), .blob(relayToken.bytes)])
        case let .replacePreKeys(phone, bundles, firstSequence):
            batch.enqueue(token) { database throws(StorageError) in
                _ = try database.execute("DELETE FROM prekeys WHERE phone = ?", bindings: [.integer(Int64(phone.digits))])
                for (offset, bundle) in bundles.enumerated() {
                    _ = try database.execute("INSERT INTO prekeys(phone, sequence, bundle) VALUES (?, ?, ?)", bindings: [
                        .integer(Int64(phone.digits)), .integer(firstSequence + Int64(offset)), .blob(bundle),
                    ])
                }
            }
        case let .removePreKey(phone, sequence):
            batch.enqueue(token, sql: "DELETE FROM prekeys WHERE phone = ? AND sequence = ?",
                          bindings: [.integer(Int64(phone.digits)), .integer(sequence)])
        case let .enqueue(envelope):
            batch.enqueue(token, sql: """
                INSERT INTO envelopes(id, sender, client_id, recipient, time, kind, category, ciphertext)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, bindings: [
                    .blob(envelope.id.bytes), .integer(Int64(envelope.sender.digits)),
                    .integer(Int64(bitPattern: envelope.clientMessageID)), .integer(Int64(envelope.recipient.digits)),
                    .integer(envelope.time), .integer(Int64(envelope.kind.kindByte)),
                    .integer(Int64(envelope.kind.categoryByte)), envelope.ciphertext.map { .blob($0) } ?? .null,
                ])
        case let .acknowledge(ids):
            batch.enqueue(token) { database throws(StorageError) in
                for id in ids {
                    _ = try database.execute("UPDATE envelopes SET ciphertext = NULL WHERE id = ?", bindings: [.blob(id.bytes)])
                }
            }
        case let .block(blocker, blocked, reason, time):
            batch.enqueue(token, sql: "INSERT OR REPLACE INTO blocks(blocker, blocked, reason, time) VALUES (?, ?, ?, ?)",
                          bindings: [.integer(Int64(blocker.digits)), .integer(Int64(blocked.digits)),
                                     .integer(Int64(reason.rawValue)), .integer(time)])
        case let .report(reporter, report, time):
            batch.enqueue(token, sql: "INSERT INTO reports(time, reporter, business, reason, envelope) VALUES (?, ?, ?, ?, ?)",
                          bindings: [.integer(time), .integer(Int64(reporter.digits)), .integer(Int64(report.business.digits)),
                                     .integer(Int64(report.reason.rawValue)), report.envelopeID.map { .blob($0.bytes) } ?? .null])
        case let .expire(envelopesBefore, tombstonesBefore):
            batch.enqueue(token) { database throws(StorageError) in
                _ = try database.execute("DELETE FROM envelopes WHERE time < ?", bindings: [.integer(envelopesBefore)])
                _ = try database.execute("DELETE FROM envelopes WHERE time < ? AND ciphertext IS NULL",
                                         bindings: [.integer(tombstonesBefore)])
            }
        }
    }

    /// Commits the turn's writes in one transaction. Throws (after rolling back) if any failed.
    public func commit() throws(StorageError) {
        switch batch.commit(on: database) {
        case .committed: return
        case let .rolledBack(_, error): throw error
        }
    }

    /// Everything the core needs to resume. Tombstones older than `idempotencyCutoff` and envelopes
    /// older than `envelopeCutoff` are skipped (the next tick deletes them).
    public func load(envelopeCutoff: Int64, idempotencyCutoff: Int64) throws(RelayError) -> RelaySnapshot {
        var snapshot = RelaySnapshot()
        for row in try rows("SELECT phone, device, token FROM registrations") {
            guard let phone = row[0].int64Value.flatMap({ PhoneNumber(digits: UInt64(bitPattern: $0)) }),
                  let device = row[1].int64Value.flatMap({ UInt32(exactly: $0) }).flatMap({ DeviceID(rawValue: $0) }),
                  let token = row[2].blobValue.flatMap({ RelayToken(bytes: $0) })
            else { throw RelayError.corruptRow(table: "registrations", "phone \(row[0])") }
            snapshot.registrations[phone] = RelaySnapshot.Registration(device: device, token: token)
        }
        for row in try rows("SELECT phone, sequence, bundle FROM prekeys ORDER BY phone, sequence") {
            guard let phone = row[0].int64Value.flatMap({ PhoneNumber(digits: UInt64(bitPattern: $0)) }),
                  let sequence = row[1].int64Value, let bundle = row[2].blobValue
            else { throw RelayError.corruptRow(table: "prekeys", "phone \(row[0])") }
            snapshot.preKeys[phone, default: []].append((sequence, bundle))
        }
        let envelopes = try rows("""
            SELECT id, sender, client_id, recipient, time, kind, category, ciphertext FROM envelopes
            WHERE time >= ? AND (ciphertext IS NOT NULL OR time >= ?) ORDER BY seq
            """, bindings: [.integer(envelopeCutoff), .integer(idempotencyCutoff)])
        snapshot.envelopes.reserveCapacity(envelopes.count)
        for row in envelopes {
            guard let id = row[0].blobValue.flatMap({ EnvelopeID(bytes: $0) }),
                  let sender = row[1].int64Value.flatMap({ PhoneNumber(digits: UInt64(bitPattern: $0)) }),
                  let clientID = row[2].int64Value,
                  let recipient = row[3].int64Value.flatMap({ PhoneNumber(digits: UInt64(bitPattern: $0)) }),
                  let time = row[4].int64Value,
                  let kindByte = row[5].int64Value.flatMap({ UInt8(exactly: $0) }),
                  let categoryByte = row[6].int64Value.flatMap({ UInt8(exactly: $0) }),
                  let kind = EnvelopeKind(kind: kindByte, category: categoryByte)
            else { throw RelayError.corruptRow(table: "envelopes", "id \(row[0])") }
            snapshot.envelopes.append(StoredEnvelope(
                id: id, sender: sender, clientMessageID: UInt64(bitPattern: clientID), recipient: recipient,
                time: time, kind: kind, ciphertext: row[7].blobValue
            ))
        }
        for row in try rows("SELECT blocker, blocked FROM blocks") {
            guard let blocker = row[0].int64Value.flatMap({ PhoneNumber(digits: UInt64(bitPattern: $0)) }),
                  let blocked = row[1].int64Value.flatMap({ PhoneNumber(digits: UInt64(bitPattern: $0)) })
            else { throw RelayError.corruptRow(table: "blocks", row.description) }
            snapshot.blocks[blocker, default: []].insert(blocked)
        }
        return snapshot
    }

    /// Runs a query, wrapping the storage error.
    private func rows(_ sql: String, bindings: [DatabaseValue] = []) throws(RelayError) -> [Row] {
        do throws(StorageError) {
            return try database.query(sql, bindings: bindings)
        } catch {
            throw .storage(error)
        }
    }

    /// Closes the database.
    public func close() {
        try? database.close()
    }
}

/// Why the relay could not start or keep going.
public enum RelayError: Error, Sendable, CustomStringConvertible {
    /// The data directory could not be created or used.
    case dataDirectory(String, SystemError)
    /// The store failed.
    case storage(StorageError)
    /// A stored row does not decode (the file was changed outside the relay).
    case corruptRow(table: String, String)
    /// The listening socket or event loop failed.
    case system(SystemError)

    /// One line for humans.
    public var description: String {
        switch self {
        case let .dataDirectory(path, error): "data directory \(path): \(error)"
        case let .storage(error): "relay store: \(error)"
        case let .corruptRow(table, row): "relay store: undecodable row in \(table) (\(row))"
        case let .system(error): "relay: \(error)"
        }
    }
}

import Crypto
import Storage

/// The day keys of one store location, in `keys.sqlite`: per UTC day 32 random bytes, wrapped
/// (ChaCha20-Poly1305 under the master key, the day as associated data) so no day key is ever on
/// disk in the clear.
///
/// `day_keys` is declared a key table, so the connection runs `secure_delete`: destroying a day
/// (``destroy(before:)``) deletes its row — SQLite overwrites the freed bytes with zeros — and then
/// checkpoints the write-ahead log with `TRUNCATE`, so no older copy of the page survives in the
/// `-wal` file either. Destroyed days are remembered (`shredded_before`): a destroyed day's key is
/// never made again.
///
/// A check value sealed under the master key when the file is created makes a wrong master key
/// fail at open (``MessageStoreError/masterKeyMismatch(path:)``) instead of at the first read.
/// Owned by one thread, like its ``Database``.
final class DayKeyring {
    /// The file's name inside the store's directory.
    static let fileName = "keys.sqlite"

    static let migrations = [
        Migration(version: 1, sql: """
            CREATE TABLE day_keys(day TEXT PRIMARY KEY NOT NULL, wrapped BLOB NOT NULL) STRICT;
            CREATE TABLE keyring(name TEXT PRIMARY KEY NOT NULL, value ANY NOT NULL) STRICT;
            """, keyTables: ["day_keys"]),
    ]

    private static let checkLabel = Array("vigil.cloudapi.store.master-check.v1".utf8)

    /// The file's path.
    let path: String
    /// The connection to `keys.sqlite`.
    let database: Database
    private let masterKey: MasterKey
    private let random: any RandomSource
    private var cache: [UTCDay: DayKey] = [:]
    /// Days before this one have been destroyed (`nil` until the first ``destroy(before:)``).
    private(set) var shreddedBefore: UTCDay?
    /// Whether keys may have been deleted since the last complete checkpoint (then the log may
    /// still hold them, and the next ``destroy(before:)`` checkpoints even if it deletes nothing).
    /// True at open: a crash may have come between a deletion and its checkpoint.
    private var checkpointOwed = true

    /// Opens (creating) `path`, checks it against `masterKey` and reads what has been destroyed.
    init(path: String, masterKey: MasterKey, random: any RandomSource) throws(MessageStoreError) {
        let database: Database
        do throws(StorageError) { database = try Database.open(path: path) } catch { throw .storage(error) }
        do throws(StorageError) { try database.migrate(Self.migrations) } catch {
            try? database.close()
            throw .storage(error)
        }
        self.database = database
        self.path = path
        self.masterKey = masterKey
        self.random = random
        do throws(MessageStoreError) {
            guard try database.storeQuery("PRAGMA secure_delete").first?[0].int64Value == 1 else {
                throw .locationUnavailable(directory: path, reason: "SQLite did not turn on secure_delete for the key table")
            }
            try checkMasterKey()
            if let text = try database.storeQuery("SELECT value FROM keyring WHERE name = 'shredded_before'").first?[0].stringValue {
                guard let day = UTCDay(text) else {
                    throw .locationUnavailable(directory: path, reason: "the destroyed-days mark is not a date")
                }
                shreddedBefore = day
            }
        } catch {
            try? database.close()
            throw error
        }
    }

    /// Verifies the check value, writing one if the file is new.
    private func checkMasterKey() throws(MessageStoreError) {
        if let stored = try database.storeQuery("SELECT value FROM keyring WHERE name = 'master_check'").first?[0].blobValue {
            do throws(CryptoError) {
                _ = try ChaChaPoly.open(AEADSealedBox(combined: stored), using: masterKey.key, authenticating: Self.checkLabel)
            } catch {
                throw .masterKeyMismatch(path: path)
            }
            return
        }
        guard try database.storeQuery("SELECT count(*) FROM day_keys").first?[0].int64Value == 0 else {
            throw .masterKeyMismatch(path: path) // keys without a check value: not a file this code wrote
        }
        let check: [UInt8]
        do throws(CryptoError) {
            check = try ChaChaPoly.seal(
                [UInt8](), using: masterKey.key, nonce: AEADNonce(using: random), authenticating: Self.checkLabel
            ).combined
        } catch {
            throw .crypto(error)
        }
        try database.storeExecute("INSERT INTO keyring(name, value) VALUES ('master_check', ?)", [.blob(check)])
    }

    /// The associated data a day key is wrapped with.
    private static func wrapLabel(_ day: UTCDay) -> [UInt8] {
        Array("vigil.cloudapi.store.day-key.v1|\(day)".utf8)
    }

    /// The key of `day` if it exists (never creates one).
    func key(for day: UTCDay) throws(MessageStoreError) -> DayKey? {
        if let key = cache[day] { return key }
        guard let wrapped = try database.storeQuery(
            "SELECT wrapped FROM day_keys WHERE day = ?", [.text(day.description)]
        ).first?[0].blobValue else { return nil }
        var material: [UInt8]
        do throws(CryptoError) {
            material = try ChaChaPoly.open(
                AEADSealedBox(combined: wrapped), using: masterKey.key, authenticating: Self.wrapLabel(day))
        } catch {
            throw .dayKeyCorrupt(day)
        }
        defer { for index in material.indices { material[index] = 0 } }
        guard material.count == 32 else { throw .dayKeyCorrupt(day) }
        let key: DayKey
        do throws(CryptoError) { key = try DayKey(day: day, material: SymmetricKey(data: material)) } catch {
            throw .crypto(error)
        }
        cache[day] = key
        return key
    }

    /// The key of `day`, made (random), wrapped and durably stored first if it does not exist.
    /// A destroyed day is refused with ``MessageStoreError/dayShredded(_:)``.
    func makeKey(for day: UTCDay) throws(MessageStoreError) -> DayKey {
        if let shreddedBefore, day < shreddedBefore { throw .dayShredded(day) }
        if let key = try key(for: day) { return key }
        let key: DayKey
        let wrapped: [UInt8]
        do throws(CryptoError) {
            key = try DayKey(day: day, material: SymmetricKey(size: .bits256, using: random))
            wrapped = try ChaChaPoly.seal(
                key.material.secureBytes, using: masterKey.key, nonce: AEADNonce(using: random),
                authenticating: Self.wrapLabel(day)
            ).combined
        } catch {
            throw .crypto(error)
        }
        // Autocommit, synchronous=FULL: the key is durable before any record sealed under it.
        try database.storeExecute("INSERT INTO day_keys(day, wrapped) VALUES (?, ?)", [.text(day.description), .blob(wrapped)])
        cache[day] = key
        return key
    }

    /// The days that have a key, oldest first.
    func days() throws(MessageStoreError) -> [UTCDay] {
        try database.storeQuery("SELECT day FROM day_keys ORDER BY day").compactMap { row in
            row[0].stringValue.flatMap(UTCDay.init)
        }
    }

    /// Destroys the key of every day before `cutoff` and remembers that days before it are gone:
    /// one transaction deletes the rows (overwritten with zeros by `secure_delete`) and advances
    /// the mark, then `wal_checkpoint(TRUNCATE)` moves the zeroed pages into the file and empties
    /// the `-wal` file. Returns the days whose key was destroyed, oldest first.
    ///
    /// - Throws: ``MessageStoreError/checkpointIncomplete(path:)`` if the log could not be
    ///   truncated (a destroyed key may then linger in it until the next successful call).
    @discardableResult
    func destroy(before cutoff: UTCDay) throws(MessageStoreError) -> [UTCDay] {
        let doomed = try days().filter { $0 < cutoff }
        let advances = shreddedBefore.map { $0 < cutoff } ?? true
        if !doomed.isEmpty || advances {
            for day in doomed { cache[day] = nil }
            let mark = max(cutoff, shreddedBefore ?? cutoff)
            checkpointOwed = true
            try database.storeTransaction([
                ("DELETE FROM day_keys WHERE day < ?", [.text(cutoff.description)]),
                ("INSERT INTO keyring(name, value) VALUES ('shredded_before', ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                 [.text(mark.description)]),
            ])
            shreddedBefore = mark
        }
        if checkpointOwed {
            try checkpoint()
            checkpointOwed = false
        }
        return doomed
    }

    /// `PRAGMA wal_checkpoint(TRUNCATE)`: copies every frame into the database file and truncates
    /// the log to zero bytes; fails unless the checkpoint ran to completion.
    func checkpoint() throws(MessageStoreError) {
        let row = try database.storeQuery("PRAGMA wal_checkpoint(TRUNCATE)").first
        guard let row, row[0].int64Value == 0 else { throw .checkpointIncomplete(path: path) }
    }

    /// Closes the connection (which checkpoints the log) and forgets the cached keys.
    func close() {
        cache.removeAll()
        try? database.close()
    }
}

@available(*, unavailable, message: "a DayKeyring belongs to one thread or event loop")
extension DayKeyring: Sendable {}

public import Crypto
public import Storage
import Transport

/// The Cloud API endpoint's encrypted message store for one ``StoreLocation``: every message
/// record, both directions, kept at most 30 days and encrypted at rest under a key of its UTC day.
///
/// **At rest.** `keys.sqlite` holds one random key per day, wrapped under the ``MasterKey``;
/// `days/YYYY-MM-DD.sqlite` holds the day's records. A record row carries its id (the wamid,
/// which names no one) in the clear, `party` = HMAC-SHA-256 under the day's index key of the
/// business/consumer pair (inbound records only; empty for outbound ones), direction, time and
/// the delivery columns, and `sealed` = ChaCha20-Poly1305 under the day's sealing key of
/// everything else (numbers, kind, payload), associated data id ‖ day. No consumer number, pair
/// or content is ever written in the clear.
///
/// **Retention is crypto-shredding.** ``expire(now:)`` destroys the key of every day older than
/// the ``RetentionPolicy`` (`secure_delete` + a truncating WAL checkpoint) and then deletes the
/// day's files. The consumer numbers go with them: they exist only inside sealed records and in
/// index values keyed under the destroyed key.
///
/// **Writes and time.** Writes are queued (``append(_:)``, ``updateDelivery(id:status:attempts:nextAttemptAt:delivered:)``)
/// during an event-loop turn and made durable by one ``commit()`` — one transaction per day file,
/// `synchronous=FULL`; acknowledge a message only after `commit()` returns. Reads see committed
/// data. The store never reads a clock: a record's day comes from its ``MessageRecord/time`` and
/// every time-dependent call takes `now` (milliseconds since the Unix epoch), so tests drive it
/// with an injected clock.
///
/// **Webhooks.** The store is the webhook queue: records whose webhook is pending survive
/// restarts and are read back, most overdue first (``pendingWebhooks(now:limit:skipping:)``).
/// The pump takes them with ``takeDueWebhooks(now:limit:skipping:readingStore:)``, which hands out
/// the records committed since its last call from memory and reads the store for the rest.
///
/// ```swift
/// let store = try MessageStore(location: .region(.eu, dataDirectory: data), masterKey: key)
/// try store.append(record)              // during the turn
/// try store.commit()                    // end of the turn; then acknowledge
/// for record in try store.takeDueWebhooks(now: clock.now, limit: 32, skipping: inFlight, readingStore: tick) {
///     deliver(record)                   // then updateWebhook(of:…) and commit()
/// }
/// try store.expire(now: clock.now)      // at start-up and at least daily
/// ```
///
/// Owned by one thread or event loop, like the connections it holds.
public final class MessageStore {
    /// Where the files are.
    public let location: StoreLocation
    /// How long days are kept.
    public let retention: RetentionPolicy

    let keyring: DayKeyring
    let dayFiles: DayFiles
    let random: any RandomSource
    /// Writes waiting for ``commit()``, one group-commit batch per day file.
    var batches: [UTCDay: GroupCommit<String>] = [:]
    /// The day of each record appended since the last commit (an update in the same turn must
    /// find it before it is stored).
    var pendingDays: [String: UTCDay] = [:]
    /// Committed records with their webhook pending, not yet taken by the pump.
    var fresh = FreshWebhooks()

    /// Opens the store at `location`: prepares the directory, opens `keys.sqlite` and checks it
    /// against `masterKey`, lists the day files, and finishes any destruction a crash interrupted
    /// (files of days whose key is already gone are deleted).
    ///
    /// - Parameters:
    ///   - location: The directory. A region's directory is created (0700) under an existing data
    ///     directory; a local-storage directory must already exist.
    ///   - masterKey: The key that wraps the day keys.
    ///   - retention: How long days are kept; Meta's 30 days by default.
    ///   - random: Where day keys and nonces come from; the operating system by default.
    ///   - durability: How day files commit. With ``Database/Durability/deferred``, ``commit()``
    ///     returns the logs the owner must sync before acknowledging (day keys are still durable
    ///     before any record sealed under them).
    /// - Throws: ``MessageStoreError``, e.g. `.masterKeyMismatch` or `.locationUnavailable`.
    public init(
        location: StoreLocation, masterKey: MasterKey, retention: RetentionPolicy = .standard,
        random: any RandomSource = SystemRandom(), durability: Database.Durability = .immediate
    ) throws(MessageStoreError) {
        try Self.prepare(location)
        let keyring = try DayKeyring(
            path: location.directory + "/" + DayKeyring.fileName, masterKey: masterKey, random: random)
        let dayFiles: DayFiles
        do throws(MessageStoreError) {
            dayFiles = try DayFiles(directory: location.directory + "/" + DayFiles.directoryName, durability: durability)
            if let mark = keyring.shreddedBefore {
                let leftovers = dayFiles.days.filter { $0 < mark }
                for day in leftovers { try dayFiles.remove(day) }
                if !leftovers.isEmpty { try dayFiles.syncDirectory() }
            }
        } catch {
            keyring.close()
            throw error
        }
        self.location = location
        self.retention = retention
        self.keyring = keyring
        self.dayFiles = dayFiles
        self.random = random
    }

    /// Creates a region's directories under an existing data directory, or checks that a
    /// local-storage directory exists.
    private static func prepare(_ location: StoreLocation) throws(MessageStoreError) {
        let directory = location.directory
        switch location.placement {
        case .localStorage:
            guard StoreFiles.isDirectory(directory) else {
                throw .locationUnavailable(directory: directory, reason: "the local-storage directory does not exist")
            }
        case .region:
            let regions = StoreFiles.parent(of: directory)
            let data = StoreFiles.parent(of: regions)
            guard StoreFiles.isDirectory(data) else {
                throw .locationUnavailable(directory: directory, reason: "the data directory \(data) does not exist")
            }
            for path in [regions, directory] {
                do throws(SystemError) { try StoreFiles.createDirectoryIfMissing(path, permissions: 0o700) } catch {
                    throw .fileSystem(error, path: path)
                }
            }
        }
    }

    /// The days that have records on disk (whether or not past retention), oldest first.
    public var days: [UTCDay] { dayFiles.days.sorted() }

    /// The days that may be read: those with a file whose key has not been destroyed.
    var liveDays: [UTCDay] {
        let mark = keyring.shreddedBefore
        return dayFiles.days.filter { day in mark.map { day >= $0 } ?? true }.sorted()
    }

    /// Closes every connection. Uncommitted writes are dropped.
    public func close() {
        batches.removeAll()
        pendingDays.removeAll()
        fresh.dropAll()
        dayFiles.close()
        keyring.close()
    }
}

@available(*, unavailable, message: "a MessageStore belongs to one thread or event loop")
extension MessageStore: Sendable {}

public import Crypto
public import Storage
public import Transport

/// Why a ``MessageStore`` operation failed. Errors name records by id and days by date, never by
/// number or content, so they are safe to log.
public enum MessageStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The location's directory cannot be used (`reason` says why); nothing was written.
    case locationUnavailable(directory: String, reason: String)
    /// `keys.sqlite` (at `path`) was written under a different master key: refusing to run rather
    /// than write records no one could read.
    case masterKeyMismatch(path: String)
    /// A file operation the store performs itself failed.
    case fileSystem(SystemError, path: String)
    /// SQLite failed (the error carries SQL text, never bound values).
    case storage(StorageError)
    /// A cryptographic operation failed for a reason other than a failed authentication (e.g. the
    /// random generator).
    case crypto(CryptoError)
    /// The record cannot be stored: `reason` says which field is wrong (without quoting it).
    case invalidRecord(id: String, reason: String)
    /// No stored record has this id (it never existed, or its day has been destroyed).
    case recordNotFound(id: String)
    /// The day's key was destroyed: nothing can be written to it any more.
    case dayShredded(UTCDay)
    /// The day has a file but no key in `keys.sqlite`: its records cannot be read.
    case dayKeyMissing(UTCDay)
    /// The day's wrapped key does not authenticate under the master key (damaged or tampered).
    case dayKeyCorrupt(UTCDay)
    /// A stored record does not authenticate or decode (`reason` says which).
    case recordCorrupt(id: String, day: UTCDay, reason: String)
    /// `expire` was asked to destroy a day that has writes waiting for ``MessageStore/commit()``.
    case pendingWritesForExpiredDay(UTCDay)
    /// The write-ahead log of `keys.sqlite` could not be truncated after destroying keys, so a
    /// destroyed key may still be in it; `expire` should be retried.
    case checkpointIncomplete(path: String)
    /// The batch of writes for one or more day files was rolled back: the records and updates
    /// with these ids were not stored (writes for other days were). Retry them; appends are
    /// idempotent per id.
    case commitFailed(ids: [String], underlying: StorageError)

    /// One line saying what failed.
    public var description: String {
        switch self {
        case let .locationUnavailable(directory, reason): "store location \(directory) is unavailable: \(reason)"
        case let .masterKeyMismatch(path): "\(path) was written under a different master key"
        case let .fileSystem(error, path): "store file \(path): \(error)"
        case let .storage(error): "store database: \(error)"
        case let .crypto(error): "store cryptography: \(error)"
        case let .invalidRecord(id, reason): "record \(id) cannot be stored: \(reason)"
        case let .recordNotFound(id): "no stored record \(id)"
        case let .dayShredded(day): "day \(day) has been destroyed; nothing can be written to it"
        case let .dayKeyMissing(day): "day \(day) has records but no key"
        case let .dayKeyCorrupt(day): "the key of day \(day) does not authenticate under the master key"
        case let .recordCorrupt(id, day, reason): "stored record \(id) of day \(day) is corrupt: \(reason)"
        case let .pendingWritesForExpiredDay(day): "day \(day) cannot be destroyed: it has uncommitted writes"
        case let .checkpointIncomplete(path): "the write-ahead log of \(path) could not be truncated"
        case let .commitFailed(ids, underlying): "\(ids.count) writes were rolled back: \(underlying)"
        }
    }
}

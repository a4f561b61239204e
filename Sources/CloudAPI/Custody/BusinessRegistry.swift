import Glibc
public import Crypto
public import Storage
public import Transport

/// The endpoint's custody store, `DATA/cloudapi.sqlite`: every business it speaks for, with its
/// identity and prekeys (one sealed record) and its Signal sessions with users (one sealed record
/// per user, found through a keyed index — no consumer number in clear). Secrets (app secret,
/// relay token) and all key material are sealed under the master key; the tables are key tables,
/// so the connection runs with `secure_delete`.
///
/// Writes are queued during an event-loop turn and committed together by ``commit()`` (group
/// commit): the endpoint sends nothing a crash could contradict — in particular no ciphertext
/// produced by a ratchet state that is not yet durable.
public final class BusinessRegistry {
    /// The database file's name inside the data directory.
    public static let fileName = "cloudapi.sqlite"

    /// The open database.
    public let database: Database
    /// The master-key sealer.
    public let sealer: Sealer
    private var batch = GroupCommit<RegistryWrite>()
    /// A session row's key and sealing context by business and peer: an HMAC and an encoding
    /// per saved ratchet step otherwise (~2 % of the endpoint's loop thread). Bounded by
    /// ``sessionKeyCacheLimit``; it starts over past it.
    private var sessionKeys: [SessionKeyID: (index: [UInt8], context: String)] = [:]

    static let migrations: [Migration] = [
        Migration(version: 1, sql: """
            CREATE TABLE businesses(
                phone_number_id TEXT PRIMARY KEY, account_id TEXT NOT NULL, phone INTEGER NOT NULL UNIQUE,
                name TEXT NOT NULL, webhook_url TEXT, verify_token TEXT, region TEXT NOT NULL, local_storage TEXT,
                device INTEGER NOT NULL, access_token_hash BLOB NOT NULL, secrets BLOB NOT NULL, keys BLOB NOT NULL,
                webhook_verified INTEGER NOT NULL DEFAULT 0, quality TEXT NOT NULL, status TEXT NOT NULL,
                messaging_limit TEXT NOT NULL, created INTEGER NOT NULL);
            CREATE TABLE sessions(
                phone_number_id TEXT NOT NULL, peer_index BLOB NOT NULL, sealed BLOB NOT NULL, last_used INTEGER NOT NULL,
                PRIMARY KEY(phone_number_id, peer_index)) WITHOUT ROWID;
            CREATE INDEX sessions_last_used ON sessions(last_used);
            """, keyTables: ["businesses", "sessions"]),
    ]

    /// Opens (creating, directory 0700, file 0600) the registry in `directory`.
    ///
    /// With `durability` ``Database/Durability/deferred`` (the endpoint's choice) ``commit()`` and
    /// ``commit(_:)`` return before the disk has the writes and the owner syncs ``walFile``;
    /// ``add(phone:name:webhookURL:verifyToken:appSecret:region:localStorageDirectory:random:now:)``
    /// still syncs before it returns. `random` supplies the sealer's nonces.
    public init(
        directory: String, masterKey: MasterKey, durability: Database.Durability = .immediate,
        random: any RandomSource = SystemRandom()
    ) throws(CloudAPIError) {
        do throws(StorageError) {
            try FileSystem.createDirectories(directory)
        } catch {
            throw .invalidConfiguration("cannot create data directory \(directory): \(error)")
        }
        sealer = try Sealer(masterKey: masterKey.key, random: random)
        do throws(StorageError) {
            database = try Database.open(path: directory + "/" + Self.fileName, options: Database.Options(durability: durability))
            _ = try database.migrate(Self.migrations)
        } catch {
            throw .storage(error)
        }
    }

    // MARK: Businesses

    /// Creates a business: fresh ids, access token and identity. Returns the account, the access
    /// token (shown once; only its hash is kept) and the business's protocol party.
    public func add(
        phone: PhoneNumber, name: String, webhookURL: String?, verifyToken: String?, appSecret: String,
        region: StorageRegion, localStorageDirectory: String?, random: any RandomSource = SystemRandom(), now: Int64
    ) throws(CloudAPIError) -> (account: BusinessAccount, accessToken: String, party: Party) {
        if try !rows("SELECT phone_number_id FROM businesses WHERE phone = ?", [.integer(Int64(phone.digits))]).isEmpty {
            throw .duplicateBusiness("number \(phone)")
        }
        let party: Party
        let tokenBytes: [UInt8]
        let ids: [UInt8]
        do throws(CryptoError) {
            tokenBytes = try random.bytes(count: 32)
            ids = try random.bytes(count: 16)
        } catch {
            throw .crypto(error)
        }
        do throws(ProtocolError) {
            party = try Party(random: random)
        } catch {
            throw .protocolState(error)
        }
        let accessToken = "EAAV" + Base64URL.encode(tokenBytes)
        let account = BusinessAccount(
            phoneNumberID: Self.numericID(ids.prefix(8)), accountID: Self.numericID(ids.suffix(8)), phone: phone, name: name,
            webhookURL: webhookURL, verifyToken: verifyToken, appSecret: appSecret,
            accessTokenHash: try Self.hash(accessToken), region: region, localStorageDirectory: localStorageDirectory,
            device: DeviceID(rawValue: UInt32(ids[0]) << 8 | UInt32(ids[1]) | 1) ?? DeviceID(rawValue: 1)!
        )
        let secrets = try sealer.seal(Self.encodeSecrets(account), context: "businesses/secrets/\(account.phoneNumberID)")
        let keys = try sealer.seal(party.serializedKeys(), context: "businesses/keys/\(account.phoneNumberID)")
        do throws(StorageError) {
            _ = try database.execute("""
                INSERT INTO businesses(phone_number_id, account_id, phone, name, webhook_url, verify_token, region, local_storage,
                    device, access_token_hash, secrets, keys, quality, status, messaging_limit, created)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, bindings: [
                    .text(account.phoneNumberID), .text(account.accountID), .integer(Int64(phone.digits)), .text(name),
                    webhookURL.map { .text($0) } ?? .null, verifyToken.map { .text($0) } ?? .null, .text(region.rawValue),
                    localStorageDirectory.map { .text($0) } ?? .null, .integer(Int64(account.device.rawValue)),
                    .blob(account.accessTokenHash), .blob(secrets), .blob(keys), .text(account.qualityRating),
                    .text(account.status), .text(account.messagingLimit), .integer(now),
                ])
            try database.walFile?.sync()
        } catch {
            throw .storage(error)
        }
        return (account, accessToken, party)
    }

    /// Every business, in creation order.
    public func accounts() throws(CloudAPIError) -> [BusinessAccount] {
        var accounts: [BusinessAccount] = []
        for row in try rows("""
            SELECT phone_number_id, account_id, phone, name, webhook_url, verify_token, region, local_storage, device,
                   access_token_hash, secrets, webhook_verified, quality, status, messaging_limit
            FROM businesses ORDER BY created, phone_number_id
            """) {
            guard let id = row[0].stringValue, let accountID = row[1].stringValue,
                  let phone = row[2].int64Value.flatMap({ PhoneNumber(digits: UInt64(bitPattern: $0)) }),
                  let name = row[3].stringValue, let region = row[6].stringValue.flatMap({ StorageRegion(rawValue: $0) }),
                  let device = row[8].int64Value.flatMap({ UInt32(exactly: $0) }).flatMap(DeviceID.init(rawValue:)),
                  let tokenHash = row[9].blobValue, let sealedSecrets = row[10].blobValue,
                  let verified = row[11].int64Value, let quality = row[12].stringValue, let status = row[13].stringValue,
                  let limit = row[14].stringValue
            else { throw .corrupt(what: "business row \(row[0])") }
            let secrets = try sealer.open(sealedSecrets, context: "businesses/secrets/\(id)", what: "secrets of business \(id)")
            let (appSecret, relayToken) = try Self.decodeSecrets(secrets, id: id)
            accounts.append(BusinessAccount(
                phoneNumberID: id, accountID: accountID, phone: phone, name: name, webhookURL: row[4].stringValue,
                verifyToken: row[5].stringValue, appSecret: appSecret, accessTokenHash: tokenHash, region: region,
                localStorageDirectory: row[7].stringValue, device: device, relayToken: relayToken, webhookVerified: verified != 0,
                qualityRating: quality, status: status, messagingLimit: limit
            ))
        }
        return accounts
    }

    /// Queues the account's mutable fields (relay token, webhook state, integrity status).
    public func update(_ account: BusinessAccount) throws(CloudAPIError) {
        let secrets = try sealer.seal(Self.encodeSecrets(account), context: "businesses/secrets/\(account.phoneNumberID)")
        batch.enqueue(RegistryWrite(key: "account/" + account.phoneNumberID, followsRecords: false), sql: """
            UPDATE businesses SET secrets = ?, webhook_verified = ?, quality = ?, status = ?, messaging_limit = ?,
                webhook_url = ?, verify_token = ? WHERE phone_number_id = ?
            """, bindings: [
                .blob(secrets), .integer(account.webhookVerified ? 1 : 0), .text(account.qualityRating), .text(account.status),
                .text(account.messagingLimit), account.webhookURL.map { .text($0) } ?? .null,
                account.verifyToken.map { .text($0) } ?? .null, .text(account.phoneNumberID),
            ])
    }

    /// Whether `token` is `account`'s access token (SHA-256 compared in constant time).
    public static func authenticates(_ token: String, _ account: BusinessAccount) -> Bool {
        guard let hash = try? hash(token) else { return false }
        return ConstantTime.equals(hash, account.accessTokenHash)
    }

    // MARK: Keys and sessions

    /// The business's party: its keys and every stored session.
    public func party(for account: BusinessAccount, random: any RandomSource = SystemRandom()) throws(CloudAPIError) -> Party {
        try loadParty(for: account, random: random).party
    }

    /// The business's party and when each session (by peer) was last used.
    public func loadParty(
        for account: BusinessAccount, random: any RandomSource = SystemRandom()
    ) throws(CloudAPIError) -> (party: Party, lastUsed: [String: Int64]) {
        let id = account.phoneNumberID
        guard let sealedKeys = try rows("SELECT keys FROM businesses WHERE phone_number_id = ?", [.text(id)]).first?[0].blobValue else {
            throw .unknownBusiness(id)
        }
        let keys = try sealer.open(sealedKeys, context: "businesses/keys/\(id)", what: "keys of business \(id)")
        var conversations: [String: Conversation] = [:]
        var lastUsed: [String: Int64] = [:]
        for row in try rows("SELECT peer_index, sealed, last_used FROM sessions WHERE phone_number_id = ?", [.text(id)]) {
            guard let index = row[0].blobValue, let sealed = row[1].blobValue, let used = row[2].int64Value else {
                throw .corrupt(what: "session row of \(id)")
            }
            let plain = try sealer.open(sealed, context: "sessions/\(id)/\(Base64URL.encode(index))", what: "a session of business \(id)")
            let (peer, conversation) = try Self.decodeSession(plain, id: id)
            conversations[peer] = conversation
            lastUsed[peer] = used
        }
        do throws(ProtocolError) {
            return (try Party(keys: keys, conversations: conversations, random: random), lastUsed)
        } catch {
            throw .protocolState(error)
        }
    }

    /// Queues the party's keys (after a one-time prekey was used or prekeys were published);
    /// `followsRecords` as for ``saveSession(_:peer:for:now:followsRecords:)``.
    public func saveKeys(of party: Party, for account: BusinessAccount, followsRecords: Bool = false) throws(CloudAPIError) {
        let sealed = try sealer.seal(party.serializedKeys(), context: "businesses/keys/\(account.phoneNumberID)")
        batch.enqueue(RegistryWrite(key: "keys/" + account.phoneNumberID, followsRecords: followsRecords),
                      sql: "UPDATE businesses SET keys = ? WHERE phone_number_id = ?",
                      bindings: [.blob(sealed), .text(account.phoneNumberID)])
    }

    /// Queues one session (after every message in either direction). `followsRecords` marks a
    /// session advanced by decrypting an inbound message: an owner that commits later must not
    /// commit it before that message's record is durable (``RegistryWrite``). Returns the write's
    /// ``RegistryWrite/key``, for an owner whose effects wait for this session alone.
    @discardableResult
    public func saveSession(
        _ conversation: Conversation, peer: PhoneNumber, for account: BusinessAccount, now: Int64, followsRecords: Bool = false
    ) throws(CloudAPIError) -> String {
        let (index, context) = try sessionKey(account.phoneNumberID, peer)
        var plain = Array(peer.e164.utf8)
        plain.insert(UInt8(plain.count), at: 0)
        plain += conversation.serialized()
        let sealed = try sealer.seal(plain, context: context)
        for index in plain.indices { plain[index] = 0 }
        let key = "session/\(account.phoneNumberID)/\(peer.e164)"
        batch.enqueue(RegistryWrite(key: key, followsRecords: followsRecords),
                      sql: "INSERT OR REPLACE INTO sessions(phone_number_id, peer_index, sealed, last_used) VALUES (?, ?, ?, ?)",
                      bindings: [.text(account.phoneNumberID), .blob(index), .blob(sealed), .integer(now)])
        return key
    }

    /// The `peer_index` of a session row and the context its value is sealed for.
    private func sessionKey(_ phoneNumberID: String, _ peer: PhoneNumber) throws(CloudAPIError) -> (index: [UInt8], context: String) {
        let id = SessionKeyID(phoneNumberID: phoneNumberID, peer: peer)
        if let known = sessionKeys[id] { return known }
        let index = try sealer.index(phoneNumberID, peer.e164)
        let key = (index, "sessions/\(phoneNumberID)/\(Base64URL.encode(index))")
        if sessionKeys.count >= Self.sessionKeyCacheLimit { sessionKeys.removeAll(keepingCapacity: true) }
        sessionKeys[id] = key
        return key
    }

    /// The most session keys ``saveSession(_:peer:for:now:followsRecords:)`` remembers.
    static let sessionKeyCacheLimit = 65_536

    /// Deletes sessions idle since before `cutoff` — the consumer's number goes with them — and,
    /// if any were deleted, checkpoints the WAL (TRUNCATE) so no older copy of their pages stays
    /// in the `-wal` file (`secure_delete` has already zeroed them in the database file). Queued
    /// writes stay queued: one that saves a session deleted here puts it back, with its newer
    /// `last_used`. Call outside a transaction (between commits).
    @discardableResult
    public func expireSessions(idleBefore cutoff: Int64) throws(CloudAPIError) -> Int {
        let deleted: Int
        do throws(StorageError) {
            deleted = try database.execute("DELETE FROM sessions WHERE last_used < ?", bindings: [.integer(cutoff)])
            if deleted > 0 {
                sessionKeys.removeAll()  // they name consumers too
                _ = try database.query("PRAGMA wal_checkpoint(TRUNCATE)")
            }
        } catch {
            throw .storage(error)
        }
        return deleted
    }

    /// Writes waiting for ``commit()``.
    public var pendingWriteCount: Int { batch.pendingCount }

    /// Commits the queued writes in one transaction.
    public func commit() throws(CloudAPIError) {
        try commit(takeQueuedWrites())
    }

    /// Removes and returns the queued writes, to be committed later with ``commit(_:)`` — by an
    /// owner that must first make other files durable (the endpoint syncs a turn's message
    /// records before the sessions that decrypted them).
    public func takeQueuedWrites() -> GroupCommit<RegistryWrite> {
        var taken = GroupCommit<RegistryWrite>()
        swap(&taken, &batch)
        return taken
    }

    /// Commits `writes` (taken with ``takeQueuedWrites()``, possibly of several turns, in order)
    /// in one transaction.
    public func commit(_ writes: consuming GroupCommit<RegistryWrite>) throws(CloudAPIError) {
        var writes = writes
        if case let .rolledBack(_, error) = writes.commit(on: database) { throw .storage(error) }
    }

    /// The log to sync after commits, with deferred durability.
    public var walFile: WALFile? { database.walFile }

    /// Closes the database.
    public func close() { try? database.close() }

    // MARK: Encoding

    private func rows(_ sql: String, _ bindings: [DatabaseValue] = []) throws(CloudAPIError) -> [Row] {
        do throws(StorageError) {
            return try database.query(sql, bindings: bindings)
        } catch {
            throw .storage(error)
        }
    }

    static func hash(_ token: String) throws(CloudAPIError) -> [UInt8] {
        do throws(CryptoError) {
            return Array(try SHA256.hash(data: Array(token.utf8)).bytes)
        } catch {
            throw .crypto(error)
        }
    }

    /// A 15-digit decimal id (Meta's ids are numeric strings) from 8 random bytes.
    static func numericID(_ bytes: some Collection<UInt8>) -> String {
        let value = bytes.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return String(100_000_000_000_000 + value % 900_000_000_000_000)
    }

    /// `u16 n ‖ app secret ‖ u8 has token ‖ [32 B token]`.
    static func encodeSecrets(_ account: BusinessAccount) -> [UInt8] {
        let secret = Array(account.appSecret.utf8.prefix(Int(UInt16.max)))
        var bytes = [UInt8(secret.count >> 8), UInt8(secret.count & 0xFF)] + secret
        if let token = account.relayToken {
            bytes.append(1)
            bytes += token.bytes
        } else {
            bytes.append(0)
        }
        return bytes
    }

    static func decodeSecrets(_ bytes: SecureBytes, id: String) throws(CloudAPIError) -> (String, RelayToken?) {
        let all = Array(bytes)
        guard all.count >= 3 else { throw .corrupt(what: "secrets of business \(id)") }
        let length = Int(all[0]) << 8 | Int(all[1])
        guard all.count >= 2 + length + 1 else { throw .corrupt(what: "secrets of business \(id)") }
        let secret = String(decoding: all[2..<(2 + length)], as: UTF8.self)
        switch all[2 + length] {
        case 0 where all.count == 3 + length:
            return (secret, nil)
        case 1 where all.count == 3 + length + RelayToken.byteCount:
            return (secret, RelayToken(bytes: all[(3 + length)...]))
        default:
            throw .corrupt(what: "secrets of business \(id)")
        }
    }

    static func decodeSession(_ bytes: SecureBytes, id: String) throws(CloudAPIError) -> (String, Conversation) {
        let all = Array(bytes)
        guard let first = all.first, all.count > 1 + Int(first) else { throw .corrupt(what: "a session of business \(id)") }
        let peer = String(decoding: all[1...Int(first)], as: UTF8.self)
        do throws(ProtocolError) {
            return (peer, try Conversation(serialized: all[(1 + Int(first))...]))
        } catch {
            throw .protocolState(error)
        }
    }
}

/// Unpadded base64url (RFC 4648 §5).
enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    static func encode(_ bytes: some Collection<UInt8>) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count * 4 + 2) / 3)
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = buffer << 8 | UInt32(byte)
            bits += 8
            while bits >= 6 {
                bits -= 6
                output.append(alphabet[Int(buffer >> UInt32(bits) & 0x3F)])
            }
        }
        if bits > 0 { output.append(alphabet[Int(buffer << UInt32(6 - bits) & 0x3F)]) }
        return String(decoding: output, as: UTF8.self)
    }

    /// The bytes of unpadded base64url `text`, or nil if it is not canonical base64url.
    static func decode(_ text: String) -> [UInt8]? {
        var output: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for character in text.utf8 {
            guard let value = alphabet.firstIndex(of: character) else { return nil }
            buffer = buffer << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        // Leftover bits must be zero padding shorter than one character.
        guard bits < 6, buffer & ((1 << UInt32(bits)) - 1) == 0 else { return nil }
        return output
    }
}

/// A business phone number id and a peer: the key of a remembered session row key.
private struct SessionKeyID: Hashable {
    let phoneNumberID: String
    let peer: PhoneNumber
}

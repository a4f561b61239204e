import Foundation
import Storage
import Testing
@testable import Transport

/// Relay tokens at rest: the store keeps each token's digest, never the token; files written by
/// schema 1 and 2 (raw tokens) are converted by migration 3; a device logs in with its token
/// before and after, and a wrong token is refused.
@Suite("Relay token storage")
struct RelayTokenStorageTests {
    let alice = phone("+14155550100"), bob = phone("+447700900123")

    static func temporaryDirectory(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("vigil-\(name)-\(UUID().uuidString)").path
    }

    /// Every `registrations` row as (phone, device, stored bytes), and the table's columns.
    static func registrationRows(_ database: Database) throws -> (rows: [(Int64, Int64, [UInt8])], columns: [String]) {
        let rows = try database.query("SELECT phone, device, token_digest FROM registrations ORDER BY phone").map { row in
            (row[0].int64Value ?? -1, row[1].int64Value ?? -1, row[2].blobValue ?? [])
        }
        let columns = try database.query("PRAGMA table_info(registrations)").compactMap { $0[1].stringValue }
        return (rows, columns)
    }

    /// `hello` as `phone` with `token` on a new connection of `harness`: welcome or the refusal.
    static func hello(_ harness: inout CoreHarness, _ phone: PhoneNumber, device: UInt32 = 1, token: RelayToken) -> [Frame] {
        let connection = harness.open()
        return frames(harness.frame(connection, .hello(phone: phone, device: DeviceID(rawValue: device)!, token: token)), to: connection)
    }

    @Test("a registration is stored as the token's digest; after a restart the token logs in and a wrong one does not")
    func storedRowIsTheDigest() throws {
        let directory = Self.temporaryDirectory("token-store")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var harness = CoreHarness()
        let (_, token) = harness.register(alice)
        do {
            let store = try RelayStore(directory: directory, tokenHasher: .testing)
            for write in harness.writes { store.enqueue(write) }
            try store.commit()
            let (rows, columns) = try Self.registrationRows(store.database)
            #expect(columns == ["phone", "device", "token_digest"])
            #expect(rows.count == 1)
            #expect(rows.first?.0 == Int64(alice.digits) && rows.first?.1 == 1)
            #expect(rows.first?.2 == TokenHasher.testingDigest(of: token))
            #expect(rows.first?.2 != token.bytes)
            store.close()
        }
        // No byte string of the file equals the token (nor does the WAL, checkpointed at close).
        let file = try [UInt8](Data(contentsOf: URL(fileURLWithPath: directory + "/" + RelayStore.fileName)))
        #expect(!Self.contains(file, token.bytes))

        let store = try RelayStore(directory: directory, tokenHasher: .testing)
        defer { store.close() }
        var restarted = CoreHarness(snapshot: try store.load(envelopeCutoff: 0, idempotencyCutoff: 0))
        #expect(Self.hello(&restarted, alice, token: token) == [.welcome])
        var wrong = token.bytes
        wrong[0] ^= 0x80
        #expect(Self.hello(&restarted, alice, token: RelayToken(bytes: wrong)!)
            == [.error(code: .authenticationFailed, message: "authentication failed")])
        #expect(Self.hello(&restarted, alice, device: 2, token: token)
            == [.error(code: .authenticationFailed, message: "authentication failed")])
        #expect(Self.hello(&restarted, bob, token: token)
            == [.error(code: .authenticationFailed, message: "authentication failed")])
    }

    @Test("migration 3 replaces the raw tokens of a schema-1 or schema-2 file by their digests; devices log in as before", arguments: [1, 2])
    func migratesRawTokens(fromVersion version: Int) throws {
        let directory = Self.temporaryDirectory("token-migration")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let aliceToken = RelayToken(bytes: (0..<32).map { UInt8($0) })!
        let bobToken = RelayToken(bytes: (0..<32).map { UInt8(255 - $0) })!
        do {
            // The file as schema 1 or 2 left it: raw tokens in `registrations.token`.
            let database = try Database.open(path: directory + "/" + RelayStore.fileName)
            _ = try database.migrate(Array(RelayStore.migrations(tokenHasher: .testing).prefix(version)))
            for (number, device, token) in [(alice, 1, aliceToken), (bob, 7, bobToken)] {
                try database.execute("INSERT INTO registrations(phone, device, token) VALUES (?, ?, ?)",
                                     bindings: [.integer(Int64(number.digits)), .integer(Int64(device)), .blob(token.bytes)])
            }
            try database.close()
        }
        let store = try RelayStore(directory: directory, tokenHasher: .testing)
        defer { store.close() }
        #expect(try store.database.userVersion() == 3)
        let (rows, columns) = try Self.registrationRows(store.database)
        #expect(columns == ["phone", "device", "token_digest"])
        #expect(rows.map(\.0) == [Int64(alice.digits), Int64(bob.digits)].sorted())
        let expected: [Int64: (Int64, [UInt8])] = [
            Int64(alice.digits): (1, TokenHasher.testingDigest(of: aliceToken)),
            Int64(bob.digits): (7, TokenHasher.testingDigest(of: bobToken)),
        ]
        for row in rows {
            #expect(row.1 == expected[row.0]?.0)
            #expect(row.2 == expected[row.0]?.1)
            #expect(row.2 != aliceToken.bytes && row.2 != bobToken.bytes)
        }

        var harness = CoreHarness(snapshot: try store.load(envelopeCutoff: 0, idempotencyCutoff: 0))
        #expect(Self.hello(&harness, alice, token: aliceToken) == [.welcome])
        #expect(Self.hello(&harness, bob, device: 7, token: bobToken) == [.welcome])
        #expect(Self.hello(&harness, alice, token: bobToken) == [.error(code: .authenticationFailed, message: "authentication failed")])
    }

    @Test("a schema-2 row whose token is not 32 bytes stops the migration; the file stays at schema 2")
    func migrationRefusesACorruptToken() throws {
        let directory = Self.temporaryDirectory("token-corrupt")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        do {
            let database = try Database.open(path: directory + "/" + RelayStore.fileName)
            _ = try database.migrate(Array(RelayStore.migrations(tokenHasher: .testing).prefix(2)))
            try database.execute("INSERT INTO registrations(phone, device, token) VALUES (?, 1, ?)",
                                 bindings: [.integer(Int64(alice.digits)), .blob([1, 2, 3])])
            try database.close()
        }
        #expect {
            _ = try RelayStore(directory: directory, tokenHasher: .testing)
        } throws: { error in
            "\(error)".contains("migration") && "\(error)".contains("no 32-byte token")
        }
        let database = try Database.open(path: directory + "/" + RelayStore.fileName)
        defer { try? database.close() }
        #expect(try database.userVersion() == 2)
    }

    @Test("when the hasher fails, register is refused with 500 and nothing is kept; hello is refused")
    func failingHasher() {
        var harness = CoreHarness(tokenHasher: .failing)
        let connection = harness.open()
        let actions = harness.frame(connection, .register(phone: alice, device: DeviceID(rawValue: 1)!), requestID: 3)
        #expect(actions == [
            .send(connection, .error(code: .internalError, message: "cannot issue a token now; retry"), requestID: 3),
            .close(connection),
        ])
        #expect(harness.writes.isEmpty)
        #expect(harness.core.statistics.registrations == 0)

        var registered = CoreHarness()
        let (_, token) = registered.register(alice)
        var snapshot = RelaySnapshot()
        for case let .register(number, device, digest) in registered.writes {
            snapshot.registrations[number] = .init(device: device, tokenDigest: digest)
        }
        var failing = CoreHarness(snapshot: snapshot, tokenHasher: .failing)
        #expect(Self.hello(&failing, alice, token: token) == [.error(code: .authenticationFailed, message: "authentication failed")])
    }

    @Test("token digests: exactly 32 bytes, equal only when every byte is, never printed")
    func digestValue() throws {
        let bytes = (0..<32).map { UInt8($0 * 7 & 0xFF) }
        let digest = try #require(TokenDigest(bytes: bytes))
        #expect(digest.bytes == bytes)
        #expect(TokenDigest(bytes: bytes.dropLast()) == nil)
        #expect(TokenDigest(bytes: bytes + [0]) == nil)
        for index in 0..<32 {
            var changed = bytes
            changed[index] ^= 1
            #expect(TokenDigest(bytes: changed) != digest, "byte \(index)")
        }
        #expect("\(digest)" == "TokenDigest(redacted)" && String(reflecting: digest) == "TokenDigest(redacted)")
        // A hasher whose function returns anything but 32 bytes yields no digest.
        #expect(TokenHasher(name: "short") { Array($0.prefix(31)) }.digest(of: bytes) == nil)
        #expect(TokenHasher.testing.digest(of: bytes)?.bytes == bytes.reversed().map { $0 ^ 0x5A })
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count <= haystack.count else { return false }
        return (0...(haystack.count - needle.count)).contains { start in haystack[start..<(start + needle.count)].elementsEqual(needle) }
    }
}

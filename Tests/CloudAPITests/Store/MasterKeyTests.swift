@testable import CloudAPI
import Crypto
import Foundation
import Storage
import Testing

/// The master-key file: created 0600 on first use, read back unchanged, refused when unsafe or
/// malformed; a store opened with another key refuses with a typed error instead of serving garbage.
@Suite struct MasterKeyTests {
    typealias F = StoreFixture

    @Test func createdOnFirstUseWithMode0600AndReadBackUnchanged() throws {
        let root = try F.TemporaryDirectory()
        let path = root.file("master.key")
        let created = try MasterKey.loadOrCreate(path: path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect(((attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1) == 0o600)
        let onDisk = try #require(FileManager.default.contents(atPath: path))
        #expect(onDisk.count == 32)
        #expect([UInt8](onDisk) == created.key.testBytes)
        #expect(!created.key.testBytes.allSatisfy { $0 == 0 })
        // No temporary file is left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path) == ["master.key"])

        let again = try MasterKey.loadOrCreate(path: path)
        #expect(again.key.testBytes == created.key.testBytes)
        #expect(try MasterKey.load(path: path).key.testBytes == created.key.testBytes)
        #expect(created.description == "MasterKey(256 bits)")

        let other = try MasterKey.loadOrCreate(path: root.file("other.key"))
        #expect(other.key.testBytes != created.key.testBytes)
    }

    @Test(arguments: [0o640, 0o604, 0o644, 0o660, 0o606, 0o610])
    func groupOrWorldAccessIsRefused(mode: Int) throws {
        let root = try F.TemporaryDirectory()
        let path = root.file("master.key")
        _ = try MasterKey.loadOrCreate(path: path)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        let error = try #require(F.masterKeyError { _ = try MasterKey.loadOrCreate(path: path) })
        if mode & 0o077 != 0 {
            #expect(error == MasterKeyError(path: path, reason: .insecurePermissions(mode: UInt32(mode))))
            #expect(error.description.contains("chmod 600"))
        } else {
            Issue.record("mode \(String(mode, radix: 8)) should have been accepted: \(error)")
        }
    }

    @Test func ownerOnlyModesAreAccepted() throws {
        let root = try F.TemporaryDirectory()
        let path = root.file("master.key")
        let key = try MasterKey.loadOrCreate(path: path)
        for mode in [0o400, 0o600] {
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
            #expect(try MasterKey.load(path: path).key.testBytes == key.key.testBytes)
        }
    }

    @Test(arguments: [0, 1, 31, 33, 64])
    func aFileOfTheWrongSizeIsRefusedNotRegenerated(size: Int) throws {
        let root = try F.TemporaryDirectory()
        let path = root.file("master.key")
        let content = [UInt8](repeating: 0xA5, count: size)
        #expect(FileManager.default.createFile(atPath: path, contents: Data(content), attributes: [.posixPermissions: 0o600]))
        #expect(F.masterKeyError { _ = try MasterKey.loadOrCreate(path: path) }
            == MasterKeyError(path: path, reason: .wrongSize(byteCount: size)))
        #expect([UInt8](FileManager.default.contents(atPath: path) ?? Data()) == content, "left untouched")
    }

    @Test func missingLinksAndDirectoriesAreRefused() throws {
        let root = try F.TemporaryDirectory()
        let path = root.file("master.key")
        #expect(F.masterKeyError { _ = try MasterKey.load(path: path) } == MasterKeyError(path: path, reason: .missing))

        let real = root.file("real.key")
        _ = try MasterKey.loadOrCreate(path: real)
        let link = root.file("link.key")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: real)
        #expect(F.masterKeyError { _ = try MasterKey.loadOrCreate(path: link) } == MasterKeyError(path: link, reason: .notARegularFile))

        let directory = root.file("dir.key")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o700])
        #expect(F.masterKeyError { _ = try MasterKey.loadOrCreate(path: directory) }
            == MasterKeyError(path: directory, reason: .notARegularFile))

        let nowhere = root.file("no/such/dir/master.key")
        let error = try #require(F.masterKeyError { _ = try MasterKey.loadOrCreate(path: nowhere) })
        guard case let .system(systemError) = error.reason else {
            Issue.record("expected a system error, got \(error)")
            return
        }
        #expect(systemError.call == "open")
        #expect(systemError.errno.rawValue == ENOENT)
    }

    @Test func aStoreOpenedWithAnotherMasterKeyIsRefused() throws {
        let root = try F.TemporaryDirectory()
        let store = try F.openStore(in: root)
        let time = F.Clock(day: F.day0, hour: 8).now
        try store.append(F.inbound(id: "wamid.k", consumer: "+447700900123", time: time, body: "hello"))
        try store.commit()
        store.close()

        let wrong = try MasterKey.loadOrCreate(path: root.file("wrong.key"))
        let location = StoreLocation.region(.na, dataDirectory: root.file("data"))
        #expect(F.storeError { _ = try MessageStore(location: location, masterKey: wrong) }
            == .masterKeyMismatch(path: location.directory + "/keys.sqlite"))

        // The right key still opens it.
        let reopened = try F.openStore(in: root)
        #expect(try reopened.record(id: "wamid.k")?.payload == F.inbound(id: "wamid.k", consumer: "+447700900123", time: time, body: "hello").payload)
        reopened.close()
    }

    @Test func tamperedKeysAndRecordsAreTypedErrorsNotGarbage() throws {
        let root = try F.TemporaryDirectory()
        let store = try F.openStore(in: root)
        defer { store.close() }
        let time = F.Clock(day: F.day0, hour: 8).now
        try store.append(F.inbound(id: "wamid.a", consumer: "+447700900123", time: time, body: "first"))
        try store.append(F.inbound(id: "wamid.b", consumer: "+447700900123", time: time + 1, body: "second"))
        try store.commit()
        let day = try store.dayFiles.database(for: F.day0)

        // A sealed record moved to another row does not open (the id is associated data).
        let sealedA = try #require(try day.query("SELECT sealed FROM records WHERE id = 'wamid.a'").first?[0].blobValue)
        try day.execute("UPDATE records SET sealed = ? WHERE id = 'wamid.b'", bindings: [.blob(sealedA)])
        #expect(F.storeError { _ = try store.record(id: "wamid.b") }
            == .recordCorrupt(id: "wamid.b", day: F.day0, reason: "the sealed record does not authenticate"))

        // One flipped bit in the ciphertext.
        var flipped = sealedA
        flipped[20] ^= 0x01
        try day.execute("UPDATE records SET sealed = ? WHERE id = 'wamid.a'", bindings: [.blob(flipped)])
        #expect(F.storeError { _ = try store.record(id: "wamid.a") }
            == .recordCorrupt(id: "wamid.a", day: F.day0, reason: "the sealed record does not authenticate"))

        // A clear column that disagrees with the sealed record.
        try day.execute("UPDATE records SET sealed = ?, direction = 1 WHERE id = 'wamid.a'", bindings: [.blob(sealedA)])
        #expect(F.storeError { _ = try store.record(id: "wamid.a") }
            == .recordCorrupt(id: "wamid.a", day: F.day0, reason: "the clear columns disagree with the sealed record"))
        try day.execute("UPDATE records SET direction = 0 WHERE id = 'wamid.a'")
        #expect(try store.record(id: "wamid.a") != nil)

        // A damaged wrapped day key, seen by a fresh process (no cached key).
        store.close()
        let keys = try Database.open(path: root.file("data/regions/na/keys.sqlite"))
        let wrapped = try #require(try keys.query("SELECT wrapped FROM day_keys").first?[0].blobValue)
        var damaged = wrapped
        damaged[damaged.count - 1] ^= 0x80
        try keys.execute("UPDATE day_keys SET wrapped = ?", bindings: [.blob(damaged)])
        try keys.close()
        let reopened = try F.openStore(in: root)
        defer { reopened.close() }
        #expect(F.storeError { _ = try reopened.record(id: "wamid.a") } == .dayKeyCorrupt(F.day0))
        #expect(F.storeError { _ = try reopened.pendingWebhooks(now: time + 10, limit: 5) } == .dayKeyCorrupt(F.day0))
    }
}

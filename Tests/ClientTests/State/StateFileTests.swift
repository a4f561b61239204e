import Client
import Crypto
import Foundation
import Testing
import Transport

/// The state file: atomic round trips with mode 0600, and refusal of every unusable file.
@Suite struct StateFileTests {
    /// A state with something in every section: sessions, prekeys, seen ids, pending sends.
    static func state() throws -> ClientState {
        var alice = try Fixture.state("+14155550101", seed: 1)
        var bob = try Fixture.state("+14155550102", seed: 2)
        _ = try alice.makePreKeyBundles(count: 3)
        try alice.startSession(with: bob.phone, bundle: try bob.makePreKeyBundles(count: 2)[0])
        _ = try alice.queueMessage(Array("pending one".utf8), to: bob.phone, kind: .user)
        _ = try alice.queueMessage(Array("pending two".utf8), to: bob.phone, kind: .business(.marketing))
        guard case .message = bob.open(DeliveredEnvelope(
            id: Fixture.envelopeID(1), sender: alice.phone, serverTimeMilliseconds: 1,
            kind: .user, ciphertext: alice.pendingSends[0].ciphertext)) else { throw Fixture.BadFixture(description: "open") }
        // Alice has seen a few envelopes too.
        var seenAlice = alice
        for id in 1...20 { _ = seenAlice.open(DeliveredEnvelope(
            id: Fixture.envelopeID(UInt64(id)), sender: bob.phone, serverTimeMilliseconds: 1, kind: .user, ciphertext: [2])) }
        return seenAlice
    }

    @Test func roundTripKeepsEveryField() throws {
        let directory = try Fixture.TemporaryDirectory()
        let file = StateFile(path: directory.file("alice.state"))
        let state = try Self.state()
        try file.create(state)
        let loaded = try file.load(random: SeededRandom(seed: 5))
        #expect(loaded.phone == state.phone)
        #expect(loaded.device == state.device)
        #expect(loaded.token == state.token)
        #expect(loaded.nextClientMessageID == state.nextClientMessageID)
        #expect(loaded.nextPreKeyID == 4)
        #expect(!loaded.preKeysPublished)
        var published = state
        published.markPreKeysPublished()
        #expect(try ClientState(image: Array(try published.serializedImage())).preKeysPublished)
        #expect(loaded.seen == state.seen)
        #expect(loaded.seen.count == 16) // capacity 16 of 20 inserted
        #expect(loaded.pendingSends == state.pendingSends)
        #expect(loaded.pendingSends.map(\.kind) == [.user, .business(.marketing)])
        #expect(loaded.party.identity.publicKey == state.party.identity.publicKey)
        #expect(Array(loaded.party.serialized()) == Array(state.party.serialized()))
        #expect(Array(try loaded.serializedImage()) == Array(try state.serializedImage()))
    }

    @Test func filesAreCreatedWithMode0600AndNoTemporaryIsLeft() throws {
        let directory = try Fixture.TemporaryDirectory()
        let file = StateFile(path: directory.file("alice.state"))
        try file.create(try Fixture.state())
        try file.save(try Self.state())
        let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(!FileManager.default.fileExists(atPath: file.path + ".tmp"))
    }

    @Test func createRefusesToOverwrite() throws {
        let directory = try Fixture.TemporaryDirectory()
        let file = StateFile(path: directory.file("alice.state"))
        try file.create(try Fixture.state())
        #expect(throws: StateFileError(path: file.path, reason: .alreadyExists)) { try file.create(try Fixture.state()) }
    }

    @Test func missingFile() throws {
        let directory = try Fixture.TemporaryDirectory()
        let file = StateFile(path: directory.file("nothing.state"))
        #expect(!file.exists)
        #expect(throws: StateFileError(path: file.path, reason: .missing)) { try file.load() }
    }

    @Test(arguments: [0o640, 0o604, 0o644, 0o660, 0o666])
    func filesOthersCanReadAreRefused(mode: Int) throws {
        let directory = try Fixture.TemporaryDirectory()
        let file = StateFile(path: directory.file("alice.state"))
        try file.create(try Fixture.state())
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: file.path)
        #expect(throws: StateFileError(path: file.path, reason: .insecurePermissions(mode: UInt32(mode)))) { try file.load() }
        try FileManager.default.setAttributes([.posixPermissions: 0o400], ofItemAtPath: file.path)
        #expect(try file.load().phone == (try Fixture.phone("+14155550101")))
    }

    @Test func symbolicLinksAndDirectoriesAreRefused() throws {
        let directory = try Fixture.TemporaryDirectory()
        let file = StateFile(path: directory.file("alice.state"))
        try file.create(try Fixture.state())
        let link = StateFile(path: directory.file("link.state"))
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: file.path)
        #expect(throws: StateFileError(path: link.path, reason: .notARegularFile)) { try link.load() }
        let folder = StateFile(path: directory.file("folder.state"))
        try FileManager.default.createDirectory(atPath: folder.path, withIntermediateDirectories: false)
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: folder.path)
        #expect(throws: StateFileError(path: folder.path, reason: .notARegularFile)) { try folder.load() }
    }

    @Test func everyFlippedByteIsRefused() throws {
        let image = Array(try Self.state().serializedImage())
        // Every position, one bit each: magic, version, length, body, checksum.
        for position in stride(from: 0, to: image.count, by: max(1, image.count / 400)) {
            var damaged = image
            damaged[position] ^= 0x10
            #expect(throws: StateImageError.self, "byte \(position)") { try ClientState(image: damaged) }
        }
        // The body and checksum specifically report damage.
        var body = image
        body[40] ^= 1
        #expect(throws: StateImageError.checksumMismatch) { try ClientState(image: body) }
        var checksum = image
        checksum[image.count - 1] ^= 1
        #expect(throws: StateImageError.checksumMismatch) { try ClientState(image: checksum) }
    }

    @Test func truncatedAndExtendedImagesAreRefused() throws {
        let image = Array(try Self.state().serializedImage())
        for length in [0, 4, 8, 9, 13, 14, 100, image.count - 33, image.count - 1] {
            #expect(throws: StateImageError.self, "length \(length)") { try ClientState(image: Array(image.prefix(length))) }
        }
        #expect(throws: StateImageError.self) { try ClientState(image: image + [0]) }
    }

    @Test func wrongMagicAndWrongVersionAreNamed() throws {
        let image = Array(try Self.state().serializedImage())
        var magic = image
        magic[0] = UInt8(ascii: "X")
        #expect(throws: StateImageError.notAStateImage) { try ClientState(image: magic) }
        // Version 2 with a valid checksum: refused for its version, not as damage.
        var future = Array(image.dropLast(32))
        future[9] = 2
        future += Array(try SHA256.hash(data: future))
        #expect(throws: StateImageError.unsupportedVersion(2)) { try ClientState(image: future) }
    }

    @Test func aCorruptFileOnDiskIsRefusedWithItsPath() throws {
        let directory = try Fixture.TemporaryDirectory()
        let file = StateFile(path: directory.file("alice.state"))
        try file.create(try Self.state())
        var bytes = try Data(contentsOf: URL(fileURLWithPath: file.path))
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: file.path))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
        #expect(throws: StateFileError(path: file.path, reason: .image(.checksumMismatch))) { try file.load() }
        let text = StateFileError(path: file.path, reason: .image(.checksumMismatch)).description
        #expect(text.contains(file.path) && text.contains("checksum"))
    }

    @Test func theLockIsExclusiveUntilReleased() throws {
        let directory = try Fixture.TemporaryDirectory()
        let file = StateFile(path: directory.file("alice.state"))
        let lock = try file.lock()
        #expect(throws: StateFileError(path: file.path, reason: .inUse)) { _ = try file.lock() }
        lock.unlock()
        let again = try file.lock()
        again.unlock()
    }
}

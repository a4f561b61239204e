import Foundation
@testable import Integrity
import Stats
import Storage
import Testing
import Transport

@Suite struct PseudonymizerTests {
    static let schedule = KeySchedule.standard
    static let epochLength: Int64 = 30 * 86_400_000
    static let user = PhoneNumber("+447700900123")!

    @Test func aPseudonymIsSipHash128OfTheDigitsUnderTheEpochKey() throws {
        let key = try PseudonymKey(epoch: 3, bytes: Array(0..<16))
        var digits = Self.user.digits.littleEndian
        let expected = withUnsafeBytes(of: &digits) { try! SipHash24(key: Array(0..<16)).hash128($0) }
        let pseudonym = key.pseudonym(for: Self.user)
        #expect(pseudonym.first == expected.0 && pseudonym.second == expected.1)
        #expect(key.bytes == Array(0..<16))
    }

    @Test func stableWithinAnEpochDifferentAcrossEpochsAndUsers() throws {
        let pseudonymizer = Fixture.pseudonymizer()
        let t = 656 * Self.epochLength + 10 * 86_400_000
        let a = try pseudonymizer.pseudonyms(for: Self.user, at: t)
        let b = try pseudonymizer.pseudonyms(for: Self.user, at: t + 86_400_000)
        let c = try pseudonymizer.pseudonyms(for: PhoneNumber("+447700900124")!, at: t)
        let d = try pseudonymizer.pseudonyms(for: Self.user, at: t + Self.epochLength)
        #expect(a.current == b.current)
        #expect(a.current != c.current)
        #expect(d.current != a.current)
        #expect(a.epoch == 656 && d.epoch == 657)
    }

    @Test func theRingCreatesTheCurrentKeyAndDestroysThePreviousAfterGrace() {
        var ring = PseudonymKeyRing(schedule: Self.schedule)
        let start = 656 * Self.epochLength
        #expect(ring.plan(at: start + 5) == [.create(epoch: 656)])
        ring.install(try! PseudonymKey(epoch: 656, bytes: [UInt8](repeating: 1, count: 16)))
        ring.advance(to: start + 5)
        #expect(ring.plan(at: start + 10 * 86_400_000) == [])
        // Next epoch, inside the 7-day grace: a new key, the old one kept for look-ups.
        let next = start + Self.epochLength
        #expect(ring.plan(at: next + 86_400_000) == [.create(epoch: 657)])
        ring.install(try! PseudonymKey(epoch: 657, bytes: [UInt8](repeating: 2, count: 16)))
        ring.advance(to: next + 86_400_000)
        #expect(ring.pseudonyms(for: Self.user, at: next + 86_400_000)?.previous != nil)
        // Grace over: the old key goes.
        #expect(ring.plan(at: next + 7 * 86_400_000) == [.destroy(epoch: 656)])
        #expect(ring.plan(at: next + 7 * 86_400_000 - 1) == [])
    }

    @Test func rotationDestroysKeysInTheStoreAndOldEventsCannotBePseudonymizedAnyMore() throws {
        let store = InMemoryKeyStore()
        let pseudonymizer = Fixture.pseudonymizer(store: store)
        let start = 656 * Self.epochLength
        let early = try pseudonymizer.pseudonyms(for: Self.user, at: start + 1000)
        #expect(store.epochs == [656])
        let inGrace = try pseudonymizer.pseudonyms(for: Self.user, at: start + Self.epochLength + 1000)
        #expect(store.epochs == [656, 657])
        #expect(inGrace.previous == early.current)
        _ = try pseudonymizer.pseudonyms(for: Self.user, at: start + Self.epochLength + 7 * 86_400_000)
        #expect(store.epochs == [657])
        #expect(pseudonymizer.destroyedEpochs == [656])
        #expect(throws: PseudonymKeyError.keyDestroyed(epoch: 656)) {
            try pseudonymizer.pseudonyms(for: Self.user, at: start + 1000)
        }
        // Skipping a whole epoch destroys both older keys.
        _ = try pseudonymizer.pseudonyms(for: Self.user, at: start + 3 * Self.epochLength + 8 * 86_400_000)
        #expect(store.epochs == [659])
    }

    @Test func aLateEventWhoseKeyIsStillHeldUsesIt() throws {
        let pseudonymizer = Fixture.pseudonymizer()
        let start = 656 * Self.epochLength
        let before = try pseudonymizer.pseudonyms(for: Self.user, at: start + Self.epochLength - 1000)
        _ = try pseudonymizer.pseudonyms(for: Self.user, at: start + Self.epochLength + 1000)
        let late = try pseudonymizer.pseudonyms(for: Self.user, at: start + Self.epochLength - 500)
        #expect(late.current == before.current && late.epoch == 656)
    }

    @Test func sqliteStoreKeepsKeysAcrossRestartsAndLeavesNoCopyOfADestroyedKey() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-keys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("keys.sqlite").path
        let start = 656 * Self.epochLength
        let first: Pseudonym
        let oldKey: [UInt8]
        do {
            let store = try SQLiteKeyStore(path: path)
            let pseudonymizer = try Pseudonymizer(store: store, source: SystemRandomSource())
            first = try pseudonymizer.pseudonyms(for: Self.user, at: start + 1000).current
            oldKey = try #require(store.loadKeys().first).bytes
            let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            #expect(try files.contains { try Self.fileBytes(directory.appendingPathComponent($0).path).contains(subsequence: oldKey) })
        }
        // A restart reads the same key: the same pseudonym.
        let store = try SQLiteKeyStore(path: path)
        let pseudonymizer = try Pseudonymizer(store: store, source: SystemRandomSource())
        #expect(try pseudonymizer.pseudonyms(for: Self.user, at: start + 2000).current == first)
        // Past the grace period the old key is deleted (secure_delete) and the WAL truncated.
        _ = try pseudonymizer.pseudonyms(for: Self.user, at: start + Self.epochLength + 8 * 86_400_000)
        #expect(try store.loadKeys().map(\.epoch) == [657])
        for file in try FileManager.default.contentsOfDirectory(atPath: directory.path) {
            let bytes = try Self.fileBytes(directory.appendingPathComponent(file).path)
            #expect(!bytes.contains(subsequence: oldKey), "\(file) still holds the destroyed key")
        }
    }

    @Test func theSystemSourceGivesFreshSixteenByteKeys() throws {
        var source = SystemRandomSource()
        let a = try source.makeKeyBytes()
        let b = try source.makeKeyBytes()
        #expect(a.count == 16 && b.count == 16 && a != b)
    }

    static func fileBytes(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }
}

extension Array where Element == UInt8 {
    func contains(subsequence needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, count >= needle.count else { return false }
        for start in 0...(count - needle.count) where self[start] == needle[0] {
            if Array(self[start..<(start + needle.count)]) == needle { return true }
        }
        return false
    }
}

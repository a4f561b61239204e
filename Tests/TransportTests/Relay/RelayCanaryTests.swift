import Foundation
import Glibc
import Testing
@testable import Transport

/// The no-plaintext canary at the wire level: every message's plaintext carries a random 16-byte
/// canary, and the client sends a stand-in ciphertext — the plaintext XOR a one-time pad the test
/// keeps — so the canary never crosses the wire. Then everything the relay wrote (its SQLite
/// files, `-wal` and `-shm` included, and the tap) is scanned for the canary, raw, in hex and in
/// base64. A positive control proves the scan sees stored envelopes: before they are
/// acknowledged, the stand-in ciphertexts themselves are found in the queue files.
/// (The variant with real end-to-end encryption lives in the Client tests.)
@Suite("Relay canary", .timeLimit(.minutes(1)))
struct RelayCanaryTests {
    /// One message as the sending client sees it.
    struct Sealed {
        let canary: [UInt8]
        let plaintext: [UInt8]
        let pad: [UInt8]
        let ciphertext: [UInt8]

        init(size: Int, random: inout WireRandom) {
            canary = random.bytes(16)
            let filler = random.bytes(max(0, size - 16 - 8))
            // The canary sits inside the plaintext, after a few bytes of "header".
            plaintext = Array("msg:".utf8) + canary + Array(":end".utf8) + filler
            pad = random.bytes(plaintext.count)
            ciphertext = zip(plaintext, pad).map { $0 ^ $1 }
        }

        /// The canary's forms a careless relay might write: raw, hex, base64.
        var canaryForms: [(name: String, bytes: [UInt8])] {
            let hex = canary.map { String(format: "%02x", $0) }.joined()
            return [
                ("raw", canary), ("hex", Array(hex.utf8)), ("HEX", Array(hex.uppercased().utf8)),
                ("base64", Array(Data(canary).base64EncodedString().utf8)),
            ]
        }
    }

    /// Whether `needle` occurs in `haystack`.
    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        haystack.withUnsafeBytes { hay in needle.withUnsafeBytes { pin in contains(hay, pin) } }
    }

    /// Whether `needle` occurs in `haystack`: `memchr` for one of the needle's non-zero bytes
    /// (so long runs of zeros are skipped fast), then `memcmp` at each candidate.
    static func contains(_ haystack: UnsafeRawBufferPointer, _ needle: UnsafeRawBufferPointer) -> Bool {
        guard let anchor = needle.firstIndex(where: { $0 != 0 }) else { return false }
        guard haystack.count >= needle.count, let base = haystack.baseAddress, let pin = needle.baseAddress else { return false }
        let lastStart = haystack.count - needle.count
        var from = anchor
        while from <= lastStart + anchor {
            guard let hit = memchr(base + from, Int32(needle[anchor]), lastStart + anchor - from + 1) else { return false }
            let start = base.distance(to: UnsafeRawPointer(hit)) - anchor
            if memcmp(base + start, pin, needle.count) == 0 { return true }
            from = start + anchor + 1
        }
        return false
    }

    /// Every regular file under `directory` (recursively), by name, with its bytes.
    static func files(under directory: String) throws -> [(name: String, bytes: [UInt8])] {
        var result: [(String, [UInt8])] = []
        for name in try FileManager.default.subpathsOfDirectory(atPath: directory).sorted() {
            var isDirectory: ObjCBool = false
            let path = directory + "/" + name
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            result.append((name, Array(try Data(contentsOf: URL(fileURLWithPath: path)))))
        }
        return result
    }

    /// No file holds any form of any canary.
    static func expectNoCanary(in files: [(name: String, bytes: [UInt8])], _ messages: [Sealed], _ when: String,
                               sourceLocation: SourceLocation = #_sourceLocation) {
        for file in files {
            for (index, message) in messages.enumerated() {
                for form in message.canaryForms where contains(file.bytes, form.bytes) {
                    Issue.record("\(when): \(file.name) holds message \(index)'s canary (\(form.name))", sourceLocation: sourceLocation)
                }
            }
        }
    }

    @Test func nothingTheRelayWritesHoldsThePlaintextCanary() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        var random = WireRandom(seed: seed)
        let relay = try RelayTestHost(tap: true)
        let tapPath = try #require(relay.tapPath)
        let (firstShop, shopPhone, shopToken) = try relay.registeredClient()
        var shop = firstShop
        let (firstAlice, alicePhone, aliceToken) = try relay.registeredClient()
        var alice = firstAlice
        alice.close()
        #expect(relay.waitUntil { $0.onlineCount == 1 })

        // The business writes to Alice while she is offline: twelve small messages and a large one.
        let toAlice = (0..<12).map { Sealed(size: 40 + 50 * $0, random: &random) } + [Sealed(size: 64 * 1024, random: &random)]
        var toAliceIDs: [EnvelopeID] = []
        for (index, message) in toAlice.enumerated() {
            let category: MessageCategory = index % 2 == 0 ? .utility : .marketing
            toAliceIDs.append(try shop.sendAccepted(
                to: alicePhone, clientMessageID: UInt64(index + 1), ciphertext: message.ciphertext, kind: .business(category)
            ).id)
        }
        // Alice comes online, receives (without acknowledging yet), then writes while the shop is offline.
        shop.close()
        alice = try RelayTestClient(relay.address)
        #expect(try alice.hello(alicePhone, device: RelayTestHost.device, token: aliceToken) == .welcome)
        let received = try alice.deliveries(toAlice.count)
        #expect(received.map(\.id) == toAliceIDs)
        #expect(received.map(\.ciphertext) == toAlice.map(\.ciphertext))
        // The test's own check of its scheme: the pad turns the stand-in back into the plaintext.
        #expect(zip(received, toAlice).allSatisfy { pair in zip(pair.0.ciphertext, pair.1.pad).map { $0 ^ $1 } == pair.1.plaintext })
        let fromAlice = (0..<6).map { Sealed(size: 24 + 100 * $0, random: &random) }
        var fromAliceIDs: [EnvelopeID] = []
        for (index, message) in fromAlice.enumerated() {
            fromAliceIDs.append(try alice.sendAccepted(to: shopPhone, clientMessageID: UInt64(index + 1), ciphertext: message.ciphertext).id)
        }
        let everything = toAlice + fromAlice
        #expect(relay.queuedCount == everything.count)

        // Scan 1, every envelope stored and unacknowledged.
        let stored = try Self.files(under: relay.dataDirectory)
        #expect(Set(stored.map(\.name)).isSuperset(of: ["relay.sqlite", "relay.sqlite-wal"]), "\(stored.map(\.name))")
        Self.expectNoCanary(in: stored, everything, "while queued, seed \(seed)")
        // Positive control: the scan sees stored envelopes. A small one sits in one page whole;
        // the large one spans overflow pages, so its 256-byte pieces are looked for instead.
        for (index, message) in everything.enumerated() where message.ciphertext.count < 2048 {
            #expect(stored.contains { Self.contains($0.bytes, message.ciphertext) }, "stand-in ciphertext \(index) not found in the queue files")
        }
        let large = try #require(toAlice.last).ciphertext
        let pieces = stride(from: 0, to: large.count - 256, by: 256).map { Array(large[$0..<($0 + 256)]) }
        let found = pieces.filter { piece in stored.contains { Self.contains($0.bytes, piece) } }.count
        #expect(found * 2 >= pieces.count, "only \(found) of \(pieces.count) pieces of the large envelope found")

        var tap = Array(try Data(contentsOf: URL(fileURLWithPath: tapPath)))
        Self.expectNoCanary(in: [("tap", tap)], everything, "while queued, seed \(seed)")
        let lines = String(decoding: tap, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == everything.count, "tap lines: \(lines)")
        #expect(lines.filter { $0.contains(#""kind":"message""#) && $0.contains(#""dir":"b2u""#) }.count == toAlice.count)
        #expect(lines.filter { $0.contains(#""kind":"message""#) && $0.contains(#""dir":"u2b""#) }.count == fromAlice.count)

        // Everything is delivered, read and acknowledged; the relay stops (final commit, store closed).
        try alice.acknowledge(toAliceIDs)
        try alice.write(.receipt(Receipt(kind: .read, counterpart: shopPhone, envelopeIDs: toAliceIDs)))
        shop = try RelayTestClient(relay.address)
        #expect(try shop.hello(shopPhone, device: RelayTestHost.device, token: shopToken) == .welcome)
        var shopFrames: [Frame] = []
        while shopFrames.count < fromAlice.count + 1 { shopFrames.append(try shop.requireFrame().frame) }
        let shopDeliveries = shopFrames.compactMap { frame -> DeliveredEnvelope? in
            if case let .deliver(envelope) = frame { return envelope }
            return nil
        }
        #expect(shopFrames.contains(.receipt(Receipt(kind: .read, counterpart: alicePhone, envelopeIDs: toAliceIDs))))
        #expect(shopDeliveries.map(\.id) == fromAliceIDs)
        #expect(shopDeliveries.map(\.ciphertext) == fromAlice.map(\.ciphertext))
        try shop.acknowledge(fromAliceIDs)
        #expect(relay.waitUntil { $0.queuedCount == 0 })
        relay.stop()

        // Scan 2, after acknowledgement and a clean stop.
        let after = try Self.files(under: relay.dataDirectory)
        #expect(after.contains { $0.name == "relay.sqlite" })
        Self.expectNoCanary(in: after, everything, "after acknowledgement, seed \(seed)")
        tap = Array(try Data(contentsOf: URL(fileURLWithPath: tapPath)))
        Self.expectNoCanary(in: [("tap", tap)], everything, "after acknowledgement, seed \(seed)")
        // The tap is metadata only: not even the stand-in ciphertext (nor a 32-byte piece of it) is in it.
        for (index, message) in everything.enumerated() {
            #expect(!Self.contains(tap, Array(message.ciphertext.prefix(32))), "tap holds ciphertext \(index)")
        }
        #expect(String(decoding: tap, as: UTF8.self).split(separator: "\n").count == everything.count + toAlice.count)
        // "ack: the relay deletes them": after a clean stop (WAL checkpointed, secure_delete on)
        // no acknowledged ciphertext, nor any 32-byte piece of one, is left in its files.
        for (index, message) in everything.enumerated() {
            let pieces = stride(from: 0, to: message.ciphertext.count - 31, by: 32).map { Array(message.ciphertext[$0..<($0 + 32)]) }
            let left = pieces.filter { piece in after.contains { Self.contains($0.bytes, piece) } }.count
            #expect(left == 0, "\(left) of \(pieces.count) pieces of acknowledged ciphertext \(index) left in \(after.map(\.name))")
        }
    }

    /// The scan itself can see a canary: a client that leaks (sends its plaintext as the
    /// "ciphertext") gets its canary found in the very files the test above scans.
    @Test func theScanFindsACanaryThatALeakyClientSends() throws {
        var random = WireRandom(seed: 0xCA_4A21)
        let relay = try RelayTestHost(tap: true)
        let (leaky, _, _) = try relay.registeredClient()
        let (_, recipient, _) = try relay.registeredClient()
        let message = Sealed(size: 300, random: &random)
        _ = try leaky.sendAccepted(to: recipient, clientMessageID: 1, ciphertext: message.plaintext)
        let stored = try Self.files(under: relay.dataDirectory)
        #expect(stored.contains { Self.contains($0.bytes, message.canary) })
        #expect(!stored.contains { Self.contains($0.bytes, message.ciphertext) })
    }
}

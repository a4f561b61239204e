@testable import Integrity
import Testing
import Transport

@Suite struct AnalyzerSnapshotTests {
    typealias F = Fixture

    /// Three businesses: one sampled (small tables, 60 users), one with feedback and a flagged
    /// policy, one gone dormant; plus a reporter outside any contact.
    static func events() -> [IntegrityEvent] {
        var events: [IntegrityEvent] = []
        let third = PhoneNumber("+14155550142")!
        events.append(F.b2u(F.t0 - 10 * F.day, F.user(500), business: third))
        for index in 0..<60 {
            let time = F.t0 + Int64(index) * F.minute
            events += [F.b2u(time, F.user(index)), F.delivered(time, F.user(index)), F.u2b(time + F.second, F.user(index))]
            if index % 3 == 0 { events.append(F.read(time, F.user(index))) }
        }
        for index in 0..<20 {
            let time = F.t0 + Int64(index) * F.minute
            events += [F.b2u(time, F.user(index), business: F.otherBusiness), F.delivered(time, F.user(index), business: F.otherBusiness)]
        }
        for index in 0..<8 { events.append(F.report(F.t0 + F.hour, F.user(index), .scam, business: F.otherBusiness)) }
        events += [F.block(F.t0 + F.hour, F.user(3)), F.report(F.t0 + F.hour, F.user(900))]
        return events
    }

    static func rules() -> Rules {
        var rules = Rules()
        rules.signals.contactProofSlots = 32
        rules.signals.recentContactSlots = 32
        return rules
    }

    static func later() -> [IntegrityEvent] {
        let time = F.t0 + 2 * F.hour
        return [F.report(time, F.user(5)), F.report(time, F.user(5)), F.block(time, F.user(9), business: F.otherBusiness),
                F.b2u(time, F.user(70)), F.u2b(time, F.user(71)), F.report(time, F.user(12), business: F.otherBusiness)]
    }

    @Test func restoreGivesEqualSignalsAndEqualBehaviour() throws {
        let original = F.analyzer(rules: Self.rules())
        F.feed(original, Self.events())
        #expect(original.snapshot().contains { $0.dormant })
        #expect(try #require(original.signals(for: F.business)).samplingLevel7d >= 1)
        let image = original.makeSnapshot(coveredSequence: 42)
        #expect(try AnalyzerSnapshot.header(of: image.bytes) == 42)

        let restored = F.analyzer(rules: Self.rules())
        try restored.restore(image)
        #expect(comparable(restored.snapshot(at: F.t0 + F.hour)) == comparable(original.snapshot(at: F.t0 + F.hour)))
        #expect(restored.now == original.now)

        for event in Self.later() { #expect(restored.ingest(event) == original.ingest(event)) }
        #expect(comparable(restored.snapshot()) == comparable(original.snapshot()))
        #expect(restored.makeSnapshot(coveredSequence: 43).bytes == original.makeSnapshot(coveredSequence: 43).bytes)
    }

    /// A quiet spell longer than the active-user window leaves hourly sketches older than the
    /// window in the ring (a slot is only reset when its hour comes round again): the snapshot
    /// carries them and the restore takes them back, image for image.
    @Test func aGapLongerThanTheActiveUserWindowRoundTrips() throws {
        let original = F.analyzer()
        F.feed(original, [F.b2u(F.t0, F.user(1)), F.b2u(F.t0 + F.hour, F.user(2)), F.b2u(F.t0 + 30 * F.hour, F.user(3))])
        let image = original.makeSnapshot(coveredSequence: 7)
        let restored = F.analyzer()
        try restored.restore(image)
        #expect(restored.makeSnapshot(coveredSequence: 7).bytes == image.bytes)
        #expect(comparable(restored.snapshot()) == comparable(original.snapshot()))
    }

    @Test func anEmptyAnalyzerRoundTrips() throws {
        let empty = F.analyzer()
        let restored = F.analyzer()
        try restored.restore(empty.makeSnapshot(coveredSequence: 0))
        #expect(restored.snapshot().isEmpty && restored.now == nil)
    }

    static func image() -> [UInt8] {
        let analyzer = F.analyzer(rules: Self.rules())
        F.feed(analyzer, Self.events())
        return analyzer.makeSnapshot(coveredSequence: 7).bytes
    }

    static func restoreError(_ bytes: [UInt8], rules: Rules = rules()) -> SnapshotError? {
        let analyzer = F.analyzer(rules: rules)
        F.feed(analyzer, [F.b2u(F.t0, F.user(1))])
        let before = analyzer.snapshot()
        do {
            try analyzer.restore(AnalyzerSnapshot(coveredSequence: 0, bytes: bytes))
            return nil
        } catch {
            // All or nothing: a failed restore leaves the state as it was.
            return analyzer.snapshot() == before ? error : .invalid("state changed by a failed restore", offset: -1)
        }
    }

    @Test func damagedImagesAreTypedErrors() {
        let image = Self.image()
        var flipped = image
        flipped[image.count / 2] ^= 0x40
        #expect(Self.restoreError(flipped) == .checksumMismatch)
        #expect(Self.restoreError(Array(image.prefix(image.count - 100))) == .truncated(offset: 18, needed: 100))
        #expect(Self.restoreError(Array(image.prefix(3))) == .notASnapshot)
        var version = image
        version[4] = 9
        #expect(Self.restoreError(version) == .unsupportedVersion(9))
        var magic = image
        magic[0] = UInt8(ascii: "X")
        #expect(Self.restoreError(magic) == .notASnapshot)
        #expect(Self.restoreError(image + [0]) == .trailingBytes(1))
        #expect(Self.restoreError(image, rules: Rules()) == .rulesMismatch(field: "recent_contact_slots", expected: Rules().signals.recentContactSlots, found: 32))
    }

    @Test func aBodyWithAValidChecksumButBadContentIsRefusedNotTrapped() throws {
        // Re-frame a body that stops inside its first business: the checksum passes, the reads do not.
        var writer = SnapshotWriter()
        for value in [32, 32, Rules().signals.writerFilterBits, Rules().signals.pairSlots] { writer.count(value) }
        writer.int64(F.t0)
        writer.int64(F.t0)
        writer.int64(0)
        writer.optionalInt64(nil)
        writer.int64(0)
        writer.count(0)
        writer.count(1)
        writer.uint64(F.business.digits)
        writer.int64(F.t0)
        writer.int64(F.t0)
        let error = Self.restoreError(Self.frame(writer.bytes), rules: Rules())
        guard case .rulesMismatch = error else {
            // Shapes match only under the test rules.
            Issue.record("expected a rules mismatch under the default rules, got \(String(describing: error))")
            return
        }
        let truncatedBody = Self.restoreError(Self.frame(writer.bytes))
        // A business needs far more than the 24 bytes left: its count (body byte 53) is refused.
        #expect(truncatedBody == .invalid("active businesses of 1 (at most 0)", offset: 18 + 53))
    }

    /// Frames `body` as ``AnalyzerSnapshot`` does (magic, version, sequence, length, checksum).
    static func frame(_ body: [UInt8]) -> [UInt8] {
        let template = AnalyzerSnapshot(core: IntegrityCore(rules: rules()), coveredSequence: 0).bytes
        var writer = SnapshotWriter()
        for byte in template.prefix(6) { writer.uint8(byte) }
        writer.int64(0)
        writer.blob(body)
        var bytes = writer.bytes
        let check = bytes.withUnsafeBytes { MurmurHash3Access.h1($0) }
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: check >> UInt64(shift))) }
        return bytes
    }
}

import Stats

enum MurmurHash3Access {
    static func h1(_ bytes: UnsafeRawBufferPointer) -> UInt64 { MurmurHash3.hash128(bytes, seed: AnalyzerSnapshot.checksumSeed).h1 }
}

/// Signals with `memoryBytes` zeroed: it counts array capacities, which the allocator may round
/// differently for the same request (glibc arenas under parallel tests) — not state.
func comparable(_ signals: [BusinessSignals]) -> [BusinessSignals] {
    signals.map { var copy = $0; copy.memoryBytes = 0; return copy }
}

import Foundation
@testable import Integrity
import Testing
import Transport

@Suite struct SignalHistoryReplayTests {
    typealias F = Fixture

    /// A business messaging a new user every 10 minutes for 3 hours, and one malformed line.
    static func eventFile() throws -> String {
        var lines = (0..<18).map { F.b2u(F.t0 + Int64($0) * 10 * F.minute, F.user($0)).jsonLine }
        lines.insert("{\"t\":\"soon\"}", at: 3)
        let directory = try VigilBinary.temporaryDirectory()
        let path = directory.appendingPathComponent("events.jsonl").path
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func samplesAreTakenOnEventTimeEveryIntervalAndAtTheEnd() throws {
        let path = try Self.eventFile()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        var history = SignalHistory()
        var malformed = 0
        var reports = 0
        let summary = try history.replay(EventStreamReader(path: path), through: F.analyzer(), every: F.hour, progressInterval: 5,
                                         malformed: { _ in malformed += 1 }, progress: { _ in reports += 1 })
        #expect(summary.events == 18 && summary.malformed == 1 && summary.lines == 19)
        #expect(malformed == 1)
        #expect(reports == 3 + 1)
        let samples = history.samples(for: F.business)
        #expect(samples.map(\.time) == [F.t0 + F.hour, F.t0 + 2 * F.hour, F.t0 + 170 * F.minute])
        // Each sample is taken before the event at its moment: 6, 12, then all 18 users.
        #expect(samples.map(\.businessInitiated24h) == [6, 12, 18])
        #expect(samples.allSatisfy { $0.messagingLimitUsers == 250 && $0.qualityRating == .unknown })
    }

    @Test func alertingBusinessesAreTrackedDuringAReplay() throws {
        let path = try Self.eventFile()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        var history = SignalHistory(samplesPerBusiness: 8, maximumBusinesses: 1)
        let analyzer = F.analyzer()
        // A quiet second business, known to the analyzer before the replay, with an alert.
        analyzer.ingest(F.b2u(F.t0 - F.day, F.user(99), business: F.otherBusiness))
        try history.replay(EventStreamReader(path: path), through: analyzer, every: F.hour,
                           alerting: { [F.otherBusiness] }, malformed: { _ in })
        #expect(history.businesses == [F.otherBusiness])
        #expect(history.samples(for: F.otherBusiness).count == 3)
    }
}

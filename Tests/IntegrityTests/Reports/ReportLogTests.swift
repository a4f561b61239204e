import Foundation
@testable import Integrity
import Testing
import Transport

@Suite struct ReportLogTests {
    typealias F = Fixture

    static func temporaryPath() throws -> String {
        try VigilBinary.temporaryDirectory().appendingPathComponent("reports.sqlite").path
    }

    static let contacted = [0, 1, 2, 3, 4, 10, 11, 12, 20, 21]

    /// The tap's part: deliveries to every contacted user at t0.
    static func deliver(_ analyzer: IntegrityAnalyzer) {
        for index in contacted { F.feed(analyzer, [F.b2u(F.t0, F.user(index)), F.delivered(F.t0, F.user(index))]) }
    }

    /// Accepted reports from users `range` (contacted before, in `analyzer`).
    static func accepted(_ analyzer: IntegrityAnalyzer, _ range: Range<Int>) throws -> [AcceptedReport] {
        var intake = try ReportIntake()
        let items = range.map { Result<ReportSubmission, ReportRejection>.success(
            ReportSubmission(reporter: F.user($0), business: F.business, reason: .offensive, time: F.t0 + F.hour, envelopeID: "env-\($0)")) }
        return intake.decide(items, now: F.t0 + F.hour, oracle: analyzer).accepted
    }

    @Test func committedRowsReadBackAsTheSameEventsWithoutNumbers() throws {
        let path = try Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let log = try ReportLog(path: path)
        let analyzer = F.analyzer()
        Self.deliver(analyzer)
        let reports = try Self.accepted(analyzer, 0..<5)
        for (offset, report) in reports.enumerated() { log.append(report, token: offset) }
        #expect(log.pendingCount == 5)
        let commitsBefore = log.database.commitCount
        guard case let .committed(tokens) = log.commit() else { Issue.record("commit failed"); return }
        #expect(tokens == [0, 1, 2, 3, 4] && log.database.commitCount == commitsBefore + 1)
        log.close()

        let reopened = try ReportLog(path: path)
        var read: [LoggedReport] = []
        try reopened.forEach(after: 0, pageSize: 2) { read.append($0) }
        #expect(read.map(\.event) == reports.map(\.event))
        #expect(read.map(\.sequence) == [1, 2, 3, 4, 5] && read.map(\.envelopeID) == (0..<5).map { "env-\($0)" })
        #expect(try reopened.count() == 5 && reopened.lastSequence() == 5)
        var after: [Int64] = []
        try reopened.forEach(after: 3) { after.append($0.sequence) }
        #expect(after == [4, 5])
        // No consumer number reaches the file: neither as digits nor as text.
        let rows = try reopened.database.query("SELECT * FROM report_log")
        let digits = F.user(1).digits
        #expect(rows.allSatisfy { row in (0..<row.count).allSatisfy { row[$0].int64Value != Int64(digits) } })
        let file = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(file.range(of: Data(F.user(1).e164.utf8)) == nil)
    }

    @Test func recoveryUsesTheNewestUsableSnapshotThenTheLog() throws {
        let path = try Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let log = try ReportLog(path: path)
        let snapshots = AnalyzerSnapshotStore(database: log.database)
        let live = F.analyzer()
        Self.deliver(live)
        try snapshots.save(live.makeSnapshot(coveredSequence: 0))
        let first = try Self.accepted(live, 0..<4)
        for report in first { live.ingest(report.event); log.append(report, token: 0) }
        _ = log.commit()
        try snapshots.save(live.makeSnapshot(coveredSequence: try log.lastSequence()))
        let second = try Self.accepted(live, 10..<13)
        for report in second { live.ingest(report.event); log.append(report, token: 0) }
        _ = log.commit()
        try snapshots.save(live.makeSnapshot(coveredSequence: try log.lastSequence()))
        let third = try Self.accepted(live, 20..<22)
        for report in third { live.ingest(report.event); log.append(report, token: 0) }
        _ = log.commit()
        let expected = live.snapshot(at: F.t0 + F.hour)

        // The reports change what a snapshot holds (the base alone counts none of them).
        #expect(expected.first?.countedReports == 9)
        // Newest image fine: 2 rows replayed.
        let a = F.analyzer()
        let normal = try a.recover(from: log, snapshots: snapshots)
        #expect(normal.restored?.name == "latest" && normal.restored?.coveredSequence == 7 && normal.replayed == 2)
        #expect(comparable(a.snapshot(at: F.t0 + F.hour)) == comparable(expected) && normal.coveredSequence == 9)

        // Newest damaged: the previous image and 5 rows.
        var damaged = try #require(snapshots.images().first?.bytes)
        damaged[damaged.count - 1] ^= 1
        try snapshots.overwrite("latest", with: damaged)
        let b = F.analyzer()
        let fallback = try b.recover(from: log, snapshots: snapshots)
        #expect(fallback.unusable.map(\.error) == [.checksumMismatch] && fallback.restored?.name == "previous" && fallback.replayed == 5)
        #expect(comparable(b.snapshot(at: F.t0 + F.hour)) == comparable(expected))

        // Both damaged: rebuilt from the base (the deliveries) and the whole log.
        try snapshots.overwrite("previous", with: Array(damaged.prefix(10)))
        let c = F.analyzer()
        let rebuilt = try c.recover(from: log, snapshots: snapshots) { Self.deliver(c) }
        #expect(rebuilt.restored == nil && rebuilt.unusable.count == 2 && rebuilt.replayed == 9)
        #expect(c.signals(for: F.business, at: F.t0 + F.hour)?.countedReports == 9)
        #expect(comparable(c.snapshot(at: F.t0 + F.hour)) == comparable(expected))
    }
}

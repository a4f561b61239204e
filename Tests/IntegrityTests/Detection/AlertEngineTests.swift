import Foundation
import Testing
@testable import Integrity
import Transport

/// The engine's bookkeeping: firing set, dedup, grouping, resolution at the end, the JSONL sink.
@Suite struct AlertEngineTests {
    typealias F = Fixture

    /// A young number bursting (VelocityBurst critical) and, an hour later, silence for the rest.
    static func burst(business: PhoneNumber = F.business, from start: Int64 = F.t0, users first: Int = 0) -> [IntegrityEvent] {
        F.campaign(from: start, users: first, count: 150, spacing: 100, business: business, delivered: false)
    }

    @Test func firingAlertsAreListedAndResolveAfterHysteresis() throws {
        let harness = DetectionHarness()
        harness.run(Self.burst())
        #expect(harness.engine.activeAlerts.map(\.name).contains("VelocityBurst"))
        let firing = try #require(harness.engine.activeAlerts.first { $0.name == "VelocityBurst" })
        #expect(harness.engine.firing[firing.fingerprint] == firing)
        // The burst ends at t0 + 15 s; 15 minutes under the hysteresis threshold resolve it.
        // The analyzer's advance reaches its observers.
        harness.analyzer.advance(to: F.t0 + 20 * F.minute)
        harness.analyzer.advance(to: F.t0 + 40 * F.minute)
        let resolved = try #require(harness.sink.alerts.first { $0.name == "VelocityBurst" && $0.status == .resolved })
        #expect(resolved.fingerprint == firing.fingerprint)
        #expect(resolved.startsAt == firing.startsAt)
        #expect(resolved.endsAt == resolved.time)
        // Under the hysteresis threshold from the sweep after t0 + 25 s; the first evaluation 15
        // minutes later is the advance to t0 + 20 min.
        #expect(resolved.time == F.t0 + 20 * F.minute)
        #expect(harness.engine.firing[firing.fingerprint] == nil)
        #expect(harness.engine.counts.resolved >= 1)
    }

    @Test func aReFiredAlertKeepsItsFingerprint() throws {
        let harness = DetectionHarness()
        // Between the bursts, another business's customers write every minute: the engine's sweeps
        // run on event time, so the first alert resolves in between.
        let traffic = (1..<40).map { F.u2b(F.t0 + Int64($0) * F.minute, F.user(9000 + $0), business: F.otherBusiness) }
        harness.run(Self.burst() + traffic + Self.burst(from: F.t0 + 40 * F.minute, users: 1000))
        let velocity = harness.sink.alerts.filter { $0.name == "VelocityBurst" }
        try #require(velocity.count == 3)
        #expect(velocity.map(\.status) == [.firing, .resolved, .firing])
        #expect(Set(velocity.map(\.fingerprint)).count == 1)
        #expect(velocity[2].startsAt > velocity[0].startsAt)
        #expect(harness.engine.counts.firedByName["VelocityBurst/critical"] == 2)
    }

    @Test func alertsGroupByBusinessAndName() {
        let harness = DetectionHarness()
        harness.run(Self.burst() + Self.burst(business: F.otherBusiness, users: 5000))
        let byBusiness = harness.engine.activeAlerts(groupedBy: ["business"])
        #expect(byBusiness.map { $0.labels["business"] } == [F.business.e164, F.otherBusiness.e164])
        #expect(byBusiness.allSatisfy { group in group.alerts.allSatisfy { $0.business.e164 == group.labels["business"] } })
        let byName = harness.engine.activeAlerts(groupedBy: ["alertname", "severity"])
        let velocity = byName.first { $0.labels == ["alertname": "VelocityBurst", "severity": "critical"] }
        #expect(velocity?.alerts.count == 2)
    }

    @Test func finishCanResolveWhatIsStillFiring() {
        let harness = DetectionHarness()
        harness.run(Self.burst())
        let open = harness.engine.firing.count
        #expect(open >= 1)
        harness.engine.finish(at: F.t0 + 5 * F.minute, resolvingOpenAlerts: true)
        #expect(harness.engine.firing.isEmpty)
        #expect(harness.sink.alerts.filter { $0.status == .resolved && $0.time == F.t0 + 5 * F.minute }.count == open)
    }

    @Test func jsonlSinkWritesOneParsableLinePerTransition() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("alerts-\(UInt64.random(in: 0...UInt64.max)).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let sink = try JSONLAlertSink(path: path)
        let harness = DetectionHarness()
        harness.engine.sinks.append(sink)
        harness.run(Self.burst())
        harness.engine.finish(resolvingOpenAlerts: true)
        try sink.finish()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines == harness.sink.alerts.map(\.jsonLine))
        #expect(sink.lines == lines.count && lines.count >= 2)
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(Set(object.keys).isSuperset(of: ["t", "status", "alertname", "business", "severity", "summary", "value", "labels"]))
        }
    }

    @Test(arguments: [false, true])
    func aLineBufferedSinkWritesEachDeliveryAtOnce(lineBuffered: Bool) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("alerts-\(UInt64.random(in: 0...UInt64.max)).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let sink = try JSONLAlertSink(path: path, lineBuffered: lineBuffered)
        let harness = DetectionHarness()
        harness.engine.sinks.append(sink)
        harness.run(Self.burst())
        let delivered = harness.sink.alerts.map(\.jsonLine)
        #expect(!delivered.isEmpty)
        // Before finish(): all of it on the file when line-buffered, nothing yet otherwise.
        let before = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(before == (lineBuffered ? delivered : []))
        try sink.finish()
        #expect(try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init) == delivered)
    }

    @Test func jsonlSinkReportsAnUnwritablePath() {
        #expect(throws: AlertSinkError.self) { try JSONLAlertSink(path: "/nonexistent-directory/alerts.jsonl") }
    }

    @Test func perBusinessStateStaysSmall() {
        #expect(MemoryLayout<BusinessDetection>.stride <= 512)
        #expect(MemoryLayout<AlertLifecycle>.stride == 24)
        #expect(DetectorAlert.allCases.count == 10)
    }
}

import Foundation
@testable import Integrity
import Testing

@Suite struct AlertmanagerEncodingTests {
    typealias F = AlertFixture

    /// `Alert.fingerprint` is the fingerprint Alertmanager 0.25 itself reported (GET /api/v2/alerts) for these label sets.
    @Test func fingerprintsAreAlertmanagers() {
        #expect(F.alert(business: F.b, severity: .warning).fingerprintHex == "3412f7102c43adda")
        #expect(F.alert(labels: ["signal": "reach"]).fingerprintHex == "4ce16832f27ed3e5")
        #expect(F.alert(business: F.b, severity: .critical).fingerprintHex != "3412f7102c43adda", "severity is a label")
    }

    @Test func postableAlertsForFiringAndResolved() {
        let now = F.start + 60_000
        let firing = F.alert(labels: ["signal": "reach"])
        let resolved = F.alert(business: F.b, severity: .warning, status: .resolved, time: F.start + 5000, endsAt: F.start + 5000,
                               summary: "quote \" and\nline", value: 3)
        let json = AlertmanagerEncoding.postableAlerts([firing, resolved], now: now, generatorURL: "http://vigil/alerts")
        #expect(json == """
            [{"labels":{"alertname":"MassMessaging","business":"+15550001","severity":"critical","signal":"reach"},\
            "annotations":{"summary":"s","value":"12.5"},"startsAt":"2024-05-01T10:00:00.123Z",\
            "endsAt":"2024-05-01T10:05:00.123Z","generatorURL":"http://vigil/alerts"},\
            {"labels":{"alertname":"MassMessaging","business":"+15550002","severity":"warning"},\
            "annotations":{"summary":"quote \\" and\\u000aline","value":"3"},"startsAt":"2024-05-01T10:00:00.123Z",\
            "endsAt":"2024-05-01T10:00:05.123Z","generatorURL":"http://vigil/alerts"}]
            """)
    }

    @Test func firingEndsAtFollowsTheLaterOfNowAndStart() {
        let alert = F.alert()
        #expect(AlertmanagerEncoding.endsAt(of: alert, now: F.start + 1000) == F.start + 1000 + 240_000)
        #expect(AlertmanagerEncoding.endsAt(of: alert, now: F.start - 86_400_000) == F.start + 240_000)
        #expect(AlertmanagerEncoding.endsAt(of: F.alert(status: .resolved, time: F.start + 9), now: 0) == F.start + 9)
        #expect(AlertmanagerEncoding.postableAlerts([], now: 0) == "[]")
        #expect(AlertmanagerEncoding.annotations(of: F.alert(value: .infinity)).last?.value == "+Inf")
    }

    @Test func webhookPayloadOfAGroup() {
        let reach = F.alert(labels: ["signal": "reach"])
        let cold = F.alert(status: .resolved, time: F.start + 1000, endsAt: F.start + 1000, summary: "other", labels: ["signal": "cold"])
        let groups = AlertmanagerEncoding.groups([reach, cold])
        #expect(groups.count == 1)
        let options = AlertmanagerEncoding.WebhookOptions(receiver: "team", externalURL: "http://am:9093")
        #expect(AlertmanagerEncoding.webhookPayload(groups[0], options: options) == """
            {"receiver":"team","status":"firing","alerts":[\
            {"status":"resolved","labels":{"alertname":"MassMessaging","business":"+15550001","severity":"critical","signal":"cold"},\
            "annotations":{"summary":"other","value":"12.5"},"startsAt":"2024-05-01T10:00:00.123Z",\
            "endsAt":"2024-05-01T10:00:01.123Z","generatorURL":"","fingerprint":"\(cold.fingerprintHex)"},\
            {"status":"firing","labels":{"alertname":"MassMessaging","business":"+15550001","severity":"critical","signal":"reach"},\
            "annotations":{"summary":"s","value":"12.5"},"startsAt":"2024-05-01T10:00:00.123Z",\
            "endsAt":"0001-01-01T00:00:00Z","generatorURL":"","fingerprint":"4ce16832f27ed3e5"}],\
            "groupLabels":{"alertname":"MassMessaging","business":"+15550001"},\
            "commonLabels":{"alertname":"MassMessaging","business":"+15550001","severity":"critical"},\
            "commonAnnotations":{"value":"12.5"},"externalURL":"http://am:9093","version":"4",\
            "groupKey":"{}:{alertname=\\"MassMessaging\\", business=\\"+15550001\\"}","truncatedAlerts":0}
            """)
    }

    @Test func groupsSplitByLabelValuesAndKeepTheLatestTransitionPerAlert() {
        let first = F.alert(labels: ["signal": "reach"])
        let other = F.alert(business: F.b)
        let spike = F.alert("ReportSpike")
        let resolution = F.alert(status: .resolved, time: F.start + 1, endsAt: F.start + 1, labels: ["signal": "reach"])
        let groups = AlertmanagerEncoding.groups([first, other, spike, resolution])
        #expect(groups.map(\.labels) == [["alertname": "MassMessaging", "business": "+15550001"],
                                         ["alertname": "MassMessaging", "business": "+15550002"],
                                         ["alertname": "ReportSpike", "business": "+15550001"]])
        #expect(groups[0].alerts == [resolution])
        #expect(groups[0].status == .resolved && groups[1].status == .firing)
        let bySeverity = AlertmanagerEncoding.groups([first, other, spike], by: ["severity", "missing"])
        #expect(bySeverity.count == 1 && bySeverity[0].labels == ["severity": "critical"] && bySeverity[0].alerts.count == 3)
    }

    @Test func maximumAlertsTruncatesAndCounts() {
        let alerts = (0..<5).map { F.alert(labels: ["n": String($0)]) }
        let group = AlertmanagerEncoding.groups(alerts)[0]
        let payload = AlertmanagerEncoding.webhookPayload(group, options: .init(maximumAlerts: 2))
        #expect(payload.hasSuffix("\"truncatedAlerts\":3}"))
        #expect(payload.components(separatedBy: "\"fingerprint\"").count - 1 == 2)
    }

    @Test func alertmanagerOrderIsFewerLabelsFirstThenValuesByName() {
        let plain = F.alert()
        let cold = F.alert(labels: ["signal": "cold"])
        let reach = F.alert(labels: ["signal": "reach"])
        let job = F.alert(labels: ["job": "a"])
        #expect(AlertmanagerEncoding.precedes(job, plain))  // the job label comes before all else
        #expect(AlertmanagerEncoding.precedes(plain, cold))
        #expect(AlertmanagerEncoding.precedes(cold, reach) && !AlertmanagerEncoding.precedes(reach, cold))
        #expect(!AlertmanagerEncoding.precedes(reach, reach))
        // Same size, different names: the set missing the smallest name sorts first (Go's Before).
        #expect(AlertmanagerEncoding.precedes(F.alert(labels: ["zone": "1"]), F.alert(labels: ["area": "1"])))
    }

    @Test func groupKeyQuotesValuesAsGoDoes() {
        let key = AlertmanagerEncoding.groupKey(routeKey: "{}/{team=\"x\"}", labels: [("alertname", "A\"b\\c\n\u{01}é")])
        #expect(key == "{}/{team=\"x\"}:{alertname=\"A\\\"b\\\\c\\n\\x01é\"}")
    }
}

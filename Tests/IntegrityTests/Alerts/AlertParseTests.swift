import Foundation
@testable import Integrity
import Testing

@Suite struct AlertParseTests {
    typealias F = AlertFixture

    static let alerts: [Alert] = [
        F.alert(),
        F.alert(business: F.b, severity: .warning, status: .resolved, time: F.start + 7, endsAt: F.start + 7,
                summary: "tab\t \"quoted\" back\\slash é 😀 \u{01}", value: -0.125, labels: ["signal": "cold", "window": "24h"]),
        F.alert("VelocityBurst", value: 1_000_000, labels: ["note": "line\nbreak"]),
    ]

    @Test(arguments: alerts)
    func roundTripsThroughJSONLine(alert: Alert) throws {
        #expect(try Alert(jsonLine: Array(alert.jsonLine.utf8)) == alert)
    }

    @Test func nonFiniteValueRoundTripsAsNaN() throws {
        let parsed = try Alert(jsonLine: Array(F.alert(value: .nan).jsonLine.utf8))
        #expect(parsed.value.isNaN && parsed.name == "MassMessaging")
    }

    @Test func whitespaceBetweenTokensIsAccepted() throws {
        let alert = F.alert(labels: ["signal": "reach"])
        let spaced = alert.jsonLine.replacingOccurrences(of: ",\"", with: " ,\t\"").replacingOccurrences(of: ":", with: " : ")
        #expect(try Alert(jsonLine: Array((" " + spaced + " ").utf8)) == alert)
    }

    @Test(arguments: [
        ("{\"t\":1", "expected '}', found the end of the line"),
        ("[]", "expected '{'"),
        ("{\"t\":1,\"t\":2}", "duplicate field \"t\""),
        ("{\"x\":1}", "unknown field \"x\""),
        ("{}", "missing field"),
        ("{\"t\":1.5}", "\"t\" must be an integer"),
        ("{\"status\":null}", "\"status\" cannot be null"),
        ("{\"summary\":\"\\q\"}", "invalid escape"),
        ("{\"summary\":\"\\ud800x\"}", "high surrogate without its low half"),
        ("{} x", "characters after the object"),
    ])
    func malformedLinesAreRefusedWithAReason(line: String, reason: String) {
        #expect(throws: AlertLineError.self) { try Alert(jsonLine: Array(line.utf8)) }
        do {
            _ = try Alert(jsonLine: Array(line.utf8))
        } catch {
            #expect(error.reason.contains(reason), "\(error)")
            #expect(error.column >= 1 && error.column <= line.utf8.count + 1)
        }
    }

    @Test func fingerprintMustMatchTheLabels() {
        let line = F.alert().jsonLine.replacingOccurrences(of: F.alert().fingerprintHex, with: "0000000000000000")
        #expect(throws: AlertLineError.self) { try Alert(jsonLine: Array(line.utf8)) }
        let relabeled = F.alert().jsonLine.replacingOccurrences(of: "\"labels\":{}", with: "\"labels\":{\"a\":\"b\"}")
        #expect(throws: AlertLineError.self) { try Alert(jsonLine: Array(relabeled.utf8)) }
    }

    @Test func firingWithAnEndIsRefused() {
        let line = F.alert().jsonLine.replacingOccurrences(of: "\"ends_at\":null", with: "\"ends_at\":5")
        do {
            _ = try Alert(jsonLine: Array(line.utf8))
            Issue.record("accepted \(line)")
        } catch {
            #expect(error.reason == "ends_at must be null while firing")
        }
    }
}

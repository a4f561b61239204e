@testable import Integrity
import Transport

/// Alerts for the alert tests: fixed times, businesses and labels.
enum AlertFixture {
    static let a = PhoneNumber("+15550001")!
    static let b = PhoneNumber("+15550002")!
    /// 2024-05-01T10:00:00.123Z.
    static let start: Int64 = 1_714_557_600_123

    static func alert(_ name: String = "MassMessaging", business: PhoneNumber = a, severity: Alert.Severity = .critical,
                      status: Alert.Status = .firing, time: Int64 = start, endsAt: Int64? = nil,
                      summary: String = "s", value: Double = 12.5, labels: [String: String] = [:]) -> Alert {
        Alert(name: name, business: business, severity: severity, status: status, time: time, startsAt: start,
              endsAt: endsAt, summary: summary, value: value, labels: labels)
    }
}

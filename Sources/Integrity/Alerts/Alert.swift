public import Transport

/// One alert transition as the detectors raise it and every sink carries it: the JSONL line of
/// `vigil analyze --alerts`, Alertmanager's `/api/v2/alerts` body, the webhook payload version 4.
///
/// Identity is the label set: `alertname`, `business`, `severity` and ``labels`` (sorted); the
/// ``fingerprint`` hashes it, so the same condition on the same business is one alert however
/// often it re-fires. Times are event time (ms since the Unix epoch).
public struct Alert: Sendable, Hashable {
    /// Where an alert is in its lifecycle as sinks see it (pending alerts are not sent).
    public enum Status: String, Sendable, Hashable, CaseIterable {
        /// The condition holds (and has held for the detector's `for` period).
        case firing
        /// The condition stopped holding (past the hysteresis band).
        case resolved
    }

    /// How urgent: `critical` means an operator should act; honest traffic, however large or
    /// bursty, must never raise it.
    public enum Severity: String, Sendable, Hashable, CaseIterable, Comparable {
        /// Worth a look.
        case warning
        /// An operator should act.
        case critical

        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs == .warning && rhs == .critical }
    }

    /// The detector's name, Prometheus style (`MassMessaging`, `VelocityBurst`, …).
    public var name: String
    /// The business the alert is about.
    public var business: PhoneNumber
    /// Severity.
    public var severity: Severity
    /// Firing or resolved.
    public var status: Status
    /// Event time of this transition.
    public var time: Int64
    /// When the condition started firing.
    public var startsAt: Int64
    /// When it resolved (nil while firing).
    public var endsAt: Int64?
    /// One human sentence (Alertmanager's `summary` annotation).
    public var summary: String
    /// The measured value that crossed the threshold.
    public var value: Double
    /// Further identifying labels (never a consumer number or pseudonym), e.g. `["signal": "reach"]`.
    public var labels: [String: String]

    /// An alert transition.
    public init(name: String, business: PhoneNumber, severity: Severity, status: Status, time: Int64,
                startsAt: Int64, endsAt: Int64? = nil, summary: String, value: Double, labels: [String: String] = [:]) {
        self.name = name
        self.business = business
        self.severity = severity
        self.status = status
        self.time = time
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.summary = summary
        self.value = value
        self.labels = labels
    }

    /// Every label, sorted by name: `alertname`, `business`, `severity` and ``labels``.
    public var allLabels: [(name: String, value: String)] {
        var all = labels.map { (name: $0.key, value: $0.value) }
        all.append((name: "alertname", value: name))
        all.append((name: "business", value: business.e164))
        all.append((name: "severity", value: severity.rawValue))
        all.sort { $0.name < $1.name }
        return all
    }

    /// Alertmanager's fingerprint of the label set (Prometheus' `LabelSet.Fingerprint`): FNV-1a 64
    /// over the labels sorted by name, each as name, 0xFF, value, 0xFF. Equal for the same
    /// condition on the same business whatever its status or times; the same value Alertmanager
    /// shows for the alert (checked against a real one in the interop test).
    public var fingerprint: UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ byte: UInt8) {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        for label in allLabels {
            for byte in label.name.utf8 { mix(byte) }
            mix(0xFF)
            for byte in label.value.utf8 { mix(byte) }
            mix(0xFF)
        }
        return hash
    }

    /// ``fingerprint`` as 16 lowercase hex digits.
    public var fingerprintHex: String {
        let hex = String(fingerprint, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

/// Where alert transitions go (JSONL file, Alertmanager, webhook receivers). Called on the
/// analyzer's thread, in event-time order; a sink that does I/O buffers and must not block.
public protocol AlertSink: AnyObject {
    /// Transitions raised since the last call, in order.
    func deliver(_ alerts: [Alert])
}

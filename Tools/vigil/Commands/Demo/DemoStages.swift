/// Where the integrity analyzer and the anonymized export plug into `vigil demo`.
///
/// The analyzer runs live inside the transport process (`vigil serve`): it answers the relay's
/// admission questions during the traffic, and its stage reads its HTTP API after the drain. The
/// export reads the relay's tap (`DIR/relay/tap.jsonl`). A stage's rows extend the table, its
/// alerts are listed, `--json` carries both, and its `violations` fail the verdict.
enum DemoStages {
    /// The analyzer's stage (quality rating, tier, alerts per business), read from `vigil serve`.
    static func integrity() -> (any DemoIntegrityStage)? { DemoLiveIntegrity() }

    /// The anonymized statistics export of the tap: the platform's DP release, billing, and the
    /// transport-only sketches (``DemoExport``).
    static func export() -> (any DemoExportStage)? { DemoExport() }

    /// Extra `vigil serve` arguments for the transport child: the analyzer runs on default rules,
    /// with event time warped by `--speed` for the `--duration` of the traffic (from its first
    /// event) when the speed is above 1.
    static func relayArguments(dataDirectory: String, options: DemoOptions) -> [String] {
        guard options.speed > 1 else { return [] }
        return ["--time-scale", String(options.speed), "--time-scale-for", String(options.duration)]
    }
}

/// A business as the stages see it: identity and the scenario's ground truth.
struct DemoBusinessIdentity: Sendable {
    /// Its position in the tables.
    let index: Int
    /// Its number (as in the tap).
    let phone: String
    /// Its verified name.
    let name: String
    /// Its behaviour (`bulk_blaster`, `honest_retailer`, …).
    let role: String
    /// Whether an operator should act on it: the analyzer must alert on these and only these.
    let isAbusive: Bool
}

/// The integrity analyzer's verdict on the demo, read while the transport process still runs.
protocol DemoIntegrityStage {
    /// Asks the analyzer inside `transport` about `businesses`; returns a row per business (same
    /// order), the alerts that fired and the expectations it found broken.
    func analyze(transport: DemoRelayChild, businesses: [DemoBusinessIdentity]) throws(DemoError) -> DemoIntegrityResult
}

/// What the analyzer concluded.
struct DemoIntegrityResult: Sendable {
    /// One row per business, in the order given.
    let rows: [DemoIntegrityRow]
    /// Every alert that fired.
    let alerts: [DemoAlert]
    /// Expectations the stage checked and found broken (e.g. "the bulk blaster was not
    /// caught", "an honest business got a critical alert"); each fails the demo's verdict.
    let violations: [String]
}

/// The analyzer's view of one business, shown as extra table columns.
struct DemoIntegrityRow: Sendable {
    /// GREEN, YELLOW or RED.
    let quality: String
    /// CONNECTED, FLAGGED, RESTRICTED, …
    let status: String
    /// The messaging-limit tier (TIER_250, TIER_1K, …).
    let tier: String
    /// Distinct users it started conversations with in the last 24 hours.
    let businessInitiated24h: Int
    /// Blocks per business-initiated conversation.
    let blockRate: Double
    /// Reports per business-initiated conversation.
    let reportRate: Double
}

/// One alert that fired.
struct DemoAlert: Sendable {
    /// The business's index.
    let business: Int
    /// `critical`, `warning`, …
    let severity: String
    /// The detector that fired.
    let rule: String
    /// Why, in one line.
    let reason: String
    /// Whether it was still firing when the traffic ended (else it fired and resolved).
    var active = false
}

/// The anonymized statistics export, run over a finished demo's events.
protocol DemoExportStage {
    /// Writes the export of the tap at `tapPath`, whose events span `eventTime` (ms; nil: none),
    /// into `directory`.
    func export(tapPath: String, eventTime: ClosedRange<Int64>?, into directory: String) throws(DemoError) -> DemoExportResult
}

/// What the export wrote.
struct DemoExportResult: Sendable {
    /// The files written.
    let paths: [String]
    /// One line about them (privacy parameters, item counts).
    let summary: String
}

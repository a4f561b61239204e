import Transport

/// `vigil bench hostile`'s knobs: honest traffic, each attack's scale, the bounds.
struct HostileSettings: Sendable {
    /// Relay sender/receiver pairs of honest traffic.
    var pairs = 8
    /// Honest envelope payload bytes.
    var payloadSize = 1024
    /// Envelopes in flight per honest sender when saturating.
    var window = 16
    /// Measured seconds per relay phase.
    var seconds = 5.0
    /// Unmeasured seconds before each phase.
    var warmup = 1.0
    /// Honest report POSTs per second (50: about 600 per condition, so p99 is the sixth-largest
    /// latency rather than one outlier of a hundred).
    var reportRate = 50.0
    /// Slowloris connections on the HTTP API.
    var slowlorisConnections = 2_000
    /// Idle connections on the relay.
    var idleConnections = 10_000
    /// Threads flooding bad frames.
    var floodThreads = 2
    /// Connections holding a stalled near-maximum frame.
    var stalledConnections = 400
    /// Reports of the single reporter.
    var floodReports = 100_000
    /// Distinct sybil reporters.
    var sybils = 10_000
    /// Sybil reports decided at most (the reporters cycle until the condition ends or this many
    /// were answered 202; batches refused with 429 are re-sent and not counted).
    var sybilReportBudget = 1_000_000
    /// Threads of the send flood, each a closed loop on its own connection.
    var sendFloodThreads = 4
    /// Users the send flood cycles over (its tier allows 250 a day).
    var floodRecipients = 600
    /// The Cloud API child's send requests a second per number (`vigil cloudapi --sends-per-second`).
    var sendLimit = 80
    /// The honest business's sends per second during the send flood's conditions (at most half
    /// of `sendLimit`).
    var honestSendRate = 10.0
    /// The honest business's users.
    var honestSendRecipients = 40
    /// The bound each child's peak RSS is held to, MiB.
    var rssLimitMiB = 1024.0

    /// Targets from the issue.
    static let p99RatioTarget = 2.0
    static let throughputRatioTarget = 0.8

    /// A `send` frame whose header claims the default maximum (256 KiB) and whose body stops
    /// 1 KiB short: what a stalled-frame connection sends before falling silent.
    static let stalledFrame: [UInt8] = {
        let total = WireFormat.defaultMaximumFrameSize
        let length = UInt32(total - WireFormat.lengthPrefixSize)
        let header: [UInt8] = [UInt8(truncatingIfNeeded: length >> 24), UInt8(truncatingIfNeeded: length >> 16),
                               UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length),
                               WireFormat.version, FrameType.send.rawValue, 0, 0, 0, 1]
        return header + [UInt8](repeating: 0x33, count: total - 1024 - header.count)
    }()

    /// How long one condition (both relay phases and their drains) may take before every
    /// attacker and reporter thread stops by itself.
    var conditionLimit: Duration { .seconds(4 * (seconds + warmup) + 150) }

    /// Honest reports one child needs: one condition of about 2 × (warm-up + seconds) + 10 s.
    var reportsNeeded: Int { Int((reportRate * (2 * (warmup + seconds) + 10)).rounded(.up)) + 20 }

    /// Businesses with up to 240 reporters each (Meta's first tier opens 250 conversations a day).
    var businessCount: Int { max(4, (reportsNeeded + 239) / 240) }
    var reportersPerBusiness: Int { min(240, (reportsNeeded + businessCount - 1) / businessCount) }

    /// Descriptors this process needs at most at once.
    var descriptorsNeeded: Int { max(idleConnections, slowlorisConnections, stalledConnections + 2 * floodThreads) + 4 * pairs + 256 }

    /// The attack's size, for the report.
    func scale(of attack: HostileAttackKind) -> String {
        switch attack {
        case .slowloris: "\(slowlorisConnections) connections"
        case .idleConnections: "\(idleConnections) connections"
        case .badFrames: "\(floodThreads) flooding threads, \(stalledConnections) stalled 255 KiB frames"
        case .reportFlood: "\(floodReports) reports from 1 reporter"
        case .sybilReports: "\(sybils) reporters, at most \(sybilReportBudget) reports decided"
        case .sendFlood: "\(sendFloodThreads) closed loops over \(floodRecipients) users"
        }
    }
}

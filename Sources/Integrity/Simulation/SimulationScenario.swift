/// A labeled workload that `vigil simulate` can generate.
///
/// Every scenario runs for a week over a background of honest businesses and their customers, so
/// that precision means something; the featured businesses are what the scenario is named after.
/// `mixed` holds every featured business of every other scenario at once.
public enum SimulationScenario: String, CaseIterable, Sendable {
    /// Retailers with opted-in customers and a flash sale: large, bursty and honest.
    case honestRetailer = "honest-retailer"
    /// One-time-passcode senders: many cold recipients, every message expected. Honest.
    case utilitySender = "utility-sender"
    /// New numbers blasting marketing to purchased lists at full throughput. Abusive.
    case bulkBlaster = "bulk-blaster"
    /// Spammers that stay under naive per-minute thresholds but reach thousands over days. Abusive.
    case slowDrip = "slow-drip"
    /// Real businesses marketing to an old or bought list next to their genuine customers. Abusive.
    case coldList = "cold-list"
    /// Crowds reporting honest businesses they never heard from. The targets are honest.
    case reportBombing = "report-bombing"
    /// Every featured business of the other scenarios in one week.
    case mixed = "mixed"

    /// One line for `vigil simulate --list`.
    public var summary: String {
        switch self {
        case .honestRetailer:
            "honest retailers: opted-in customers, service chats, order updates, a flash sale burst (expect no critical alert)"
        case .utilitySender:
            "OTP senders: authentication codes to many cold but expecting users, near-zero blocks (expect no critical alert)"
        case .bulkBlaster:
            "bulk blasters: new numbers, purchased lists, tens of messages/s, many blocks and reports (expect critical)"
        case .slowDrip:
            "slow-drip spammers: ≤ 2 messages/min around the clock to fresh cold users for days (expect critical)"
        case .coldList:
            "cold-list marketers: genuine customers plus campaigns to a list that never opted in (expect critical)"
        case .reportBombing:
            "report bombing: crowds with no contact report honest businesses (expect no critical alert)"
        case .mixed:
            "every featured business above in one week over the same background"
        }
    }

    /// The featured behaviours, in the order their businesses are numbered.
    var featured: [SimulationBehaviour] {
        switch self {
        case .honestRetailer: [.honestRetailer]
        case .utilitySender: [.utilitySender]
        case .bulkBlaster: [.bulkBlaster]
        case .slowDrip: [.slowDripSpammer]
        case .coldList: [.coldListMarketer]
        case .reportBombing: [.reportBombingTarget]
        case .mixed: [.honestRetailer, .utilitySender, .bulkBlaster, .slowDripSpammer, .coldListMarketer, .reportBombingTarget]
        }
    }
}

/// What a business in a simulated workload does, as written in the labels sidecar.
public enum SimulationBehaviour: String, CaseIterable, Sendable {
    /// An ordinary business: customers write, it answers, sends order updates and a few campaigns.
    case background = "background"
    /// A retailer whose opted-in customers get a flash sale.
    case honestRetailer = "honest_retailer"
    /// A one-time-passcode sender.
    case utilitySender = "utility_sender"
    /// A bulk blaster to purchased lists.
    case bulkBlaster = "bulk_blaster"
    /// A slow-drip spammer.
    case slowDripSpammer = "slow_drip_spammer"
    /// A cold-list marketer.
    case coldListMarketer = "cold_list_marketer"
    /// An honest business that a crowd report-bombs.
    case reportBombingTarget = "report_bombing_target"

    /// Whether an operator should act on this business: the ground truth for critical alerts.
    public var isAbusive: Bool {
        switch self {
        case .bulkBlaster, .slowDripSpammer, .coldListMarketer: true
        case .background, .honestRetailer, .utilitySender, .reportBombingTarget: false
        }
    }
}

/// Why a simulation cannot start.
public enum SimulationError: Error, Equatable, CustomStringConvertible {
    /// No scenario has this name.
    case unknownScenario(String)
    /// The scale is not a finite number in ``SimulationParameters/scaleRange``.
    case scaleOutOfRange(Double)

    /// One line for people.
    public var description: String {
        switch self {
        case let .unknownScenario(name):
            "unknown scenario '\(name)'; expected one of: \(SimulationScenario.allCases.map(\.rawValue).joined(separator: ", "))"
        case let .scaleOutOfRange(scale):
            "scale must be a number in \(Self.format(SimulationParameters.scaleRange.lowerBound))…"
                + "\(Self.format(SimulationParameters.scaleRange.upperBound)), got \(Self.format(scale))"
        }
    }

    /// A number as people type it: "100", not "100.0".
    private static func format(_ value: Double) -> String {
        value.isFinite && value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    }
}

/// A validated request for one workload: scenario, seed and scale.
public struct SimulationParameters: Sendable, Equatable {
    /// The scales accepted: 1 is about a million events; the population and the number of
    /// background businesses grow linearly with it, featured volumes too (with floors, so a tiny
    /// scale still gives every behaviour enough events to be recognisable).
    public static let scaleRange: ClosedRange<Double> = 0.01...100

    /// Which workload.
    public let scenario: SimulationScenario
    /// The seed: the same parameters give byte-identical output.
    public let seed: UInt64
    /// The size multiplier.
    public let scale: Double

    /// Checks `scale`.
    public init(scenario: SimulationScenario, seed: UInt64, scale: Double = 1) throws(SimulationError) {
        guard scale.isFinite, Self.scaleRange.contains(scale) else { throw .scaleOutOfRange(scale) }
        self.scenario = scenario
        self.seed = seed
        self.scale = scale
    }

    /// Looks the scenario up by name.
    public init(scenarioName: String, seed: UInt64, scale: Double = 1) throws(SimulationError) {
        guard let scenario = SimulationScenario(rawValue: scenarioName) else { throw .unknownScenario(scenarioName) }
        try self.init(scenario: scenario, seed: seed, scale: scale)
    }
}

import Synchronization
import Transport

/// The attacks `vigil bench hostile` runs, each against a fresh `vigil serve` child.
enum HostileAttackKind: String, CaseIterable, Sendable {
    case slowloris
    case idleConnections = "idle-connections"
    case badFrames = "bad-frames"
    case reportFlood = "report-flood"
    case sybilReports = "sybil-reports"
    case sendFlood = "send-flood"

    /// One line on what the attack does, for the report.
    var summary: String {
        switch self {
        case .slowloris: "HTTP API: connections that send a request head one header line per second, reconnecting when cut"
        case .idleConnections: "relay: idle TCP connections that never authenticate, reconnecting when cut"
        case .badFrames: "relay: connections flooding oversized, malformed, unknown-type and truncated frames, and stalled near-maximum frames"
        case .reportFlood: "HTTP API: one reporter with proof of contact filing reports in 1 000-item batches"
        case .sybilReports: "HTTP API: distinct reporters without proof of contact, 1 000-item batches"
        case .sendFlood: "Cloud API: a business POSTing templates past its throughput, messaging limit and pair rate, ignoring 429s"
        }
    }

    /// Whether its conditions need a `vigil cloudapi` child with businesses and users.
    var needsCloudAPI: Bool { self == .sendFlood }
}

/// A running attack: started by ``start()`` (it returns once the attack is in full force) and
/// ended by ``stop()``, which returns what it did.
protocol HostileAttack: AnyObject {
    /// Begins the attack; returns once it is in full force (every connection open), or throws.
    func start() throws(CLIError)
    /// Ends the attack, closes everything it opened, and returns its counters in a fixed order.
    func stop() -> [(String, Int)]
}

/// Counters shared between an attack's threads and the orchestrator, kept in first-use order.
final class Tally: Sendable {
    private let values = Mutex<[(String, Int)]>([])

    /// Adds `amount` to `name`.
    func add(_ name: String, _ amount: Int = 1) {
        values.withLock { list in
            if let index = list.firstIndex(where: { $0.0 == name }) {
                list[index].1 += amount
            } else {
                list.append((name, amount))
            }
        }
    }

    /// The value of `name` (0 if never counted).
    subscript(name: String) -> Int { values.withLock { list in list.first { $0.0 == name }?.1 ?? 0 } }

    /// Every counter, in first-use order.
    var snapshot: [(String, Int)] { values.withLock { $0 } }
}

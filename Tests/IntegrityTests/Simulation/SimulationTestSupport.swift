import Foundation
import Synchronization
import Testing
@testable import Integrity

/// One line of a simulated workload, after the strict schema check.
struct SimulationCheckedEvent: Sendable {
    var t: Int64
    var kind: String
    var business: String
    var user: String
    var dir: String?
    var bytes: Int?
    var category: String?
    var reason: String?

    var isBusinessMessage: Bool { kind == "message" && dir == "b2u" }
    var isUserMessage: Bool { kind == "message" && dir == "u2b" }
}

/// A generated workload: the bytes, the labels, and the lines parsed and checked.
struct SimulatedWorkload: Sendable {
    let parameters: SimulationParameters
    let bytes: [UInt8]
    let labels: SimulationLabels
    let labelsJSON: String
    let events: [SimulationCheckedEvent]
    /// Schema violations, as "line N: problem" (empty when the file is valid).
    let problems: [String]

    /// The events of `business`, in file order.
    func events(of business: String) -> [SimulationCheckedEvent] { events.filter { $0.business == business } }

    /// The numbers of the businesses labeled with `behaviour`.
    func businesses(_ behaviour: SimulationBehaviour) -> [String] {
        labels.businesses.filter { $0.behaviour == behaviour }.map(\.business)
    }

    private static let cache = Mutex<[String: SimulatedWorkload]>([:])

    /// The workload for these parameters, generated once per test process.
    static func load(_ scenario: SimulationScenario, seed: UInt64 = 1, scale: Double = 0.05) throws -> SimulatedWorkload {
        let key = "\(scenario.rawValue)/\(seed)/\(scale)"
        if let cached = cache.withLock({ $0[key] }) { return cached }
        let workload = try generate(SimulationParameters(scenario: scenario, seed: seed, scale: scale))
        cache.withLock { $0[key] = workload }
        return workload
    }

    /// Generates without the cache.
    static func generate(_ parameters: SimulationParameters) throws -> SimulatedWorkload {
        var bytes: [UInt8] = []
        let result = Simulation.generate(parameters, write: { bytes.append(contentsOf: $0) })
        var problems: [String] = []
        var events: [SimulationCheckedEvent] = []
        events.reserveCapacity(result.events)
        var number = 0
        for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            number += 1
            if line.isEmpty, number > 1 { continue }  // the file's final newline
            switch SimulationSchemaChecker.check(Array(line)) {
            case let .success(event): events.append(event)
            case let .failure(problem): problems.append("line \(number): \(problem.message)")
            }
        }
        return SimulatedWorkload(
            parameters: parameters, bytes: bytes, labels: result.labels, labelsJSON: result.labels.json,
            events: events, problems: problems)
    }
}

/// A schema violation.
struct SimulationSchemaProblem: Error {
    let message: String
}

/// A strict checker for the analyzer's event schema (issue 6): exactly the keys of each kind, the
/// right types, E.164 numbers, power-of-two size buckets, the closed sets of names.
enum SimulationSchemaChecker {
    static let categories: Set<String> = ["marketing", "utility", "authentication", "service"]
    static let blockReasons: Set<String> = ["spam", "didnt_sign_up", "offensive", "no_longer_needed", "no_reason"]
    static let reportReasons: Set<String> = ["spam", "scam", "offensive", "other"]

    static func check(_ line: [UInt8]) -> Result<SimulationCheckedEvent, SimulationSchemaProblem> {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
            return .failure(SimulationSchemaProblem(message: "not a JSON object"))
        }
        guard let t = object["t"] as? Int64, t > 0 else { return .failure(SimulationSchemaProblem(message: "t is not a positive integer")) }
        guard let kind = object["kind"] as? String else { return .failure(SimulationSchemaProblem(message: "no kind")) }
        guard let business = object["business"] as? String, isE164(business) else {
            return .failure(SimulationSchemaProblem(message: "business is not E.164"))
        }
        guard let user = object["user"] as? String, isE164(user) else { return .failure(SimulationSchemaProblem(message: "user is not E.164")) }
        var event = SimulationCheckedEvent(t: t, kind: kind, business: business, user: user)
        var expected: Set<String> = ["t", "kind", "business", "user"]
        switch kind {
        case "message":
            guard let dir = object["dir"] as? String, dir == "b2u" || dir == "u2b" else {
                return .failure(SimulationSchemaProblem(message: "dir must be b2u or u2b"))
            }
            guard let bytes = object["bytes"] as? Int, bytes >= 64, bytes <= 262_144, bytes & (bytes - 1) == 0 else {
                return .failure(SimulationSchemaProblem(message: "bytes must be a power of two in 64…262144"))
            }
            event.dir = dir
            event.bytes = bytes
            expected.formUnion(["dir", "bytes"])
            if let category = object["category"] {
                guard dir == "b2u", let name = category as? String, categories.contains(name) else {
                    return .failure(SimulationSchemaProblem(message: "category only on b2u, one of \(categories.sorted())"))
                }
                event.category = name
                expected.insert("category")
            }
        case "delivered", "read":
            break
        case "block", "report":
            let names = kind == "block" ? blockReasons : reportReasons
            guard let reason = object["reason"] as? String, names.contains(reason) else {
                return .failure(SimulationSchemaProblem(message: "\(kind) reason must be one of \(names.sorted())"))
            }
            event.reason = reason
            expected.insert("reason")
        default:
            return .failure(SimulationSchemaProblem(message: "unknown kind '\(kind)'"))
        }
        guard Set(object.keys) == expected else {
            return .failure(SimulationSchemaProblem(message: "keys \(object.keys.sorted()) but expected \(expected.sorted())"))
        }
        return .success(event)
    }

    /// "+" and 8–15 digits, the first not 0.
    static func isE164(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count >= 9, bytes.count <= 16, bytes[0] == UInt8(ascii: "+"), bytes[1] != UInt8(ascii: "0") else { return false }
        return bytes.dropFirst().allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }
}

/// Per-business tallies used by the shape tests.
struct SimulationTally {
    var delivered: Set<String> = []
    var blockers: Set<String> = []
    var reporters: Set<String> = []
    var writers: Set<String> = []
    var recipients: Set<String> = []
    var coldRecipients: Set<String> = []
    var businessMessages = 0
    var deliveries = 0
    var reads = 0
    var blockReasons: [String: Int] = [:]

    init(_ events: [SimulationCheckedEvent]) {
        for event in events {
            switch event.kind {
            case "message" where event.dir == "u2b":
                writers.insert(event.user)
            case "message":
                businessMessages += 1
                recipients.insert(event.user)
                if !writers.contains(event.user) { coldRecipients.insert(event.user) }
            case "delivered":
                deliveries += 1
                delivered.insert(event.user)
            case "read":
                reads += 1
            case "block":
                // Only blocks and reports from users the business reached count, as in the analyzer.
                if delivered.contains(event.user) { blockers.insert(event.user) }
                blockReasons[event.reason ?? "", default: 0] += 1
            case "report":
                if delivered.contains(event.user) { reporters.insert(event.user) }
            default:
                break
            }
        }
    }

    /// Blocking users per delivered unique user.
    var blockRate: Double { Double(blockers.count) / Double(max(1, delivered.count)) }
    /// Reporting users per delivered unique user.
    var reportRate: Double { Double(reporters.count) / Double(max(1, delivered.count)) }
    /// Reads per delivery.
    var readRate: Double { Double(reads) / Double(max(1, deliveries)) }
    /// Share of recipients who had never written before their first business message.
    var coldShare: Double { Double(coldRecipients.count) / Double(max(1, recipients.count)) }
}

import Foundation
import Transport

/// Per-business counts read back from the relay's tap (`DIR/relay/tap.jsonl`) — the integrity
/// analyzer's input, in its event schema — so the tables show what the transport side saw, not
/// what the demo believes it did.
struct DemoTapSummary: Sendable {
    /// One business's events.
    struct Row: Sendable {
        /// User → business messages (`dir: u2b`).
        var inbound = 0
        /// Business → user messages (`dir: b2u`).
        var outbound = 0
        /// … of which templates (category marketing, utility or authentication).
        var templates = 0
        /// Outbound messages per category.
        var categories: [String: Int] = [:]
        /// Distinct users it messaged.
        var reach = 0
        /// Delivered receipts about its messages.
        var delivered = 0
        /// Read receipts about its messages.
        var read = 0
        /// Users who blocked it.
        var blocks = 0
        /// Reports against it.
        var reports = 0
    }

    /// Rows by business number.
    private(set) var rows: [PhoneNumber: Row] = [:]
    /// Lines read.
    private(set) var lines = 0
    /// Lines that were not events of the schema.
    private(set) var malformed = 0
    /// Lines about numbers that are not demo businesses.
    private(set) var unattributed = 0
    /// The earliest and the latest event time (`"t"`, ms) of the demo businesses' events: the
    /// event-time span the analyzer saw (nil without events).
    private(set) var timeSpan: ClosedRange<Int64>?

    /// Reads `path`; counts only events about `businesses`.
    init(path: String, businesses: [PhoneNumber]) throws(DemoError) {
        let bytes: [UInt8]
        do throws(CLIError) {
            bytes = try FileIO.read(path)
        } catch {
            throw DemoError("cannot read the relay's tap: \(error)")
        }
        let known = Set(businesses)
        var reached: [PhoneNumber: Set<String>] = [:]
        for (_, range) in Lines(bytes: bytes) where !range.isEmpty {
            lines += 1
            guard let object = try? JSONSerialization.jsonObject(with: Data(bytes[range])) as? [String: Any],
                  let kind = object["kind"] as? String, let businessText = object["business"] as? String,
                  let business = PhoneNumber(businessText), let user = object["user"] as? String
            else {
                malformed += 1
                continue
            }
            guard known.contains(business) else {
                unattributed += 1
                continue
            }
            if let time = (object["t"] as? NSNumber)?.int64Value {
                timeSpan = timeSpan.map { min($0.lowerBound, time)...max($0.upperBound, time) } ?? time...time
            }
            var row = rows[business] ?? Row()
            switch kind {
            case "message" where object["dir"] as? String == "u2b":
                row.inbound += 1
            case "message":
                row.outbound += 1
                let category = object["category"] as? String ?? "service"
                row.categories[category, default: 0] += 1
                if category != "service" { row.templates += 1 }
                reached[business, default: []].insert(user)
            case "delivered": row.delivered += 1
            case "read": row.read += 1
            case "block": row.blocks += 1
            case "report": row.reports += 1
            default: malformed += 1
            }
            rows[business] = row
        }
        for (business, users) in reached { rows[business, default: Row()].reach = users.count }
    }

    /// Seconds of event time between the first and the last event (0 without events).
    var spanSeconds: Double { timeSpan.map { Double($0.upperBound - $0.lowerBound) / 1000 } ?? 0 }

    /// The row of `business` (zeros if it had no events).
    func row(_ business: PhoneNumber) -> Row { rows[business] ?? Row() }

    /// Every row summed.
    var total: Row {
        rows.values.reduce(into: Row()) { sum, row in
            sum.inbound += row.inbound
            sum.outbound += row.outbound
            sum.templates += row.templates
            sum.reach += row.reach
            sum.delivered += row.delivered
            sum.read += row.read
            sum.blocks += row.blocks
            sum.reports += row.reports
            sum.categories.merge(row.categories, uniquingKeysWith: +)
        }
    }
}

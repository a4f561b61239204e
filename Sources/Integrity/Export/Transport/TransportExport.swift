public import Storage
import Transport

/// Raw, mergeable statistics for the transport audience only: per cell, exact counters and
/// DataSketches images (HLL_8 of user pseudonyms and of business numbers, KLL floats of sizes and
/// latencies). Shards that pseudonymize under the same key produce exports whose
/// ``merged(_:)`` equals the export of the union: counters add exactly, HLL registers take the
/// maximum, KLL sketches merge within their rank error.
///
/// Never for the platform audience — a pseudonym HLL is not non-identifying.
public struct TransportExport: Sendable {
    /// The format tag written in the metadata.
    public static let format = "vigil-transport-export/1"

    /// The first and last UTC day covered.
    public var days: ClosedRange<UTCDay>
    /// How many shard exports were merged into this one (1 for a fresh export).
    public var shards: Int
    /// The cells, with their state.
    public var cells: [StatisticsCell: SketchCell]

    /// Creates an export from its parts.
    public init(days: ClosedRange<UTCDay>, shards: Int, cells: [StatisticsCell: SketchCell]) {
        self.days = days
        self.shards = shards
        self.cells = cells
    }

    /// The aggregator's sketches for the cells of `days`.
    public init(from aggregator: StatisticsAggregator, days: ClosedRange<UTCDay>) {
        self.init(days: days, shards: 1, cells: aggregator.sketches.filter { days.contains($0.key.day) })
    }

    /// The union of shard exports: days widen to cover all, cells merge cell by cell.
    /// - Throws: ``ExportError/malformedTransportExport(_:)`` for an empty list.
    public static func merged(_ exports: [TransportExport]) throws(ExportError) -> TransportExport {
        guard var result = exports.first else { throw .malformedTransportExport("nothing to merge") }
        for export in exports.dropFirst() {
            result.days = min(result.days.lowerBound, export.days.lowerBound)...max(result.days.upperBound, export.days.upperBound)
            result.shards += export.shards
            for (cell, state) in export.cells {
                if let existing = result.cells[cell] {
                    result.cells[cell] = try existing.merged(with: state)
                } else {
                    result.cells[cell] = state
                }
            }
        }
        return result
    }

    /// The export as JSON: metadata, then one object per cell with counters, sketch images in
    /// base64 and the sketches' estimates (for people; merges use the images).
    public func json() -> String {
        var metadata = JSONText()
        metadata.string("audience", "transport")
        metadata.string("format", Self.format)
        metadata.string("from", days.lowerBound.description)
        metadata.string("to", days.upperBound.description)
        metadata.integer("shards", shards)
        metadata.string("warning", "raw sketches of pseudonyms: transport audience only, never for the platform")
        let items = cells.keys.sorted().compactMap { cell -> String? in
            guard let state = cells[cell] else { return nil }
            var object = JSONText()
            object.string("day", cell.day.description)
            object.string("dimension", cell.dimension.description)
            object.string("value", cell.valueName)
            object.integer("sent", state.sent)
            object.integer("delivered", state.delivered)
            object.integer("read", state.read)
            var blocks = JSONText()
            for (reason, count) in zip(BlockReason.allCases, state.blocks) { blocks.integer(reason.description, count) }
            object.object("blocks", blocks)
            var reports = JSONText()
            for (reason, count) in zip(ReportReason.allCases, state.reports) { reports.integer(reason.description, count) }
            object.object("reports", reports)
            object.number("users_estimate", state.users.estimate)
            object.number("businesses_estimate", state.businesses.estimate)
            object.string("users_hll", Base64.encode(state.users.serialized()))
            object.string("businesses_hll", Base64.encode(state.businesses.serialized()))
            object.string("size_kll", Base64.encode(state.sizes.serialized()))
            object.string("latency_kll", Base64.encode(state.latencies.serialized()))
            return object.text
        }
        return "{\"metadata\":" + metadata.text + ",\"cells\":" + JSONText.array(items) + "}\n"
    }
}

import Foundation
import Storage

/// The export stage of `vigil demo`: the relay's tap becomes what may leave the transport — the
/// platform's DP release (discrete Laplace, k = 50, charged to a ledger) and billing per business —
/// and what may not: the transport audience's DataSketches images for merging shards.
struct DemoExport: DemoExportStage {
    /// The release spends each day's whole budget (`vigil export`'s default `--budget-epsilon` is 3):
    /// 2 000 users spread over a simulated week are a few hundred per UTC day, and at ε 1 a cell
    /// needs ~1 100 noisy users to pass the (ε, δ) threshold, at ε 3 ~370.
    static let epsilon = 3

    func export(tapPath: String, eventTime: ClosedRange<Int64>?, into directory: String) throws(DemoError) -> DemoExportResult {
        // Every UTC day the tap covers: under `--speed` event time runs days ahead of the clock.
        let today = UTCDay(secondsSince1970: Int64(Date().timeIntervalSince1970))
        let first = eventTime.map { UTCDay(secondsSince1970: $0.lowerBound / 1000) } ?? today
        let last = eventTime.map { UTCDay(secondsSince1970: $0.upperBound / 1000) } ?? today
        let platform = directory + "/platform-release.json", billing = directory + "/billing.csv"
        let transport = directory + "/transport-sketches.json"
        let common = ["--events", tapPath, "--from", first.description, "--to", last.description, "--quiet"]
        try run(common + ["--audience", "platform", "--out", platform, "--ledger", directory + "/ledger.sqlite",
                          "--epsilon", String(Self.epsilon), "--billing", billing, "--format", "json"])
        try run(common + ["--audience", "transport", "--out", transport])
        var summary = "platform release (ε \(Self.epsilon), k 50, discrete Laplace)"
        if let data = FileManager.default.contents(atPath: platform),
           let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
           let metadata = object["metadata"] as? [String: Any] {
            summary += ": \(metadata["released_cells"] ?? "?") cells released, \(metadata["suppressed_cells"] ?? "?") suppressed"
            // Small populations spread over simulated days rarely pass: say what a cell needs.
            if let tau = metadata["tau"] { summary += " (a cell needs ≥ \(tau) noisy users in one UTC day)" }
        }
        summary += "; billing per business; transport sketches (not for the platform)"
        return DemoExportResult(paths: [platform, billing, transport], summary: summary)
    }

    private func run(_ arguments: [String]) throws(DemoError) {
        var parsed = Arguments(arguments)
        do {
            let options = try ExportOptions(parsing: &parsed)
            try parsed.finish()
            try ExportRun(options: options).run()
        } catch {
            throw DemoError("export: \(error)")
        }
    }
}

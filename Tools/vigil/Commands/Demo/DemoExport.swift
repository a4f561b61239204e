import Foundation
import Storage

/// The export stage of `vigil demo`: the relay's tap becomes what may leave the transport — the
/// platform's DP release (discrete Laplace, k = 50, charged to a ledger) and billing per business —
/// and what may not: the transport audience's DataSketches images for merging shards.
struct DemoExport: DemoExportStage {
    func export(tapPath: String, into directory: String) throws(DemoError) -> DemoExportResult {
        let today = UTCDay(secondsSince1970: Int64(Date().timeIntervalSince1970))
        let platform = directory + "/platform-release.json", billing = directory + "/billing.csv"
        let transport = directory + "/transport-sketches.json"
        let common = ["--events", tapPath, "--from", today.advanced(by: -1).description, "--to", today.description, "--quiet"]
        try run(common + ["--audience", "platform", "--out", platform, "--ledger", directory + "/ledger.sqlite",
                          "--epsilon", "1", "--billing", billing, "--format", "json"])
        try run(common + ["--audience", "transport", "--out", transport])
        var summary = "platform release (ε 1, k 50, discrete Laplace)"
        if let data = FileManager.default.contents(atPath: platform),
           let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
           let metadata = object["metadata"] as? [String: Any] {
            summary += ": \(metadata["released_cells"] ?? "?") cells released, \(metadata["suppressed_cells"] ?? "?") suppressed"
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

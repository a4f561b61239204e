/// How `vigil audit` prints its findings: the checks, then the seed's visibility table with, for
/// each row, where the data lives in Vigil and which check is the evidence.
enum AuditReport {
    /// One row of the seed's visibility table.
    struct VisibilityRow {
        let data: String
        let heldBy: String
        let platform: String
        let transport: String
        /// The checks that back the row (names).
        let evidence: [String]
    }

    static let visibility: [VisibilityRow] = [
        VisibilityRow(data: "Message content", heldBy: "Cloud API store (encrypted at rest, ≤ 30 days), the business's webhook",
                      platform: "no", transport: "no — relay and analyzer hold ciphertext only; Crypto is not linked into them",
                      evidence: ["module-rule", "content/transport-files", "content/transport-memory", "content/cloudapi-store", "control/scanner"]),
        VisibilityRow(data: "Consumer phone number", heldBy: "Cloud API (delivery), relay queue (routing)",
                      platform: "no", transport: "yes — pseudonymized at Integrity's door (keyed PRF, key destroyed after 30 days)",
                      evidence: ["numbers/integrity", "control/numbers"]),
        VisibilityRow(data: "Non-identifiable statistics", heldBy: "export (DP noise, k-threshold, budget ledger)",
                      platform: "yes", transport: "yes", evidence: ["numbers/integrity"]),
        VisibilityRow(data: "Integrity signals per business", heldBy: "Integrity (analyzer state, snapshots, /v1/signals)",
                      platform: "no", transport: "yes", evidence: ["permissions"]),
        VisibilityRow(data: "Business information", heldBy: "Cloud API business registry, relay directory",
                      platform: "yes", transport: "yes", evidence: []),
        VisibilityRow(data: "Billing per business", heldBy: "transport counters → billing export",
                      platform: "yes", transport: "yes", evidence: []),
    ]

    static func text(_ checks: [AuditCheck], directory: String, demo: Bool) -> String {
        var lines = ["vigil audit of \(directory)\(demo ? " (a demo run)" : "")", ""]
        let width = checks.map(\.name.count).max() ?? 0
        for check in checks {
            lines.append("\(check.verdict.rawValue)  \(check.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(check.evidence)")
        }
        lines += ["", "Visibility (the seed's table; evidence = the checks above):", ""]
        lines.append("| Data | Held by in Vigil | Rest of the platform | Transport / integrity | Evidence |")
        lines.append("| --- | --- | --- | --- | --- |")
        let verdicts = Dictionary(checks.map { ($0.name, $0.verdict.rawValue) }, uniquingKeysWith: { first, _ in first })
        for row in visibility {
            let evidence = row.evidence.map { "\($0) \(verdicts[$0] ?? "—")" }.joined(separator: ", ")
            lines.append("| \(row.data) | \(row.heldBy) | \(row.platform) | \(row.transport) | \(evidence.isEmpty ? "by design" : evidence) |")
        }
        let failed = checks.filter { $0.verdict == .fail }.count
        lines += ["", failed == 0 ? "verdict: PASS (\(checks.filter { $0.verdict == .pass }.count) checks passed, \(checks.filter { $0.verdict == .skip }.count) skipped)"
                                 : "verdict: FAIL (\(failed) violations)"]
        return lines.joined(separator: "\n")
    }

    static func json(_ checks: [AuditCheck], directory: String) -> String {
        let items = checks.map { check -> String in
            var object = JSONObject()
            object.set("name", check.name)
            object.set("verdict", check.verdict.rawValue.lowercased())
            object.set("evidence", check.evidence)
            return object.text
        }
        var head = JSONObject()
        head.set("directory", directory)
        head.set("pass", !checks.contains { $0.verdict == .fail })
        return String(head.text.dropLast()) + ",\"checks\":[" + items.joined(separator: ",") + "]}"
    }
}

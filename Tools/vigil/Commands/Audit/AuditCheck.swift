/// One audit finding: a named check, its verdict and the evidence behind it.
struct AuditCheck: Sendable {
    /// The verdict.
    enum Verdict: String, Sendable {
        /// Checked and holds.
        case pass = "PASS"
        /// Checked and violated.
        case fail = "FAIL"
        /// Not applicable to this directory (said why in the evidence).
        case skip = "SKIP"
    }

    /// Short stable name (`module-rule`, `content/transport-files`, …).
    let name: String
    /// The verdict.
    let verdict: Verdict
    /// What was looked at and what was found.
    let evidence: String

    static func pass(_ name: String, _ evidence: String) -> AuditCheck { AuditCheck(name: name, verdict: .pass, evidence: evidence) }
    static func fail(_ name: String, _ evidence: String) -> AuditCheck { AuditCheck(name: name, verdict: .fail, evidence: evidence) }
    static func skip(_ name: String, _ evidence: String) -> AuditCheck { AuditCheck(name: name, verdict: .skip, evidence: evidence) }

    /// Pass when `condition`, else fail — same evidence.
    static func expect(_ condition: Bool, _ name: String, _ evidence: String) -> AuditCheck {
        AuditCheck(name: name, verdict: condition ? .pass : .fail, evidence: evidence)
    }
}

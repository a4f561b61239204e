/// The demo's final report for people: the per-business table (from the relay's tap, the
/// webhooks and the Graph API answers), the Cloud API's and the webhooks' counts, the checks,
/// the audit and the verdict.
enum DemoReport {
    /// The whole report.
    static func text(_ outcome: DemoOutcome) -> String {
        var out = ""
        let integrity = outcome.integrity
        let business = outcome.business
        out += "\nper business — from the relay's tap (the integrity analyzer's input), the webhooks and the Graph API's answers\n"
        var headers = ["#", "business", "role", "in", "out", "tmpl", "reach", "deliv", "read", "blocks", "reports", "webhooks", "refused"]
        if integrity != nil { headers += ["quality", "tier", "status", "alerts"] }
        var rows: [[String]] = []
        for plan in outcome.scenario.businesses {
            let tap = outcome.tap.row(plan.phone)
            let receiver = business.receivers.indices.contains(plan.index) ? business.receivers[plan.index] : DemoWebhookCounters()
            let driver = business.drivers.indices.contains(plan.index) ? business.drivers[plan.index] : DemoDriverCounters()
            var row = [
                String(plan.index + 1), plan.name, plan.role.title + (plan.role.isAbusive ? " *" : ""),
                String(tap.inbound), String(tap.outbound), String(tap.templates), String(tap.reach), String(tap.delivered),
                String(tap.read), String(tap.blocks), String(tap.reports), String(receiver.messages + receiver.statusCount),
                refusals(driver.refused),
            ]
            if let integrity {
                let analysis = integrity.rows.indices.contains(plan.index) ? integrity.rows[plan.index] : nil
                let alerts = integrity.alerts.filter { $0.business == plan.index }.count
                row += [analysis?.quality ?? "-", analysis?.tier ?? "-", analysis?.status ?? "-", String(alerts)]
            }
            rows.append(row)
        }
        let total = outcome.tap.total
        var totals = ["", "all", "", String(total.inbound), String(total.outbound), String(total.templates), "", String(total.delivered),
                      String(total.read), String(total.blocks), String(total.reports),
                      String(business.webhookMessages + business.webhookStatuses), refusals(allRefusals(business))]
        if integrity != nil { totals += ["", "", "", String(integrity?.alerts.count ?? 0)] }
        rows.append(totals)
        out += table(headers: headers, rows: rows, leftAligned: [1, 2, 12])
        out += "  in/out: messages user→business / business→user; tmpl: templates; reach: users messaged; deliv/read: receipts;\n"
        out += "  webhooks: notifications received (messages and statuses); refused: Graph error code × count; * abusive by design\n"
        out += "  " + eventTimeLine(outcome) + "\n"

        if let integrity {
            let active = integrity.alerts.filter(\.active).count
            out += "\nalerts that fired (\(integrity.alerts.count), \(active) still firing at the end)\n"
            for alert in integrity.alerts {
                let name = outcome.scenario.businesses.indices.contains(alert.business) ? outcome.scenario.businesses[alert.business].name : "?"
                out += "  [\(alert.severity)] \(name): \(alert.rule) — \(alert.reason)\(alert.active ? "" : " (resolved)")\n"
            }
        } else {
            out += "\nintegrity analyzer: not linked yet. Its input, \(outcome.dataDirectory)/relay/tap.jsonl (\(outcome.tap.lines) events), is what the\n"
            out += "  table above counts; quality rating, tier and alerts appear here once DemoStages.integrity() returns its stage.\n"
        }

        let phones = outcome.phones
        if let endpoint = outcome.endpoint {
            out += "\nCloud API endpoint: \(endpoint.inbound) messages in (decrypted, stored encrypted, sent to webhooks), \(endpoint.outbound) out "
            out += "(encrypted per user), \(endpoint.refused) refused; webhooks \(endpoint.webhooksDelivered) delivered, \(endpoint.webhookFailures) failed attempts\n"
        }
        if let error = outcome.endpointLastError { out += "  (its last error: \(error))\n" }
        let statuses = business.receivers.reduce(into: [String: Int]()) { $0.merge($1.statuses, uniquingKeysWith: +) }
        let verified = business.receivers.filter { $0.verifications > 0 }.count
        let badSignatures = business.receivers.reduce(0) { $0 + $1.badSignatures }
        out += "webhook receivers: \(verified)/\(business.receivers.count) verified by the GET handshake; \(business.webhookMessages) messages; statuses "
        out += ["sent", "delivered", "read", "failed"].map { "\($0) \(statuses[$0] ?? 0)" }.joined(separator: ", ")
        out += "; signatures checked on every POST: \(badSignatures) refused with 401 (\(business.probesRejected) of \(business.probesSent) forged probes, "
        out += "\(max(0, badSignatures - business.probesSent)) from the Cloud API)\n"
        out += "phones: \(phones.phones) registered; \(phones.writesAccepted) messages written to businesses; \(phones.receivedTexts) texts and "
        out += "\(phones.receivedTemplates) templates decrypted; \(phones.deliveredReceipts) delivered and \(phones.readReceipts) read receipts; "
        out += "\(phones.blockedPairs.count) blocks, \(phones.reportsByBusiness.values.reduce(0, +)) reports\n"

        let checks = outcome.checks
        out += "\nchecks\n"
        out += "  user messages accepted by the relay = messages in the webhooks: \(phones.writesAccepted) = \(business.webhookMessages)\n"
        out += "  templates accepted by the Graph API = decrypted on phones + dropped by the relay (recipient had blocked): "
        out += "\(checks.templates.accepted) = \(checks.templates.delivered) + \(checks.templates.dropped)"
        out += checks.templates.missing == 0 ? "\n" : " (\(checks.templates.missing) unaccounted)\n"
        out += "  texts likewise: \(checks.texts.accepted) = \(checks.texts.delivered) + \(checks.texts.dropped)"
        out += checks.texts.missing == 0 ? "\n" : " (\(checks.texts.missing) unaccounted)\n"
        out += "  tap lines = what the demo sent: \(outcome.tap.total.inbound) u2b, \(outcome.tap.total.outbound) b2u\n"
        for violation in checks.violations { out += "  ✗ \(violation)\n" }
        for warning in checks.warnings { out += "  ⚠ \(warning)\n" }
        if checks.violations.isEmpty { out += "  no violations\n" }

        out += auditText(outcome)

        if let export = outcome.export {
            out += "\nanonymized export: \(export.summary)\n"
            for path in export.paths { out += "  \(path)\n" }
        } else {
            out += "\nanonymized export: not linked yet (DemoStages.export())\n"
        }
        out += "\ndata: \(outcome.dataDirectory)\(outcome.kept ? "" : " (removed; --keep keeps it)")\n"
        let violations = outcome.violations
        if violations.isEmpty {
            out += "verdict: PASS — the transport side held no content (0 canary hits in its memory and files), the Cloud API's files hold it only encrypted, and every message is accounted for\n"
        } else {
            out += "verdict: FAIL — \(violations.count) violation(s):\n"
            for violation in violations { out += "  ✗ \(violation)\n" }
        }
        return out
    }

    private static func auditText(_ outcome: DemoOutcome) -> String {
        let audit = outcome.audit
        var out = "\naudit — can the transport side see content? Every plaintext carried the canary vigil-canary-\(outcome.canary.token.prefix(6))…\n"
        var rows: [[String]] = []
        func row(_ label: String, _ target: DemoAudit.Target, control: Bool) {
            rows.append([label, mebibytes(target.scan.bytes), String(target.canaryHits), control ? "\(target.controlsFound)/\(audit.controlTotal)" : ""])
        }
        if let mid = audit.relayMemoryMidTraffic {
            let at = audit.midTrafficAt.map { " at \(Int($0.rounded())) s" } ?? ""
            row("relay process memory mid-traffic\(at) (\(mid.scan.sources) writable regions)", mid, control: true)
        }
        row("relay process memory after the drain (pid \(outcome.relay.pid))", audit.relayMemory, control: true)
        row("relay files while it runs (\(audit.relayFilesLive.scan.sources): queue, -wal, -shm, tap, logs)", audit.relayFilesLive, control: true)
        if let stopped = audit.relayFilesStopped {
            row("relay files after SIGTERM (\(stopped.scan.sources))", stopped, control: true)
        } else {
            rows.append(["relay files after SIGTERM: scanned when --open ends (the last line)", "-", "-", ""])
        }
        row("Cloud API store files while it runs (\(audit.cloudFilesLive.scan.sources))", audit.cloudFilesLive, control: false)
        row("Cloud API store files after it stopped (\(audit.cloudFilesStopped.scan.sources))", audit.cloudFilesStopped, control: false)
        out += table(headers: ["scanned", "bytes", "canary", "control ciphertexts found"], rows: rows, leftAligned: [0], totals: false)
        out += "  required: canary 0 everywhere above; the control messages (queued for an offline phone) prove the scans see the relay's data,\n"
        out += "  as does the first business's number, found \(audit.relayMemory.numberHits)× in the relay's memory — routing metadata it is meant to hold\n"
        out += "  positive controls, where plaintext legitimately is: demo process memory \(audit.demoMemory.canaryHits) hits "
        out += "(\(mebibytes(audit.demoMemory.scan.bytes))), the businesses' transcript \(audit.transcript.canaryHits), "
        out += "\(outcome.phones.canaryPlaintexts) plaintexts decrypted on phones, \(outcome.business.receivers.reduce(0) { $0 + $1.canaryMessages }) webhook messages\n"
        out += audit.relayFilesStopped == nil ? "  relay child: \(outcome.relay.exit)\n" : "  relay child: \(outcome.relay.exit) after SIGTERM\n"
        return out
    }

    /// "event time: 7 d 0 h simulated in 60 s of traffic (--speed 10080); the tap's events span …".
    static func eventTimeLine(_ outcome: DemoOutcome) -> String {
        let options = outcome.options
        let simulated = span(seconds: options.simulatedSeconds)
        let traffic = "\(number(options.duration)) s of traffic"
        let tap = "the tap's events span \(span(seconds: outcome.tap.spanSeconds))"
        guard options.speed > 1 else { return "event time: real time (--speed 1), \(traffic); \(tap)" }
        return "event time: \(simulated) simulated in \(traffic) (--speed \(number(options.speed))); \(tap), the drain at wall speed"
    }

    // MARK: Formatting

    /// A duration for people: "7 d 0 h", "5 h 12 min", "3 min 20 s", "12 s".
    static func span(seconds: Double) -> String {
        let total = Int(seconds.rounded())
        let (days, hours, minutes, rest) = (total / 86_400, total / 3_600 % 24, total / 60 % 60, total % 60)
        if days > 0 { return "\(days) d \(hours) h" }
        if hours > 0 { return "\(hours) h \(minutes) min" }
        if minutes > 0 { return "\(minutes) min \(rest) s" }
        return "\(rest) s"
    }

    /// `value` without a fraction when it is whole ("10080", "2.5").
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    private static func refusals(_ counts: [Int: Int]) -> String {
        counts.isEmpty ? "-" : counts.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: " ")
    }

    private static func allRefusals(_ business: DemoBusinessSnapshot) -> [Int: Int] {
        business.drivers.reduce(into: [Int: Int]()) { $0.merge($1.refused, uniquingKeysWith: +) }
    }

    /// `bytes` in MiB with one decimal.
    static func mebibytes(_ bytes: Int) -> String {
        let tenths = (bytes * 10 + (1 << 19)) >> 20
        return "\(tenths / 10).\(tenths % 10) MiB"
    }

    /// `text` padded with spaces to `width`.
    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    /// `text` right-aligned in `width`.
    private static func padLeft(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }

    /// Columns sized to their widest cell; numbers right-aligned, `leftAligned` columns left;
    /// with `totals`, the last row is set off as a total.
    private static func table(headers: [String], rows: [[String]], leftAligned: Set<Int>, totals: Bool = true) -> String {
        let widths = headers.indices.map { column in
            ([headers[column]] + rows.map { column < $0.count ? $0[column] : "" }).map(\.count).max() ?? 0
        }
        func render(_ cells: [String]) -> String {
            let text = cells.enumerated().map { column, cell in
                leftAligned.contains(column) ? pad(cell, widths[column]) : padLeft(cell, widths[column])
            }.joined(separator: "  ")
            return "  " + String(text.reversed().drop(while: { $0 == " " }).reversed()) + "\n"
        }
        var out = render(headers)
        out += "  " + String(repeating: "─", count: widths.reduce(0, +) + 2 * (widths.count - 1)) + "\n"
        for (index, row) in rows.enumerated() {
            if totals, index == rows.count - 1 { out += "  " + String(repeating: "─", count: widths.reduce(0, +) + 2 * (widths.count - 1)) + "\n" }
            out += render(row)
        }
        return out
    }
}

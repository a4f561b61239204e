import CloudAPI
import Transport

/// Everything a finished run gathered, from which the report and the JSON summary are written.
struct DemoOutcome {
    /// The options it ran with.
    let options: DemoOptions
    /// Its plan.
    let scenario: DemoScenario
    /// Its canary.
    let canary: DemoCanary
    /// Where its data is.
    let dataDirectory: String
    /// Whether the data directory is kept.
    let kept: Bool
    /// The phones' counters, summed.
    let phones: DemoPhoneCounters
    /// The business side's counters.
    let business: DemoBusinessSnapshot
    /// The Cloud API endpoint's counters.
    let endpoint: EndpointStatistics?
    /// Its last error that was not a client's fault.
    let endpointLastError: String?
    /// What the relay's tap says.
    let tap: DemoTapSummary
    /// The visibility audit.
    let audit: DemoAudit
    /// The integrity analyzer's result, once a stage is linked (``DemoStages``).
    let integrity: DemoIntegrityResult?
    /// The export's result, once a stage is linked.
    let export: DemoExportResult?
    /// Phase durations.
    let timings: DemoTimings
    /// The relay child's pid and how it ended.
    let relay: (pid: Int32, exit: String)
    /// Whether every message and notification settled before the audit.
    let drained: Bool

    /// The consistency checks over the counters.
    var checks: DemoChecks { DemoChecks(self) }

    /// Every violation: consistency, audit, and the stages' own.
    var violations: [String] {
        checks.violations + audit.violations + (integrity?.violations ?? [])
    }
}

/// How long each phase took, in seconds.
struct DemoTimings: Sendable {
    /// Relay child, endpoint, webhook servers, phones registered.
    var setup = 0.0
    /// Traffic.
    var traffic = 0.0
    /// Waiting for messages and notifications to settle.
    var drain = 0.0
    /// Scans, stops and the tap.
    var audit = 0.0
    /// Everything.
    var total = 0.0
}

/// Whether the run's numbers add up: what users sent reached the businesses' webhooks; what
/// businesses sent reached the phones, except what the relay dropped because the user had
/// blocked the sender; the tap agrees with both; nothing failed to decrypt; every forged
/// notification was refused and no genuine one was.
struct DemoChecks {
    /// Texts the Graph API accepted / phones decrypted / dropped for blocks / unaccounted for.
    var texts = (accepted: 0, delivered: 0, dropped: 0, missing: 0)
    /// The same for templates.
    var templates = (accepted: 0, delivered: 0, dropped: 0, missing: 0)
    /// What does not add up.
    var violations: [String] = []
    /// What does not add up but is a known limitation elsewhere, reported without failing.
    var warnings: [String] = []

    init(_ outcome: DemoOutcome) {
        let phones = outcome.phones
        let business = outcome.business
        var accepted: [DemoPair: DemoPairTally] = [:]
        for driver in business.drivers { accepted.merge(driver.acceptedByPair, uniquingKeysWith: { $0.adding($1) }) }
        for pair in Set(accepted.keys).union(phones.receivedByPair.keys) {
            let sent = accepted[pair] ?? DemoPairTally()
            let got = phones.receivedByPair[pair] ?? DemoPairTally()
            let blocked = phones.blockedPairs.contains(pair)
            texts.accepted += sent.texts
            texts.delivered += got.texts
            templates.accepted += sent.templates
            templates.delivered += got.templates
            if blocked, sent.texts >= got.texts, sent.templates >= got.templates {
                texts.dropped += sent.texts - got.texts
                templates.dropped += sent.templates - got.templates
            } else {
                texts.missing += sent.texts - got.texts
                templates.missing += sent.templates - got.templates
            }
        }
        var found: [String] = []
        if !outcome.drained { found.append("messages or notifications were still in flight when the drain timed out") }
        let webhookMessages = business.webhookMessages
        if phones.writesAccepted != webhookMessages {
            found.append("users' messages accepted by the relay (\(phones.writesAccepted)) ≠ messages in the businesses' webhooks (\(webhookMessages))")
        }
        if texts.missing != 0 || templates.missing != 0 {
            found.append("business messages unaccounted for: \(texts.missing) texts, \(templates.missing) templates (accepted but neither decrypted nor dropped for a block; negative: decrypted but never accepted)")
        }
        let tap = outcome.tap.total
        if tap.inbound != phones.writesAccepted {
            found.append("the tap's user→business lines (\(tap.inbound)) ≠ users' messages accepted (\(phones.writesAccepted))")
        }
        if tap.outbound != business.accepted {
            found.append("the tap's business→user lines (\(tap.outbound)) ≠ Graph sends accepted (\(business.accepted))")
        }
        if outcome.tap.malformed > 0 { found.append("\(outcome.tap.malformed) tap lines are not events of the schema") }
        if phones.undecryptable > 0 { found.append("\(phones.undecryptable) envelopes did not decrypt on phones") }
        if let endpoint = outcome.endpoint, endpoint.undecryptable > 0 {
            found.append("\(endpoint.undecryptable) envelopes did not decrypt at the Cloud API")
        }
        if phones.linkFailures > 0 { found.append("\(phones.linkFailures) phone links failed (last error: \(phones.lastError ?? "-"))") }
        if phones.writesFailed > 0 { found.append("\(phones.writesFailed) user messages were refused (last error: \(phones.lastError ?? "-"))") }
        let transportFailures = business.drivers.reduce(0) { $0 + $1.transportFailures }
        if transportFailures > 0 {
            found.append("\(transportFailures) Graph API requests got no answer (last: \(business.drivers.compactMap(\.lastError).last ?? "-"))")
        }
        let badSignatures = business.receivers.reduce(0) { $0 + $1.badSignatures }
        if business.probesRejected != business.probesSent {
            found.append("only \(business.probesRejected) of \(business.probesSent) forged webhook POSTs were refused with 401")
        }
        if badSignatures > business.probesSent {
            found.append("\(badSignatures - business.probesSent) webhook POSTs from the Cloud API failed signature verification")
        }
        let verified = business.receivers.filter { $0.verifications > 0 }.count
        if verified < business.receivers.count { found.append("only \(verified) of \(business.receivers.count) webhooks were verified") }
        if business.sentStatuses != business.accepted {
            found.append("`sent` statuses (\(business.sentStatuses)) ≠ Graph sends accepted (\(business.accepted))")
        }
        // Every receipt a phone sent becomes exactly one `delivered` / `read` status webhook.
        let statuses = business.receivers.reduce(into: [String: Int]()) { $0.merge($1.statuses, uniquingKeysWith: +) }
        for (kind, sent) in [("delivered", phones.deliveredReceipts), ("read", phones.readReceipts)] where statuses[kind, default: 0] != sent {
            found.append("`\(kind)` statuses \(statuses[kind, default: 0]) ≠ \(kind) receipts sent by phones \(sent)")
        }
        violations = found
    }
}

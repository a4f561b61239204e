extension DemoReport {
    /// The summary as one JSON object (`vigil demo --json`).
    static func json(_ outcome: DemoOutcome) -> String {
        let phones = outcome.phones
        let business = outcome.business
        let checks = outcome.checks
        let audit = outcome.audit
        let statuses = business.receivers.reduce(into: [String: Int]()) { $0.merge($1.statuses, uniquingKeysWith: +) }
        let refused = business.drivers.reduce(into: [Int: Int]()) { $0.merge($1.refused, uniquingKeysWith: +) }
        let tap = outcome.tap.total
        let timings = outcome.timings
        let traffic = DemoJSON.fields([
            "user_messages_sent": .int(phones.writesAccepted),
            "user_messages_failed": .int(phones.writesFailed),
            "webhook_messages": .int(business.webhookMessages),
            "graph_accepted": .int(business.accepted),
            "texts_accepted": .int(checks.texts.accepted),
            "texts_delivered": .int(checks.texts.delivered),
            "texts_dropped_blocked": .int(checks.texts.dropped),
            "texts_missing": .int(checks.texts.missing),
            "templates_accepted": .int(checks.templates.accepted),
            "templates_delivered": .int(checks.templates.delivered),
            "templates_dropped_blocked": .int(checks.templates.dropped),
            "templates_missing": .int(checks.templates.missing),
            "graph_refused": .counts(refused),
            "delivered_receipts": .int(phones.deliveredReceipts),
            "read_receipts": .int(phones.readReceipts),
            "blocks": .int(phones.blockedPairs.count),
            "reports": .int(phones.reportsByBusiness.values.reduce(0, +)),
            "undecryptable": .int(phones.undecryptable),
            "webhook_statuses": .counts(statuses),
            "webhook_verifications": .int(business.receivers.reduce(0) { $0 + $1.verifications }),
            "bad_signatures": .int(business.receivers.reduce(0) { $0 + $1.badSignatures }),
            "forged_probes": .int(business.probesSent),
            "forged_rejected": .int(business.probesRejected),
        ])
        let businesses = DemoJSON.array(outcome.scenario.businesses.map { plan in
            let row = outcome.tap.row(plan.phone)
            let receiver = business.receivers.indices.contains(plan.index) ? business.receivers[plan.index] : DemoWebhookCounters()
            let driver = business.drivers.indices.contains(plan.index) ? business.drivers[plan.index] : DemoDriverCounters()
            let analysis = outcome.integrity.flatMap { $0.rows.indices.contains(plan.index) ? $0.rows[plan.index] : nil }
            return .fields([
                "index": .int(plan.index + 1), "name": .string(plan.name), "phone": .string(plan.phone.e164),
                "role": .string(plan.role.rawValue), "abusive": .bool(plan.role.isAbusive),
                "in": .int(row.inbound), "out": .int(row.outbound), "templates": .int(row.templates), "reach": .int(row.reach),
                "delivered": .int(row.delivered), "read": .int(row.read), "blocks": .int(row.blocks), "reports": .int(row.reports),
                "webhook_messages": .int(receiver.messages), "webhook_statuses": .int(receiver.statusCount),
                "graph_accepted": .int(driver.accepted), "graph_refused": .counts(driver.refused),
                "quality": analysis.map { .string($0.quality) } ?? .null, "tier": analysis.map { .string($0.tier) } ?? .null,
                "status": analysis.map { .string($0.status) } ?? .null,
            ])
        })
        func target(_ target: DemoAudit.Target, control: Bool) -> DemoJSON {
            var fields: [(String, DemoJSON)] = [
                ("sources", .int(target.scan.sources)), ("bytes", .int(target.scan.bytes)), ("hits", .int(target.canaryHits)),
            ]
            if control { fields.append(("control_found", .int(target.controlsFound))) }
            return .object(fields)
        }
        let auditJSON = DemoJSON.fields([
            "relay_memory_mid_traffic": audit.relayMemoryMidTraffic.map { target($0, control: true) } ?? .null,
            "relay_memory": target(audit.relayMemory, control: true),
            "relay_memory_business_number_hits": .int(audit.relayMemory.numberHits),
            "relay_files_live": target(audit.relayFilesLive, control: true),
            "relay_files_stopped": audit.relayFilesStopped.map { target($0, control: true) } ?? .null,
            "cloudapi_files_live": target(audit.cloudFilesLive, control: false),
            "cloudapi_files_stopped": target(audit.cloudFilesStopped, control: false),
            "control_total": .int(audit.controlTotal),
            "transport_hits": .int(audit.forbiddenHits),
            "positive_control": .fields([
                "demo_memory_hits": .int(audit.demoMemory.canaryHits),
                "transcript_hits": .int(audit.transcript.canaryHits),
                "phone_plaintexts": .int(phones.canaryPlaintexts),
                "webhook_messages": .int(business.receivers.reduce(0) { $0 + $1.canaryMessages }),
                "total": .int(audit.positiveHits),
            ]),
            "violations": .array(audit.violations.map(DemoJSON.string)),
        ])
        let integrity: DemoJSON = outcome.integrity.map { result in
            .fields([
                "alerts": .array(result.alerts.map { alert in
                    .fields(["business": .int(alert.business + 1), "severity": .string(alert.severity), "rule": .string(alert.rule), "reason": .string(alert.reason),
                             "active": .bool(alert.active)])
                }),
                "violations": .array(result.violations.map(DemoJSON.string)),
            ])
        } ?? .null
        let export: DemoJSON = outcome.export.map { .fields(["paths": .array($0.paths.map(DemoJSON.string)), "summary": .string($0.summary)]) } ?? .null
        let violations = outcome.violations
        return DemoJSON.fields([
            "seed": .string(String(outcome.scenario.seed)), "users": .int(outcome.scenario.users.count),
            "businesses": .int(outcome.scenario.businesses.count), "duration_s": .double(outcome.scenario.duration),
            "event_time": .fields([
                "speed": .double(outcome.options.speed), "simulated_s": .double(outcome.options.simulatedSeconds),
                "tap_span_s": .double(outcome.tap.spanSeconds),
            ]),
            "data": .string(outcome.dataDirectory), "kept": .bool(outcome.kept),
            "timings_s": .fields([
                "setup": .double(timings.setup), "traffic": .double(timings.traffic), "drain": .double(timings.drain),
                "audit": .double(timings.audit), "total": .double(timings.total),
            ]),
            "traffic": traffic,
            "tap": .fields([
                "lines": .int(outcome.tap.lines), "u2b": .int(tap.inbound), "b2u": .int(tap.outbound), "templates": .int(tap.templates),
                "delivered": .int(tap.delivered), "read": .int(tap.read), "blocks": .int(tap.blocks), "reports": .int(tap.reports),
                "malformed": .int(outcome.tap.malformed),
            ]),
            "cloudapi": outcome.endpoint.map { endpoint in
                .fields([
                    "inbound": .int(endpoint.inbound), "outbound": .int(endpoint.outbound), "refused": .int(endpoint.refused),
                    "webhooks_delivered": .int(endpoint.webhooksDelivered), "webhook_failures": .int(endpoint.webhookFailures),
                    "undecryptable": .int(endpoint.undecryptable), "duplicates": .int(endpoint.duplicates),
                    "last_error": outcome.endpointLastError.map(DemoJSON.string) ?? .null,
                ])
            } ?? .null,
            "businesses_detail": businesses,
            "checks": .fields([
                "violations": .array(checks.violations.map(DemoJSON.string)), "warnings": .array(checks.warnings.map(DemoJSON.string)),
            ]),
            "audit": auditJSON,
            "integrity": integrity,
            "export": export,
            "relay": .fields(["pid": .int(Int(outcome.relay.pid)), "exit": .string(outcome.relay.exit)]),
            "violations": .array(violations.map(DemoJSON.string)),
            "verdict": .string(violations.isEmpty ? "pass" : "fail"),
        ]).text
    }
}

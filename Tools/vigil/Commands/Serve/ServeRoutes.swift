import Integrity
import Transport

/// The HTTP API of `vigil serve` on the analyzer's loop. Every route but `/healthz` needs the
/// Bearer token (`--token-file`).
enum ServeRoutes {
    /// Adds every route to `router`.
    static func register(on router: inout HTTPRouter, analyzer: IntegrityAnalyzer, reports: ReportService, eventCounts: EventCountingObserver) {
        router.add(.get, "/healthz") { _, responder in
            responder.respond(.text(.ok, "ok\n"))
        }
        // POST /v1/reports, GET /v1/signals/{business}.
        IntegrityHTTPRoutes.add(to: &router, service: reports)
        router.add(.get, "/metrics") { [weak analyzer, weak reports, weak eventCounts] request, responder in
            guard let analyzer, let reports, let eventCounts else { return responder.respond(.text(.serviceUnavailable, "stopping\n")) }
            guard reports.authorize(request, responder: responder) else { return }
            let intake = reports.intakeStatistics
            let extra = MetricsExtras(
                version: VigilVersion.current, eventCounts: eventCounts.counts, reportsAccepted: intake.accepted,
                reportsRejected: Dictionary(uniqueKeysWithValues: intake.rejected.map { ($0.key.rawValue, $0.value) }))
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "text/plain; version=0.0.4; charset=utf-8")
            responder.respond(HTTPResponse(status: .ok, headers: headers, body: Array(IntegrityMetrics.render(analyzer: analyzer, extra: extra).utf8)))
        }
    }
}

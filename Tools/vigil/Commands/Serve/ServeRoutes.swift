import Integrity
import Transport

/// The HTTP API of `vigil serve` on the analyzer's loop. Every route but `/healthz` needs the
/// Bearer token (`--token-file`).
enum ServeRoutes {
    /// Adds every route to `router`.
    static func register(
        on router: inout HTTPRouter, analyzer: IntegrityAnalyzer, reports: ReportService, eventCounts: EventCountingObserver, alerts: AlertEngine
    ) {
        router.add(.get, "/healthz") { _, responder in
            responder.respond(.text(.ok, "ok\n"))
        }
        // POST /v1/reports, GET /v1/signals/{business}.
        IntegrityHTTPRoutes.add(to: &router, service: reports)
        // GET /v1/alerts[?business=+E164]: the alerts firing now, as the JSONL lines' objects.
        router.add(.get, "/v1/alerts") { [weak reports, weak alerts] request, responder in
            guard let reports, let alerts else { return responder.respond(.text(.serviceUnavailable, "stopping\n")) }
            guard reports.authorize(request, responder: responder) else { return }
            var active = alerts.activeAlerts
            guard let query = try? request.queryParameters() else {
                return responder.respond(.json(.badRequest, #"{"error":"malformed query string"}"# + "\n"))
            }
            if let text = query["business"] {
                guard let business = PhoneNumber(text) else {
                    return responder.respond(.json(.badRequest, #"{"error":"business is not an E.164 number"}"# + "\n"))
                }
                active = active.filter { $0.business == business }
            }
            active.sort { ($0.startsAt, $0.fingerprint) < ($1.startsAt, $1.fingerprint) }
            responder.respond(.json(.ok, #"{"alerts":["# + active.map(\.jsonLine).joined(separator: ",") + "]}\n"))
        }
        router.add(.get, "/metrics") { [weak analyzer, weak reports, weak eventCounts, weak alerts] request, responder in
            guard let analyzer, let reports, let eventCounts, let alerts else {
                return responder.respond(.text(.serviceUnavailable, "stopping\n"))
            }
            guard reports.authorize(request, responder: responder) else { return }
            let intake = reports.intakeStatistics
            let extra = MetricsExtras(
                version: VigilVersion.current, eventCounts: eventCounts.counts, activeAlerts: alerts.activeAlerts, reportsAccepted: intake.accepted,
                reportsRejected: Dictionary(uniqueKeysWithValues: intake.rejected.map { ($0.key.rawValue, $0.value) }))
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "text/plain; version=0.0.4; charset=utf-8")
            responder.respond(HTTPResponse(status: .ok, headers: headers, body: Array(IntegrityMetrics.render(analyzer: analyzer, extra: extra).utf8)))
        }
    }

    /// `GET /v1/stats?from=DAY&to=DAY[&epsilon=E&delta=D&k=K&noise=laplace|gaussian&format=json|csv&dataset=NAME]`:
    /// a differentially private release of the live statistics, charged to the privacy ledger
    /// first (429 once the day's budget is spent). `now` is event time (``ServeClock``).
    static func registerStatistics(on router: inout HTTPRouter, reports: ReportService, statistics: ServeStatistics, now: @escaping () -> Int64) {
        router.add(.get, "/v1/stats") { [weak reports, weak statistics] request, responder in
            guard let reports, let statistics else { return responder.respond(.text(.serviceUnavailable, "stopping\n")) }
            guard reports.authorize(request, responder: responder) else { return }
            let target = request.target
            let query = target.firstIndex(of: "?").map { String(target[target.index(after: $0)...]) } ?? ""
            responder.respond(statistics.respond(to: query, now: now()))
        }
    }

    /// `GET /`: the dashboard (one self-contained HTML page that refreshes itself). Browsers send
    /// the token as the password of Basic authentication. `now` is event time (``ServeClock``).
    static func registerDashboard(on router: inout HTTPRouter, reports: ReportService, dashboard: ServeDashboard, now: @escaping () -> Int64) {
        router.add(.get, "/") { [weak reports, weak dashboard] request, responder in
            guard let reports, let dashboard else { return responder.respond(.text(.serviceUnavailable, "stopping\n")) }
            guard reports.authorize(request, responder: responder) else { return }
            let html = dashboard.page(at: now())
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "text/html; charset=utf-8")
            headers.add(name: "Cache-Control", value: "no-store")
            responder.respond(HTTPResponse(status: .ok, headers: headers, body: Array(html.utf8)))
        }
    }
}

/// The dashboard's state on the serve loop: the sampled history and what the page shows.
final class ServeDashboard {
    let analyzer: IntegrityAnalyzer
    let alerts: AlertEngine
    private(set) var history = SignalHistory()

    init(analyzer: IntegrityAnalyzer, alerts: AlertEngine) {
        self.analyzer = analyzer
        self.alerts = alerts
    }

    /// Samples the charted businesses' signals at `now` (businesses with alerts first, then the
    /// largest by business-initiated reach). Ranking reads one O(1) figure per business; only the
    /// few chosen get their full signals (table scans), so a tick stays cheap with 10⁵ businesses.
    func sample(at now: Int64) {
        let alerting = Set(alerts.activeAlerts.map(\.business))
        let chosen = history.choose(volumes: analyzer.initiatedVolumes(), alerting: alerting)
        history.record(chosen.compactMap { analyzer.signals(for: $0, at: now) }, at: now, alerting: alerting)
    }

    /// The page at `now`.
    func page(at now: Int64) -> String {
        DashboardPage.render(history: history, signals: analyzer.snapshot(at: now), alerts: alerts.activeAlerts,
                             exportPreview: [], generatedAt: now)
    }
}

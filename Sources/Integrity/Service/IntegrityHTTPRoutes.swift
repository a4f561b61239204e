public import Transport

/// Integrity's HTTP surface, for `vigil serve` and `vigil report-intake`:
///
/// | Method | Path | Answer |
/// | --- | --- | --- |
/// | `POST` | `/v1/reports` | 202 `{"accepted":N,"rejected":[{"index":i,"reason":"no_contact"}]}` after the commit; 400, 401, 413, 429 (the connection is over its item budget, `Retry-After`) |
/// | `GET` | `/v1/signals/{business}` | 200 the business's signals (``BusinessSignals/jsonObject``); 400, 401, 404 |
///
/// Every request needs `Authorization: Bearer <token>`. Errors are `{"error":"…"}`.
public enum IntegrityHTTPRoutes {
    /// Adds the routes to `router`, answered by `service` (on the router's loop).
    public static func add(to router: inout HTTPRouter, service: ReportService) {
        router.add(.post, "/v1/reports") { [weak service] request, responder in
            guard let service else { return responder.respond(stopping()) }
            service.submit(request, responder: responder)
        }
        router.add(.get, "/v1/signals/{business}") { [weak service] request, responder in
            guard let service else { return responder.respond(stopping()) }
            service.signals(request, responder: responder)
        }
    }

    /// A router with only Integrity's routes.
    public static func handler(for service: ReportService) -> HTTPHandler {
        var router = HTTPRouter()
        add(to: &router, service: service)
        return router.handler
    }

    private static func stopping() -> HTTPResponse {
        ReportService.error(.serviceUnavailable, "the report service is stopping")
    }
}

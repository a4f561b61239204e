import Integrity
import Transport

/// The HTTP API of `vigil serve` on the analyzer's loop.
enum ServeRoutes {
    /// Adds every route to `router`.
    static func register(on router: inout HTTPRouter, analyzer: IntegrityAnalyzer) {
        router.add(.get, "/healthz") { _, responder in
            responder.respond(.text(.ok, "ok\n"))
        }
    }
}

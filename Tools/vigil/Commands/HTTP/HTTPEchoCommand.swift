import Glibc
import Transport

/// `vigil http-echo`: a hidden test server that echoes requests as JSON, so independent HTTP
/// implementations (curl, h11) can check the Transport HTTP server from outside.
struct HTTPEchoCommand: Command {
    static let help = """
        USAGE: vigil http-echo [--listen HOST:PORT] [options]

        Runs the Transport HTTP/1.1 server and answers every request with JSON describing it,
        for interop tests (Tests/interop/run-http-interop.sh). SIGINT or SIGTERM stop it.

        ROUTES:
          GET /items/{id}           {"id":…,"query":{…}} (other methods: 405 with Allow)
          GET /delay/{ms}           {"delayed_ms":…}, answered from a loop timer after ms milliseconds
          GET /bytes/{n}            n bytes of "x" (text/plain)
          anything else             {"method","target","version","keep_alive","headers":count,
                                     "header_fields":[[name,value],…],"body_length","body_sha256",
                                     "trailers":[[name,value],…]}

        OPTIONS:
          --listen HOST:PORT        address to listen on (default 127.0.0.1:0, any free port)
          --max-head BYTES          request line + header fields limit, 431 above (default 16384)
          --max-body BYTES          content limit, 413 above (default 1048576)
          --head-timeout MS         time for a head once it started, 408 after (default 10000)
          --body-timeout MS         time for the content after the head, 408 after (default 30000)
          --idle-timeout MS         keep-alive idle time before closing (default 60000)
          --help                    this text

        The first line on stdout is `listening on HOST:PORT` (the bound port), for scripts.
        """

    let listen: SocketAddress
    let limits: HTTPParserLimits
    let headTimeout: Int
    let bodyTimeout: Int
    let idleTimeout: Int

    init(parsing arguments: inout Arguments) throws(CLIError) {
        listen = try ListenAddress.parse(try arguments.option("--listen"), option: "--listen", defaultPort: 0)
        let maximumHead = try arguments.integer("--max-head", in: 64...(1 << 20)) ?? 16 * 1024
        let maximumBody = try arguments.integer("--max-body", in: 0...(1 << 30)) ?? 1 << 20
        limits = HTTPParserLimits(maximumHeadSize: maximumHead, maximumBodySize: maximumBody)
        headTimeout = try arguments.integer("--head-timeout", in: 1...3_600_000) ?? 10_000
        bodyTimeout = try arguments.integer("--body-timeout", in: 1...3_600_000) ?? 30_000
        idleTimeout = try arguments.integer("--idle-timeout", in: 1...3_600_000) ?? 60_000
    }

    func run() throws {
        let signals = HTTPToolSupport.blockStopSignals()
        let configuration = HTTPServerConfiguration(
            listenAddress: listen, limits: limits,
            headTimeout: .milliseconds(headTimeout), bodyTimeout: .milliseconds(bodyTimeout), idleTimeout: .milliseconds(idleTimeout))
        let host = try HTTPServerHost.start(configuration) { loop in Self.router(loop).handler }
        HTTPToolSupport.emit("listening on \(host.address)")
        let signal = HTTPToolSupport.waitForStopSignal(signals)
        let statistics = host.statistics
        host.stop(gracePeriod: .seconds(1))
        if let statistics {
            Console.progress("http-echo: \(signal == SIGINT ? "SIGINT" : "SIGTERM"), stopped after \(statistics.requests) requests, "
                + "\(statistics.responses) responses, \(statistics.connectionsAccepted) connections, "
                + "\(statistics.parseErrorResponses) refused, \(statistics.requestTimeouts) timed out")
        }
    }

    static func router(_ loop: EventLoop) -> HTTPRouter {
        var router = HTTPRouter()
        router.add(.get, "/items/{id}") { request, responder in
            let query: String
            do {
                let parameters = try request.queryParameters()
                query = HTTPToolSupport.object(parameters.map { ($0.name, HTTPToolSupport.quote($0.value)) })
            } catch {
                responder.respond(.text(.badRequest, "400 Bad Request: \(error)\n"))
                return
            }
            let id = request.pathParameters["id"] ?? ""
            responder.respond(.json(.ok, HTTPToolSupport.object([("id", HTTPToolSupport.quote(id)), ("query", query)])))
        }
        router.add(.get, "/delay/{ms}") { request, responder in
            let milliseconds = Int(request.pathParameters["ms"] ?? "") ?? 0
            loop.scheduleTimer(after: .milliseconds(min(milliseconds, 60_000))) {
                responder.respond(.json(.ok, HTTPToolSupport.object([("delayed_ms", String(milliseconds))])))
            }
        }
        router.add(.get, "/bytes/{n}") { request, responder in
            let count = min(Int(request.pathParameters["n"] ?? "") ?? 0, 64 << 20)
            responder.respond(HTTPResponse(status: .ok, headers: ["Content-Type": "text/plain"],
                                           body: [UInt8](repeating: UInt8(ascii: "x"), count: count)))
        }
        router.fallback = { request, responder in
            let digest = (try? HTTPToolSupport.sha256(request.body)) ?? ""
            responder.respond(.json(.ok, HTTPToolSupport.object([
                ("method", HTTPToolSupport.quote(request.method.rawValue)),
                ("target", HTTPToolSupport.quote(request.target)),
                ("version", HTTPToolSupport.quote(request.head.version.description)),
                ("keep_alive", request.head.isKeepAlive ? "true" : "false"),
                ("headers", String(request.headers.count)),
                ("header_fields", HTTPToolSupport.fields(request.headers)),
                ("body_length", String(request.body.count)),
                ("body_sha256", HTTPToolSupport.quote(digest)),
                ("trailers", HTTPToolSupport.fields(request.trailers)),
            ])))
        }
        return router
    }
}

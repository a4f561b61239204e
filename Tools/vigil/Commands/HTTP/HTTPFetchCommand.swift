import Glibc
import Transport

/// `vigil http-fetch`: a hidden test client that sends requests with the Transport HTTP client
/// and prints each response as a JSON line, so an independent server (h11) can check it.
struct HTTPFetchCommand: Command {
    static let help = """
        USAGE: vigil http-fetch URL [URL…] [options]

        Sends one request per URL (repeated --repeat times), in order, over the Transport HTTP
        client's keep-alive pool, for interop tests (Tests/interop/run-http-interop.sh). Prints one
        JSON line per request: {"url","status","reason","header_fields":[[name,value],…],
        "body_length","body_sha256","body" (when UTF-8),"reused"} or {"url","error"}, then
        {"connections_opened","requests_sent","responses_received","retries","failures"}.
        Exits 1 if any request failed. Plain http:// only.

        OPTIONS:
          --method METHOD           request method (default POST with --data, else GET)
          --header 'NAME: VALUE'    a request header field (repeatable)
          --data TEXT               request content
          --data-size N             request content of N bytes (0..255 repeating)
          --repeat N                send each URL N times (default 1)
          --timeout MS              per-request timeout (default 10000)
          --help                    this text
        """

    let urls: [HTTPURL]
    let method: HTTPMethod
    let headers: HTTPHeaders
    let body: [UInt8]
    let repetitions: Int
    let timeout: Int

    init(parsing arguments: inout Arguments) throws(CLIError) {
        var headers = HTTPHeaders()
        while let field = try arguments.option("--header") {
            guard let colon = field.firstIndex(of: ":") else { throw CLIError("--header takes 'NAME: VALUE', got '\(field)'") }
            let value = field[field.index(after: colon)...].drop { $0 == " " }
            headers.add(name: String(field[..<colon]), value: String(value))
        }
        self.headers = headers
        let data = try arguments.option("--data")
        let size = try arguments.integer("--data-size", in: 0...(64 << 20))
        if data != nil && size != nil { throw CLIError("--data and --data-size exclude each other") }
        body = data.map { Array($0.utf8) } ?? size.map { count in (0..<count).map { UInt8(truncatingIfNeeded: $0) } } ?? []
        let methodName = try arguments.option("--method")
        method = methodName.map { HTTPMethod($0) } ?? (data != nil || size != nil ? .post : .get)
        repetitions = try arguments.integer("--repeat", in: 1...10_000) ?? 1
        timeout = try arguments.integer("--timeout", in: 1...3_600_000) ?? 10_000
        var urls: [HTTPURL] = []
        for text in try arguments.positionals() {
            do throws(HTTPURLError) {
                urls.append(try HTTPURL(parsing: text))
            } catch {
                throw CLIError("\(text): \(error)")
            }
        }
        guard !urls.isEmpty else { throw CLIError("give at least one URL") }
        self.urls = urls
    }

    func run() throws {
        let client = try HTTPBlockingClient()
        defer { client.close() }
        var failed = false
        for url in urls {
            for _ in 0..<repetitions {
                let request = HTTPClientRequest(method: method, url: url, headers: headers, body: body, timeout: .milliseconds(timeout))
                let result: Result<HTTPClientResponse, HTTPClientError>
                do throws(HTTPClientError) {
                    result = .success(try client.execute(request))
                } catch {
                    result = .failure(error)
                }
                switch result {
                case let .success(response):
                    HTTPToolSupport.emit(try Self.describe(response, url: url))
                case let .failure(error):
                    failed = true
                    HTTPToolSupport.emit(HTTPToolSupport.object([
                        ("url", HTTPToolSupport.quote(url.description)), ("error", HTTPToolSupport.quote(error.description)),
                    ]))
                }
            }
        }
        let statistics = client.statistics ?? HTTPClientStatistics()
        let counters: [(String, String)] = [
            ("connections_opened", String(statistics.connectionsOpened)),
            ("requests_sent", String(statistics.requestsSent)),
            ("responses_received", String(statistics.responsesReceived)),
            ("retries", String(statistics.retries)),
            ("failures", String(statistics.failures)),
        ]
        HTTPToolSupport.emit(HTTPToolSupport.object(counters))
        if failed { exit(1) }
    }

    /// One JSON line for a response.
    static func describe(_ response: HTTPClientResponse, url: HTTPURL) throws -> String {
        var fields: [(String, String)] = [
            ("url", HTTPToolSupport.quote(url.description)),
            ("status", String(response.status.code)),
            ("reason", HTTPToolSupport.quote(response.status.reasonPhrase)),
            ("header_fields", HTTPToolSupport.fields(response.headers)),
            ("body_length", String(response.body.count)),
            ("body_sha256", HTTPToolSupport.quote(try HTTPToolSupport.sha256(response.body))),
        ]
        if response.body.count <= 4096, let text = String(validating: response.body, as: UTF8.self) {
            fields.append(("body", HTTPToolSupport.quote(text)))
        }
        fields.append(("trailer_fields", HTTPToolSupport.fields(response.trailers)))
        fields.append(("reused", response.reusedConnection ? "true" : "false"))
        return HTTPToolSupport.object(fields)
    }
}

import Dispatch
import Glibc
@testable import Transport

/// An ``HTTPServerHost`` on 127.0.0.1 with the test routes, stopped when released.
///
/// Routes: `POST|PUT /echo` (the content back, with `X-Method`, `X-Target`, `X-Trailers`),
/// `GET /items/{id}` (the id and the `q` query parameter), `GET /slow?ms=N` (answers after N ms
/// from a loop timer), `GET /thread` (answers from another thread), `GET /never` (never
/// answers), `GET /close` (answers with `Connection: close`), `GET /size?bytes=N`.
final class HTTPServerFixture {
    let host: HTTPServerHost
    var address: SocketAddress { host.address }

    init(_ configure: (inout HTTPServerConfiguration) -> Void = { _ in }) throws {
        var configuration = HTTPServerConfiguration(listenAddress: .loopbackIPv4(), wallClock: { 784_111_777 })
        configure(&configuration)
        host = try HTTPServerHost.start(configuration) { loop in Self.router(loop).handler }
    }

    deinit { host.stop(gracePeriod: .milliseconds(200)) }

    var statistics: HTTPServerStatistics { host.statistics ?? HTTPServerStatistics() }

    static func router(_ loop: EventLoop) -> HTTPRouter {
        var router = HTTPRouter()
        let echo: HTTPHandler = { request, responder in
            responder.respond(HTTPResponse(status: .ok, headers: [
                "X-Method": request.method.rawValue, "X-Target": request.target,
                "X-Trailers": request.trailers.map { "\($0.name)=\($0.value)" }.joined(separator: ";"),
            ], body: request.body))
        }
        router.add(.post, "/echo", echo)
        router.add(.put, "/echo", echo)
        router.add(.get, "/items/{id}") { request, responder in
            let query = (try? request.queryParameters()) ?? HTTPQuery()
            responder.respond(.text(.ok, "item \(request.pathParameters["id"] ?? "?") q=\(query["q"] ?? "-")"))
        }
        router.add(.get, "/slow") { request, responder in
            let milliseconds = Int((try? request.queryParameters())?["ms"] ?? "") ?? 0
            let tag = (try? request.queryParameters())?["tag"] ?? ""
            loop.scheduleTimer(after: .milliseconds(milliseconds)) {
                responder.respond(.text(.ok, "slow \(tag)"))
            }
        }
        router.add(.get, "/thread") { _, responder in
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(20)) {
                responder.respond(.text(.ok, "from another thread"))
            }
        }
        router.add(.get, "/never") { _, _ in }
        router.add(.get, "/close") { _, responder in
            responder.respond(.text(.ok, "bye", headers: ["Connection": "close"]))
        }
        router.add(.get, "/size") { request, responder in
            let count = Int((try? request.queryParameters())?["bytes"] ?? "") ?? 0
            responder.respond(HTTPResponse(status: .ok, body: [UInt8](repeating: UInt8(ascii: "z"), count: count)))
        }
        return router
    }
}

/// A blocking raw client: sends bytes over a socket and reads responses with the response
/// parser (the interop script checks the same responses with h11, an independent parser).
final class RawHTTPConnection {
    let socket: TCPClientSocket
    private var parser = HTTPResponseParser(limits: HTTPParserLimits(maximumHeadSize: 64 * 1024, maximumBodySize: 64 * 1024 * 1024))
    private(set) var closedByServer = false

    init(_ address: SocketAddress) throws {
        socket = try TCPClientSocket(connectingTo: address)
    }

    func send(_ text: String) throws { try socket.send(Array(text.utf8)) }
    func send(_ bytes: [UInt8]) throws { try socket.send(bytes, timeout: .seconds(10)) }

    /// Reads `count` complete responses (to requests with `methods`, GET by default).
    func read(_ count: Int, methods: [HTTPMethod]? = nil, timeout: Duration = .seconds(5)) throws -> [ParsedMessage<HTTPResponseHead>] {
        for method in methods ?? Array(repeating: .get, count: count) { parser.expectResponse(to: method) }
        var messages: [ParsedMessage<HTTPResponseHead>] = []
        let deadline = SystemClock().now() + timeout
        while messages.filter({ $0.complete && !$0.head.status.isInformational }).count < count {
            while let event = try parser.next() {
                switch event {
                case let .head(head): messages.append(ParsedMessage(head: head))
                case let .body(piece): messages[messages.count - 1].body.append(contentsOf: piece)
                case let .end(trailers):
                    messages[messages.count - 1].trailers = trailers
                    messages[messages.count - 1].complete = true
                }
            }
            if messages.filter({ $0.complete && !$0.head.status.isInformational }).count >= count { break }
            let remaining = deadline - SystemClock().now()
            guard remaining > .zero else { throw SystemError(call: "recv", errno: .timedOut) }
            let chunk = try socket.receive(timeout: remaining)
            if chunk.isEmpty {
                closedByServer = true
                if let event = try parser.finish(), case let .end(trailers) = event {
                    messages[messages.count - 1].trailers = trailers
                    messages[messages.count - 1].complete = true
                }
                break
            }
            parser.feed(chunk)
        }
        return messages.filter { !$0.head.status.isInformational }
    }

    /// Reads one response, then expects the server to close.
    func readFinal(method: HTTPMethod = .get, timeout: Duration = .seconds(5)) throws -> ParsedMessage<HTTPResponseHead>? {
        let responses = try read(1, methods: [method], timeout: timeout)
        return responses.first
    }

    /// Whether the server closes (end of file) within `timeout` without sending anything else.
    func serverCloses(within timeout: Duration = .seconds(5)) -> Bool {
        if closedByServer { return true }
        guard let rest = try? socket.receiveUntilEndOfFile(timeout: timeout) else { return false }
        return rest.isEmpty && parser.bufferedByteCount == 0
    }
}

extension ParsedMessage where Head == HTTPResponseHead {
    var text: String { String(decoding: body, as: UTF8.self) }
}

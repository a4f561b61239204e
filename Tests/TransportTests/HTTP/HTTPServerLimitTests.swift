import Glibc
import Testing
@testable import Transport

/// Every limit and timeout over real sockets: its status, `Connection: close`, and the close.
@Suite("HTTP server limits", .serialized)
struct HTTPServerLimitTests {
    @Test func oversizedHeadGets431() throws {
        let server = try HTTPServerFixture()
        let client = try RawHTTPConnection(server.address)
        try client.send("GET /items/1 HTTP/1.1\r\nHost: t\r\nX-Big: \(String(repeating: "b", count: 17 * 1024))\r\n\r\n")
        let response = try #require(try client.readFinal())
        #expect(response.head.status.code == 431)
        #expect(response.head.headers["Connection"] == "close")
        #expect(response.text.contains("exceeds 16384 bytes"))
        #expect(client.serverCloses())
        #expect(server.statistics.requests == 0)
    }

    @Test func headJustUnderTheLimitIsServed() throws {
        let server = try HTTPServerFixture()
        let client = try RawHTTPConnection(server.address)
        let prefix = "GET /items/1 HTTP/1.1\r\nHost: t\r\nX-Big: "
        let head = prefix + String(repeating: "b", count: 16 * 1024 - prefix.utf8.count - 4) + "\r\n\r\n"
        #expect(head.utf8.count == 16 * 1024)
        try client.send(head)
        #expect(try client.read(1).first?.head.status == .ok)
    }

    @Test func oversizedContentLengthGets413WithoutReadingTheContent() throws {
        let server = try HTTPServerFixture()
        let client = try RawHTTPConnection(server.address)
        try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: \(1024 * 1024 + 1)\r\n\r\n")
        // The client keeps sending what it announced; the server answers at once anyway.
        try client.send([UInt8](repeating: 0x61, count: 100_000))
        let response = try #require(try client.readFinal(method: .post))
        #expect(response.head.status.code == 413)
        #expect(response.head.headers["Connection"] == "close")
        #expect(client.serverCloses())
    }

    @Test func oversizedContentWithExpectGets413InsteadOf100() throws {
        let server = try HTTPServerFixture()
        let client = try RawHTTPConnection(server.address)
        try client.send("PUT /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 2000000\r\n\r\n")
        let response = try #require(try client.readFinal(method: .put))
        #expect(response.head.status.code == 413)
    }

    @Test func oversizedChunkedContentGets413() throws {
        let server = try HTTPServerFixture { $0.limits.maximumBodySize = 1000 }
        let client = try RawHTTPConnection(server.address)
        try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n")
        try client.send("1f4\r\n\(String(repeating: "x", count: 500))\r\n")
        try client.send("1f4\r\n\(String(repeating: "y", count: 500))\r\n")
        try client.send("1\r\n")
        let response = try #require(try client.readFinal(method: .post))
        #expect(response.head.status.code == 413)
        #expect(response.text.contains("exceeds 1000 bytes"))
    }

    @Test func slowHeadGets408() throws {
        let server = try HTTPServerFixture { $0.headTimeout = .milliseconds(200) }
        let client = try RawHTTPConnection(server.address)
        try client.send("GET /items/1 HTTP/1.1\r\nHost: t\r\n")
        let started = SystemClock().now()
        let response = try #require(try client.readFinal())
        #expect(response.head.status.code == 408)
        #expect(SystemClock().now() - started >= .milliseconds(150))
        #expect(client.serverCloses())
        #expect(server.statistics.requestTimeouts == 1)
    }

    @Test func slowContentGets408() throws {
        let server = try HTTPServerFixture { $0.bodyTimeout = .milliseconds(200) }
        let client = try RawHTTPConnection(server.address)
        try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc")
        let response = try #require(try client.readFinal(method: .post))
        #expect(response.head.status.code == 408)
        #expect(client.serverCloses())
    }

    @Test func idleConnectionsAreClosedWithoutAResponse() throws {
        let server = try HTTPServerFixture { $0.idleTimeout = .milliseconds(200) }
        let client = try RawHTTPConnection(server.address)
        try client.send("GET /items/1 HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try client.read(1).first?.head.status == .ok)
        let started = SystemClock().now()
        #expect(client.serverCloses(within: .seconds(5)))
        #expect(SystemClock().now() - started >= .milliseconds(150))
    }

    @Test func slowHandlersGet503() throws {
        let server = try HTTPServerFixture { $0.responseTimeout = .milliseconds(200) }
        let client = try RawHTTPConnection(server.address)
        try client.send("GET /never HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try client.readFinal()?.head.status.code == 503)
        #expect(client.serverCloses())
        #expect(server.statistics.responseTimeouts == 1)
    }

    @Test(arguments: [
        ("GET / HTTP/1.1\r\nHost: t\r\nX: a\r\n folded\r\n\r\n", 400, "obsolete line folding"),
        ("GET /a b HTTP/1.1\r\nHost: t\r\n\r\n", 400, "malformed request line"),
        ("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "both Transfer-Encoding and Content-Length"),
        ("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", 400, "conflicting Content-Length"),
        ("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: -3\r\n\r\n", 400, "invalid Content-Length"),
        ("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n", 400, "invalid chunk size"),
        ("GET / HTTP/1.1\nHost: t\n\n", 400, "LF without CR"),
        ("GET / HTTP/1.1\r\nHost : t\r\n\r\n", 400, "whitespace between header field name and colon"),
        ("GET / HTTP/1.1\r\n\r\n", 400, "missing Host"),
        ("GET / HTTP/3.0\r\nHost: t\r\n\r\n", 505, "HTTP/3.0 is not supported"),
        ("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501, "unsupported transfer coding"),
        ("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: teapot\r\nContent-Length: 1\r\n\r\nx", 417, "unsupported expectation"),
    ])
    func malformedRequestsGetPreciseStatuses(_ request: String, _ status: Int, _ reason: String) throws {
        let server = try HTTPServerFixture()
        let client = try RawHTTPConnection(server.address)
        try client.send(request)
        let response = try #require(try client.readFinal())
        #expect(response.head.status.code == status)
        #expect(response.text.contains(reason), "\(response.text)")
        #expect(response.head.headers["Connection"] == "close")
        #expect(client.serverCloses())
    }

    @Test func routerAnswers404And405WithAllow() throws {
        let server = try HTTPServerFixture()
        let client = try RawHTTPConnection(server.address)
        try client.send("GET /nowhere HTTP/1.1\r\nHost: t\r\n\r\nDELETE /echo HTTP/1.1\r\nHost: t\r\n\r\nGET /items/%zz HTTP/1.1\r\nHost: t\r\n\r\n")
        let responses = try client.read(3)
        #expect(responses.map(\.head.status.code) == [404, 405, 400])
        #expect(responses[1].head.headers["Allow"] == "POST, PUT")
        // The connection stays usable after router errors.
        try client.send("GET /items/9 HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try client.read(1).first?.text == "item 9 q=-")
    }

    @Test func invalidResponsesFromHandlersBecome500() throws {
        var configuration = HTTPServerConfiguration(listenAddress: .loopbackIPv4())
        configuration.serverName = nil
        let host = try HTTPServerHost.start(configuration) { _ in
            { _, responder in responder.respond(HTTPResponse(status: .ok, headers: ["X-Bad": "a\r\nInjected: yes"])) }
        }
        defer { host.stop() }
        let client = try RawHTTPConnection(host.address)
        try client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        let response = try #require(try client.read(1).first)
        #expect(response.head.status.code == 500)
        #expect(response.head.headers["Injected"] == nil)
    }

    @Test func connectionsBeyondTheMaximumAreRefused() throws {
        let server = try HTTPServerFixture { $0.maximumConnections = 2 }
        let first = try RawHTTPConnection(server.address)
        let second = try RawHTTPConnection(server.address)
        try first.send("GET /items/1 HTTP/1.1\r\nHost: t\r\n\r\n")
        try second.send("GET /items/2 HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try first.read(1).count == 1)
        #expect(try second.read(1).count == 1)
        // The refusal is an accept-and-reset: the client sees it at connect (the reset can beat
        // the connect's completion on loopback) or on its first read — never a response.
        if let third = try? RawHTTPConnection(server.address) {
            _ = try? third.send("GET /items/3 HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect((try? third.read(1))?.isEmpty ?? true)
        }
        #expect(server.statistics.connectionsRefused == 1)
    }
}

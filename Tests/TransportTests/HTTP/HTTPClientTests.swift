import Glibc
import Testing
@testable import Transport

/// The client against the server and against scripted misbehaving peers.
@Suite("HTTP client", .serialized)
struct HTTPClientTests {
    static func url(_ address: SocketAddress, _ target: String) throws -> HTTPURL {
        try HTTPURL(parsing: "http://\(address)\(target)")
    }

    static func expectFailure(_ body: () throws(HTTPClientError) -> HTTPClientResponse) -> HTTPClientError? {
        do {
            let response = try body()
            Issue.record("expected an error, got \(response.status)")
            return nil
        } catch {
            return error
        }
    }

    @Test func postsAndReadsTheResponse() throws {
        let server = try HTTPServerFixture()
        let client = try HTTPBlockingClient()
        defer { client.close() }
        let body = Array(#"{"object":"whatsapp_business_account"}"#.utf8)
        let response = try client.execute(HTTPClientRequest(
            url: Self.url(server.address, "/echo?x=1"), headers: ["Content-Type": "application/json"], body: body))
        #expect(response.status == .ok)
        #expect(response.body == body)
        #expect(response.headers["X-Method"] == "POST")
        #expect(response.headers["X-Target"] == "/echo?x=1")
        #expect(!response.reusedConnection)
    }

    @Test func reusesKeepAliveConnections() throws {
        let server = try HTTPServerFixture()
        let client = try HTTPBlockingClient()
        defer { client.close() }
        var reused: [Bool] = []
        for index in 0..<5 {
            let response = try client.execute(HTTPClientRequest(method: .get, url: Self.url(server.address, "/items/\(index)")))
            #expect(String(decoding: response.body, as: UTF8.self) == "item \(index) q=-")
            reused.append(response.reusedConnection)
        }
        #expect(reused == [false, true, true, true, true])
        #expect(client.statistics?.connectionsOpened == 1)
        #expect(client.statistics?.reusedConnectionResponses == 4)
        #expect(server.statistics.connectionsAccepted == 1)
    }

    @Test func requestsBeyondTheConnectionLimitWaitInOrder() throws {
        let server = try HTTPServerFixture()
        let thread = try EventLoopThread()
        defer { thread.stopAndJoin() }
        let url = try Self.url(server.address, "/slow?ms=30")
        let results = Recorded<[Int: Result<HTTPClientResponse, HTTPClientError>]>([:])
        let clientBox = Recorded<LoopBound<HTTPClient>?>(nil)
        thread.loop.executeAndWait {
            let client = HTTPClient(on: thread.loop, configuration: HTTPClientConfiguration(maximumConnectionsPerHost: 3))
            clientBox.update { $0 = LoopBound(client, on: thread.loop) }
            for index in 0..<12 {
                client.execute(HTTPClientRequest(method: .get, url: url)) { result in results.update { $0[index] = result } }
            }
        }
        #expect(SystemTestSupport.waitUntil(timeout: .seconds(10)) { results.value.count == 12 })
        #expect(results.value.values.allSatisfy { (try? $0.get().status) == .ok })
        let statistics = thread.loop.executeAndWaitReturning { clientBox.value?.value.statistics }
        #expect(statistics??.connectionsOpened == 3)
        #expect(server.statistics.connectionsAccepted == 3)
        thread.loop.executeAndWait { clientBox.value?.value.shutdown() }
    }

    @Test func slowServersTimeOut() throws {
        let server = try HTTPServerFixture { $0.responseTimeout = nil }
        let client = try HTTPBlockingClient()
        defer { client.close() }
        let started = SystemClock().now()
        let error = Self.expectFailure { () throws(HTTPClientError) in
            try client.execute(HTTPClientRequest(method: .get, url: try! Self.url(server.address, "/never"), timeout: .milliseconds(200)))
        }
        #expect(error == .timedOut(after: .milliseconds(200)))
        #expect(SystemClock().now() - started >= .milliseconds(150))
        // The client is still usable.
        #expect(try client.execute(HTTPClientRequest(method: .get, url: Self.url(server.address, "/items/1"))).status == .ok)
    }

    @Test func refusedConnectionsAreTyped() throws {
        // A port nobody listens on: bind one, note it, close it.
        let port = try {
            let fixture = try ServerFixture()
            return fixture.address.port
        }()
        let client = try HTTPBlockingClient()
        defer { client.close() }
        let error = Self.expectFailure { () throws(HTTPClientError) in
            try client.execute(HTTPClientRequest(url: try! HTTPURL(parsing: "http://127.0.0.1:\(port)/hook")))
        }
        guard case let .connectFailed(address, systemError)? = error else {
            Issue.record("expected connectFailed, got \(String(describing: error))")
            return
        }
        #expect(address.port == port)
        #expect(systemError.errno == .connectionRefused)
    }

    @Test func invalidResponsesAreTyped() throws {
        let peer = try ScriptedHTTPPeer([.send("HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n")])
        let client = try HTTPBlockingClient()
        defer { client.close() }
        let error = Self.expectFailure { () throws(HTTPClientError) in
            try client.execute(HTTPClientRequest(method: .get, url: try! Self.url(peer.address, "/")))
        }
        guard case let .invalidResponse(parseError)? = error else {
            Issue.record("expected invalidResponse, got \(String(describing: error))")
            return
        }
        #expect(parseError.reason == .invalidContentLength("ten"))
    }

    @Test func aStalePooledConnectionIsRetriedOnce() throws {
        let peer = try ScriptedHTTPPeer([.send("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst"), .close,
                                         .send("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecond")])
        let client = try HTTPBlockingClient()
        defer { client.close() }
        let url = try Self.url(peer.address, "/hook")
        #expect(try client.execute(HTTPClientRequest(url: url, body: [1])).body == Array("first".utf8))
        let second = try client.execute(HTTPClientRequest(url: url, body: [2]))
        #expect(second.body == Array("second".utf8))
        #expect(!second.reusedConnection)
        #expect(client.statistics?.retries == 1)
        #expect(client.statistics?.connectionsOpened == 2)
        #expect(peer.requests.value.count == 3)
    }

    @Test func withoutRetriesAStaleConnectionIsAnError() throws {
        let peer = try ScriptedHTTPPeer([.send("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), .close])
        let client = try HTTPBlockingClient(configuration: HTTPClientConfiguration(retriesOnStaleConnection: false))
        defer { client.close() }
        let url = try Self.url(peer.address, "/hook")
        #expect(try client.execute(HTTPClientRequest(url: url)).status == .ok)
        let error = Self.expectFailure { () throws(HTTPClientError) in try client.execute(HTTPClientRequest(url: url)) }
        #expect(error == .connectionClosed(.peerClosed))
    }

    @Test func responsesDelimitedByCloseAreRead() throws {
        let peer = try ScriptedHTTPPeer([.sendThenClose("HTTP/1.0 200 OK\r\nX-Old: yes\r\n\r\nuntil the end")])
        let client = try HTTPBlockingClient()
        defer { client.close() }
        let response = try client.execute(HTTPClientRequest(method: .get, url: Self.url(peer.address, "/")))
        #expect(String(decoding: response.body, as: UTF8.self) == "until the end")
        #expect(response.headers["X-Old"] == "yes")
    }

    @Test func truncatedResponsesAreErrors() throws {
        let peer = try ScriptedHTTPPeer([.sendThenClose("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")])
        let client = try HTTPBlockingClient()
        defer { client.close() }
        let error = Self.expectFailure { () throws(HTTPClientError) in
            try client.execute(HTTPClientRequest(method: .get, url: try! Self.url(peer.address, "/")))
        }
        guard case let .invalidResponse(parseError)? = error else {
            Issue.record("expected invalidResponse, got \(String(describing: error))")
            return
        }
        #expect(parseError.reason == .unexpectedEndOfStream)
    }

    @Test func interimResponsesAreSkippedAndChunkedContentIsJoined() throws {
        let peer = try ScriptedHTTPPeer([
            .send("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\nX-T: 1\r\n\r\n"),
        ])
        let client = try HTTPBlockingClient()
        defer { client.close() }
        let response = try client.execute(HTTPClientRequest(url: Self.url(peer.address, "/")))
        #expect(response.status == .created)
        #expect(response.body == Array("abcde".utf8))
        #expect(response.trailers["x-t"] == "1")
    }

    @Test func requestsThatWouldInjectAreRefused() throws {
        let client = try HTTPBlockingClient()
        defer { client.close() }
        let error = Self.expectFailure { () throws(HTTPClientError) in
            try client.execute(HTTPClientRequest(url: try! HTTPURL(parsing: "http://127.0.0.1:9/"), headers: ["X-Sig": "a\r\nEvil: 1"]))
        }
        #expect(error == .invalidRequest(.invalidFieldValue(name: "X-Sig")))
    }

    @Test func responsesOverTheLimitAreRefused() throws {
        let server = try HTTPServerFixture()
        let client = try HTTPBlockingClient(configuration: HTTPClientConfiguration(responseLimits: HTTPParserLimits(maximumBodySize: 1000)))
        defer { client.close() }
        let error = Self.expectFailure { () throws(HTTPClientError) in
            try client.execute(HTTPClientRequest(method: .get, url: try! Self.url(server.address, "/size?bytes=5000")))
        }
        guard case let .invalidResponse(parseError)? = error else {
            Issue.record("expected invalidResponse, got \(String(describing: error))")
            return
        }
        #expect(parseError.reason == .bodyTooLarge(limit: 1000))
    }

    @Test func localhostAndResolvedNamesWork() throws {
        let server = try HTTPServerFixture()
        let client = try HTTPBlockingClient()
        defer { client.close() }
        let response = try client.execute(HTTPClientRequest(method: .get, url: HTTPURL(parsing: "http://localhost:\(server.address.port)/items/x")))
        #expect(response.status == .ok)
        let resolved = try HTTPHostResolver.blockingResolve(host: "localhost", port: 8080).get()
        #expect(resolved.isLoopback)
        #expect(resolved.port == 8080)
    }

    @Test func shutdownFailsPendingRequests() throws {
        let server = try HTTPServerFixture { $0.responseTimeout = nil }
        let client = try HTTPBlockingClient()
        let url = try Self.url(server.address, "/never")
        let outcome = Recorded<HTTPClientError?>(nil)
        SystemTestSupport.concurrently(2) { role in
            if role == 0 {
                do throws(HTTPClientError) {
                    _ = try client.execute(HTTPClientRequest(method: .get, url: url))
                } catch {
                    outcome.update { $0 = error }
                }
            } else {
                usleep(100_000)
                client.close()
            }
        }
        #expect(outcome.value == .shutDown)
    }

    @Test(arguments: [
        ("http://127.0.0.1:8080/hook?x=1#frag", "127.0.0.1", UInt16(8080), "/hook?x=1", "127.0.0.1:8080"),
        ("HTTP://Example.COM", "example.com", 80, "/", "example.com"),
        ("http://h?q", "h", 80, "/?q", "h"),
        ("http://[::1]:9000/a", "::1", 9000, "/a", "[::1]:9000"),
        ("http://[::1]/a", "::1", 80, "/a", "[::1]"),
    ])
    func urlsParse(_ text: String, _ host: String, _ port: UInt16, _ target: String, _ hostField: String) throws {
        let url = try HTTPURL(parsing: text)
        #expect(url.host == host)
        #expect(url.port == port)
        #expect(url.target == target)
        #expect(url.hostField == hostField)
    }

    @Test(arguments: [
        ("https://example.com/", HTTPURLError.unsupportedScheme("https")),
        ("ftp://x/", .unsupportedScheme("ftp")),
        ("example.com/x", .missingScheme("example.com/x")),
        ("http:///x", .missingHost("http:///x")),
        ("http://h:0/", .invalidPort("0")),
        ("http://h:65536/", .invalidPort("65536")),
        ("http://h:/", .invalidPort("")),
        ("http://user@h/", .userInfoNotSupported),
        ("http://[::1/", .invalidHost("[::1")),
        ("http://[zz]/", .invalidHost("zz")),
        ("http://h/a b", .invalidTarget("/a b")),
        ("http://h/\u{e9}", .invalidTarget("/\u{e9}")),
    ])
    func badURLsAreRefused(_ text: String, _ error: HTTPURLError) {
        #expect(throws: error) { try HTTPURL(parsing: text) }
    }
}

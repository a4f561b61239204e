import Glibc
import Testing
@testable import Transport

/// The server over real sockets on 127.0.0.1: keep-alive, pipelining, content framing,
/// asynchronous handlers, and HEAD.
@Suite("HTTP server", .serialized)
struct HTTPServerTests {
    @Test func keepAliveServesSeveralRequestsOnOneConnection() throws {
        let server = try HTTPServerFixture()
        let client = try RawHTTPConnection(server.address)
        for index in 0..<5 {
            try client.send("GET /items/\(index)?q=k%20\(index) HTTP/1.1\r\nHost: test\r\n\r\n")
            let response = try #require(try client.read(1).first)
            #expect(response.head.status == .ok)
            #expect(response.text == "item \(index) q=k \(index)")
            #expect(response.head.headers["Date"] == "Sun, 06 Nov 1994 08:49:37 GMT")
            #expect(response.head.headers["Server"] == "Vigil")
            #expect(response.head.headers["Connection"] == nil)
            #expect(response.head.isKeepAlive)
        }
        #expect(server.statistics.connectionsAccepted == 1)
        #expect(server.statistics.requests == 5)
    }

    @Test func pipelinedRequestsInOneWriteAreAnsweredInOrder() throws {
        let server = try HTTPServerFixture()
        let client = try RawHTTPConnection(server.address)
        // Slow ones first: a server answering as handlers finish would reorder these.
        var stream = ""
        let delays = [60, 0, 30, 0, 10, 0, 45, 5]
        for (index, delay) in delays.enumerated() {
            stream += "GET /slow?ms=\(delay)&tag=\(index) HTTP/1.1\r\nHost: test\r\n\r\n"
        }
        stream += "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 4\r\n\r\nlast"
        try client.send(stream)
        let responses = try client.read(delays.count + 1, methods: Array(repeating: .get, count: delays.count) + [.post])
        #expect(responses.map(\.text) == delays.indices.map { "slow \($0)" } + ["last"])
        #expect(server.statistics.connectionsAccepted == 1)
    }

    @Test func pipelinedRequestsSplitAcrossWritesAreAnsweredInOrder() throws {
        let server = try HTTPServerFixture()
        let client = try RawHTTPConnection(server.address)
        var stream: [UInt8] = []
        for index in 0..<30 {
            stream += Array("PUT /echo HTTP/1.1\r\nHost: t\r\nContent-Length: \(String(index).count)\r\n\r\n\(index)".utf8)
        }
        var random = HTTPRandom(seed: 11)
        for chunk in HTTPParseHarness.randomSplits(stream, random: &random) {
            try client.send(Array(chunk))
        }
        let responses = try client.read(30, methods: Array(repeating: .put, count: 30))
        #expect(responses.map(\.text) == (0..<30).map(String.init))
    }

    @Test func chunkedRequestContentIsReassembledWithTrailers() throws {
        let server = try HTTPServerFixture()
        let client = try RawHTTPConnection(server.address)
        try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n")
        try client.send("7;ext=1\r\nchunked\r\n")
        try client.send("1\r\n \r\n5\r\nbody!\r\n0\r\nX-Sum: 13\r\n\r\n")
        let response = try #require(try client.read(1, methods: [.post]).first)
        #expect(response.text == "chunked body!")
        #expect(response.head.headers["X-Trailers"] == "X-Sum=13")
        #expect(response.head.headers["Content-Length"] == "13")
    }

    @Test func largeContentUpToTheLimitIsAccepted() throws {
        let server = try HTTPServerFixture()
        let client = try RawHTTPConnection(server.address)
        let body = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try client.send(Array("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body)
        let response = try #require(try client.read(1, methods: [.post], timeout: .seconds(20)).first)
        #expect(response.head.status == .ok)
        #expect(response.body == body)
    }

    @Test func expectContinueGets100BeforeTheContentIsSent() throws {
        let server = try HTTPServerFixture()
        let client = try RawHTTPConnection(server.address)
        try client.send("PUT /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
        let interim = try client.socket.receive(exactly: 25)
        #expect(String(decoding: interim, as: UTF8.self) == "HTTP/1.1 100 Continue\r\n\r\n")
        try client.send("hello")
        let response = try #require(try client.read(1, methods: [.put]).first)
        #expect(response.text == "hello")
    }

    @Test func handlersMayAnswerFromAnotherThread() throws {
        let server = try HTTPServerFixture()
        let client = try RawHTTPConnection(server.address)
        try client.send("GET /thread HTTP/1.1\r\nHost: t\r\n\r\nGET /items/after HTTP/1.1\r\nHost: t\r\n\r\n")
        let responses = try client.read(2)
        #expect(responses.map(\.text) == ["from another thread", "item after q=-"])
    }

    @Test func headResponsesCarryTheLengthButNoContent() throws {
        let server = try HTTPServerFixture()
        let client = try RawHTTPConnection(server.address)
        try client.send("HEAD /size?bytes=1000 HTTP/1.1\r\nHost: t\r\n\r\nGET /size?bytes=3 HTTP/1.1\r\nHost: t\r\n\r\n")
        let responses = try client.read(2, methods: [.head, .get])
        #expect(responses.first?.head.headers["Content-Length"] == "1000")
        #expect(responses.first?.body.isEmpty == true)
        #expect(responses.last?.text == "zzz")
    }

    @Test func http10ClientsAreClosedUnlessTheyAskForKeepAlive() throws {
        let server = try HTTPServerFixture()
        let keep = try RawHTTPConnection(server.address)
        try keep.send("GET /items/1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        let first = try #require(try keep.read(1).first)
        #expect(first.head.headers["Connection"] == "keep-alive")
        try keep.send("GET /items/2 HTTP/1.0\r\n\r\n")
        let second = try #require(try keep.read(1).first)
        #expect(second.head.headers["Connection"] == "close")
        #expect(keep.serverCloses())
    }

    @Test func connectionCloseIsHonouredAndLaterPipelinedRequestsIgnored() throws {
        let server = try HTTPServerFixture()
        let client = try RawHTTPConnection(server.address)
        try client.send("GET /items/1 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\nGET /items/2 HTTP/1.1\r\nHost: t\r\n\r\n")
        let response = try #require(try client.read(1).first)
        #expect(response.text == "item 1 q=-")
        #expect(response.head.headers["Connection"] == "close")
        #expect(client.serverCloses())
        let asked = try RawHTTPConnection(server.address)
        try asked.send("GET /close HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try asked.read(1).first?.head.headers["Connection"] == "close")
        #expect(asked.serverCloses())
        #expect(server.statistics.requests == 2)
    }

    @Test func halfClosedClientsGetTheirResponses() throws {
        let server = try HTTPServerFixture()
        let client = try RawHTTPConnection(server.address)
        try client.send("GET /items/a HTTP/1.1\r\nHost: t\r\n\r\nGET /slow?ms=20&tag=b HTTP/1.1\r\nHost: t\r\n\r\n")
        try client.socket.shutdownOutput()
        let responses = try client.read(2)
        #expect(responses.map(\.text) == ["item a q=-", "slow b"])
        #expect(client.serverCloses())
    }

    @Test func manyClientsAtOnce() throws {
        let server = try HTTPServerFixture()
        let address = server.address
        let failures = Recorded<[String]>([])
        SystemTestSupport.concurrently(8) { worker in
            do {
                let client = try RawHTTPConnection(address)
                for round in 0..<25 {
                    let body = "w\(worker)r\(round)"
                    try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
                    let response = try client.read(1, methods: [.post]).first
                    if response?.text != body { failures.update { $0.append("\(worker)/\(round): \(String(describing: response?.text))") } }
                }
            } catch {
                failures.update { $0.append("\(worker): \(error)") }
            }
        }
        #expect(failures.value.isEmpty, "\(failures.value)")
        #expect(server.statistics.requests == 200)
        #expect(server.statistics.connectionsAccepted == 8)
    }
}

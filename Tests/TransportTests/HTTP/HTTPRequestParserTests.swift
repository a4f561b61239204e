import Testing
@testable import Transport

/// Valid requests: what each parses to, fed whole, byte by byte and in random splits.
@Suite("HTTP request parser: valid requests")
struct HTTPRequestParserTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let bytes: String
        let method: HTTPMethod
        let target: String
        let version: HTTPVersion
        let headers: [(String, String)]
        let body: String
        var trailers: [(String, String)] = []
        var keepAlive = true
        var expectsContinue = false

        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "simple GET", bytes: "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
             method: .get, target: "/", version: .http1_1, headers: [("Host", "a")], body: ""),
        Case(name: "query and many fields", bytes: "GET /v1/x?a=1&b=%20 HTTP/1.1\r\nHost: example.com:8080\r\nUser-Agent: t/1\r\nAccept: */*\r\nX-Empty:\r\n\r\n",
             method: .get, target: "/v1/x?a=1&b=%20", version: .http1_1,
             headers: [("Host", "example.com:8080"), ("User-Agent", "t/1"), ("Accept", "*/*"), ("X-Empty", "")], body: ""),
        Case(name: "value whitespace trimmed, inner kept, tab allowed", bytes: "GET / HTTP/1.1\r\nHost:a\r\nX-A: \t one  two \t\r\n\r\n",
             method: .get, target: "/", version: .http1_1, headers: [("Host", "a"), ("X-A", "one  two")], body: ""),
        Case(name: "obs-text in value is kept as UTF-8", bytes: "GET / HTTP/1.1\r\nHost: a\r\nX-Name: caf\u{e9}\r\n\r\n",
             method: .get, target: "/", version: .http1_1, headers: [("Host", "a"), ("X-Name", "caf\u{e9}")], body: ""),
        Case(name: "POST with Content-Length", bytes: "POST /messages HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world",
             method: .post, target: "/messages", version: .http1_1, headers: [("Host", "a"), ("Content-Length", "11")], body: "hello world"),
        Case(name: "Content-Length with equal duplicates", bytes: "PUT /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\ncontent-length: 3\r\n\r\nabc",
             method: .put, target: "/x", version: .http1_1, headers: [("Host", "a"), ("Content-Length", "3, 3"), ("content-length", "3")], body: "abc"),
        Case(name: "Content-Length with leading zeros", bytes: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 003\r\n\r\nxyz",
             method: .post, target: "/", version: .http1_1, headers: [("Host", "a"), ("Content-Length", "003")], body: "xyz"),
        Case(name: "chunked with extensions and trailers",
             bytes: "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value;flag\r\nhello\r\n6 ; q=\"a \\\"b\\\" c\"\r\n world\r\n0\r\nX-Checksum: 42\r\nX-More: yes\r\n\r\n",
             method: .post, target: "/c", version: .http1_1, headers: [("Host", "a"), ("Transfer-Encoding", "chunked")],
             body: "hello world", trailers: [("X-Checksum", "42"), ("X-More", "yes")]),
        Case(name: "chunked, upper-case hex and coding name, leading zeros",
             bytes: "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: CHUNKED\r\n\r\n000A\r\n0123456789\r\n00\r\n\r\n",
             method: .post, target: "/c", version: .http1_1, headers: [("Host", "a"), ("Transfer-Encoding", "CHUNKED")], body: "0123456789"),
        Case(name: "HTTP/1.0 without Host closes", bytes: "GET /old HTTP/1.0\r\n\r\n",
             method: .get, target: "/old", version: .http1_0, headers: [], body: "", keepAlive: false),
        Case(name: "HTTP/1.0 keep-alive", bytes: "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",
             method: .get, target: "/", version: .http1_0, headers: [("Connection", "Keep-Alive")], body: ""),
        Case(name: "Connection: close among tokens", bytes: "GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade, CLOSE\r\n\r\n",
             method: .get, target: "/", version: .http1_1, headers: [("Host", "a"), ("Connection", "upgrade, CLOSE")], body: "", keepAlive: false),
        Case(name: "Expect: 100-continue", bytes: "POST /u HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 2\r\n\r\nok",
             method: .post, target: "/u", version: .http1_1, headers: [("Host", "a"), ("Expect", "100-Continue"), ("Content-Length", "2")],
             body: "ok", expectsContinue: true),
        Case(name: "Expect in HTTP/1.0 is ignored", bytes: "POST /u HTTP/1.0\r\nExpect: something\r\nContent-Length: 0\r\n\r\n",
             method: .post, target: "/u", version: .http1_0, headers: [("Expect", "something"), ("Content-Length", "0")], body: "", keepAlive: false),
        Case(name: "leading empty lines are skipped", bytes: "\r\n\r\nDELETE /r/1 HTTP/1.1\r\nHost: a\r\n\r\n",
             method: .delete, target: "/r/1", version: .http1_1, headers: [("Host", "a")], body: ""),
        Case(name: "custom method, absolute form", bytes: "PURGE http://h.example/p?q HTTP/1.1\r\nHost: h.example\r\n\r\n",
             method: HTTPMethod("PURGE"), target: "http://h.example/p?q", version: .http1_1, headers: [("Host", "h.example")], body: ""),
        Case(name: "OPTIONS *", bytes: "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
             method: .options, target: "*", version: .http1_1, headers: [("Host", "a")], body: ""),
        Case(name: "CONNECT authority form", bytes: "CONNECT h.example:443 HTTP/1.1\r\nHost: h.example:443\r\n\r\n",
             method: .connect, target: "h.example:443", version: .http1_1, headers: [("Host", "h.example:443")], body: ""),
        Case(name: "IPv6 host literal", bytes: "GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n",
             method: .get, target: "/", version: .http1_1, headers: [("Host", "[::1]:80")], body: ""),
        Case(name: "binary content", bytes: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\n\r\n\0\u{7f}",
             method: .post, target: "/", version: .http1_1, headers: [("Host", "a"), ("Content-Length", "4")], body: "\r\n\0\u{7f}"),
    ]

    static func check(_ outcome: ParseOutcome<HTTPRequestHead>, _ expected: Case, context: String) {
        #expect(outcome.error == nil, "\(context): \(String(describing: outcome.error))")
        guard outcome.messages.count == 1, let message = outcome.messages.first else {
            Issue.record("\(context): \(outcome.messages.count) messages")
            return
        }
        #expect(message.complete, "\(context)")
        #expect(message.head.method == expected.method, "\(context)")
        #expect(message.head.target == expected.target, "\(context)")
        #expect(message.head.version == expected.version, "\(context)")
        #expect(message.head.headers.fields == expected.headers.map { HTTPField(name: $0.0, value: $0.1) }, "\(context)")
        #expect(message.body == Array(expected.body.utf8), "\(context)")
        #expect(message.trailers.fields == expected.trailers.map { HTTPField(name: $0.0, value: $0.1) }, "\(context)")
        #expect(message.head.isKeepAlive == expected.keepAlive, "\(context)")
        #expect(message.head.expectsContinue == expected.expectsContinue, "\(context)")
    }

    @Test(arguments: cases)
    func parsesWholeByteByByteAndInRandomSplits(_ example: Case) {
        let bytes = example.bytes.httpBytes
        Self.check(HTTPParseHarness.parseRequests(HTTPParseHarness.whole(bytes), finish: true), example, context: "whole")
        Self.check(HTTPParseHarness.parseRequests(HTTPParseHarness.byteByByte(bytes), finish: true), example, context: "byte by byte")
        for seed in UInt64(0)..<50 {
            var random = HTTPRandom(seed: seed)
            let chunks = HTTPParseHarness.randomSplits(bytes, random: &random)
            Self.check(HTTPParseHarness.parseRequests(chunks, finish: true), example, context: "seed \(seed)")
        }
    }

    @Test func pipelinedRequestsParseInOrderInEverySplit() {
        let stream = Self.cases.map(\.bytes).joined().httpBytes
        let reference = HTTPParseHarness.parseRequests(HTTPParseHarness.whole(stream), finish: true)
        #expect(reference.error == nil)
        #expect(reference.messages.count == Self.cases.count)
        for (message, example) in zip(reference.messages, Self.cases) {
            #expect(message.head.target == example.target, "\(example.name)")
            #expect(message.body == Array(example.body.utf8), "\(example.name)")
        }
        #expect(HTTPParseHarness.parseRequests(HTTPParseHarness.byteByByte(stream), finish: true) == reference)
        for seed in UInt64(0)..<200 {
            var random = HTTPRandom(seed: seed)
            let outcome = HTTPParseHarness.parseRequests(HTTPParseHarness.randomSplits(stream, random: &random), finish: true)
            #expect(outcome == reference, "seed \(seed)")
        }
    }

    @Test func pathAndQueryOfEveryTargetForm() {
        let examples: [(String, String, String?)] = [
            ("/a/b?x=1", "/a/b", "x=1"), ("/a", "/a", nil), ("/?", "/", ""),
            ("http://h/p/q?z", "/p/q", "z"), ("http://h", "/", nil), ("http://h?x", "/", "x"), ("*", "*", nil),
        ]
        for (target, path, query) in examples {
            let head = HTTPRequestHead(method: .get, target: target)
            #expect(head.path == path[...], "\(target)")
            #expect(head.query.map(String.init) == query, "\(target)")
        }
    }

    @Test func bodyIsHandedOutInPiecesWithoutBufferingAhead() throws {
        var parser = HTTPRequestParser()
        parser.feed("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n0123".httpBytes)
        guard case .head? = try parser.next() else { Issue.record("no head"); return }
        #expect(parser.isExpectingContent)
        #expect(try parser.next() == .body("0123".httpBytes[...]))
        #expect(try parser.next() == nil)
        parser.feed("456789GET".httpBytes)
        #expect(try parser.next() == .body("456789".httpBytes[...]))
        #expect(try parser.next() == .end(trailers: HTTPHeaders()))
        // The next request's bytes stay buffered until asked for.
        #expect(parser.bufferedByteCount == 3)
        #expect(try parser.next() == nil)
        #expect(!parser.isAtMessageBoundary)
    }

    @Test func endOfStreamInsideARequestIsAnError() {
        for text in ["GET / HTTP/1.1\r\nHost: a\r\n", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nab",
                     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", "GET / HT"] {
            let outcome = HTTPParseHarness.parseRequests(HTTPParseHarness.whole(text.httpBytes), finish: true)
            #expect(outcome.reason == .unexpectedEndOfStream, "\(text)")
        }
        let clean = HTTPParseHarness.parseRequests(HTTPParseHarness.whole("GET / HTTP/1.1\r\nHost: a\r\n\r\n".httpBytes), finish: true)
        #expect(clean.error == nil)
        #expect(clean.messages.count == 1)
    }

    @Test func headAtExactlyTheLimitIsAcceptedOneMoreByteIsNot() {
        let limit = 256
        let prefix = "GET / HTTP/1.1\r\nHost: a\r\nX-Pad: "
        let fill = limit - prefix.utf8.count - 4  // the value, then CRLF CRLF
        let exact = prefix + String(repeating: "p", count: fill) + "\r\n\r\n"
        #expect(exact.utf8.count == limit)
        let limits = HTTPParserLimits(maximumHeadSize: limit)
        let accepted = HTTPParseHarness.parseRequests(HTTPParseHarness.whole(exact.httpBytes), limits: limits)
        #expect(accepted.error == nil)
        #expect(accepted.messages.first?.head.headers["x-pad"]?.utf8.count == fill)
        let over = prefix + String(repeating: "p", count: fill + 1) + "\r\n\r\n"
        for chunks in [HTTPParseHarness.whole(over.httpBytes), HTTPParseHarness.byteByByte(over.httpBytes)] {
            let refused = HTTPParseHarness.parseRequests(chunks, limits: limits)
            #expect(refused.reason == .headTooLarge(limit: limit))
            #expect(refused.error?.status == .requestHeaderFieldsTooLarge)
        }
    }

    @Test func anOversizedHeadIsRefusedBeforeItsEndArrives() throws {
        var parser = HTTPRequestParser(limits: HTTPParserLimits(maximumHeadSize: 1024))
        parser.feed("GET / HTTP/1.1\r\nX: ".httpBytes + [UInt8](repeating: UInt8(ascii: "a"), count: 1100))
        #expect(throws: HTTPParseError.self) { try parser.next() }
        #expect(parser.hasFailed)
        parser.feed("\r\n\r\n".httpBytes)
        #expect(try parser.next() == nil)
    }

    @Test func bareLineFeedIsAcceptedOnlyWhenAllowed() {
        let text = "POST / HTTP/1.1\nHost: a\nTransfer-Encoding: chunked\n\n3\nabc\n0\n\n"
        let strict = HTTPParseHarness.parseRequests(HTTPParseHarness.whole(text.httpBytes))
        #expect(strict.reason == .bareLineFeed)
        #expect(strict.error?.line == 1)
        let lenient = HTTPParseHarness.parseRequests(
            HTTPParseHarness.byteByByte(text.httpBytes), limits: HTTPParserLimits(acceptsBareLineFeed: true))
        #expect(lenient.error == nil)
        #expect(lenient.messages.first?.body == "abc".httpBytes)
        #expect(lenient.messages.first?.complete == true)
    }
}

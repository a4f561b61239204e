import Testing
@testable import Transport

/// The client's response parser: framing by request method and status, errors, splits.
@Suite("HTTP response parser")
struct HTTPResponseParserTests {
    static func parseAllSplits(_ text: String, requests: [HTTPMethod] = [.get], finish: Bool = true) -> ParseOutcome<HTTPResponseHead> {
        let bytes = text.httpBytes
        let whole = HTTPParseHarness.parseResponses(HTTPParseHarness.whole(bytes), requests: requests, finish: finish)
        #expect(HTTPParseHarness.parseResponses(HTTPParseHarness.byteByByte(bytes), requests: requests, finish: finish) == whole, "byte by byte")
        for seed in UInt64(0)..<30 {
            var random = HTTPRandom(seed: seed)
            let split = HTTPParseHarness.parseResponses(HTTPParseHarness.randomSplits(bytes, random: &random), requests: requests, finish: finish)
            #expect(split == whole, "seed \(seed)")
        }
        return whole
    }

    @Test func contentLengthResponse() {
        let outcome = Self.parseAllSplits("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello")
        #expect(outcome.error == nil)
        let message = outcome.messages.first
        #expect(message?.head.status == .ok)
        #expect(message?.head.status.reasonPhrase == "OK")
        #expect(message?.head.headers["content-type"] == "text/plain")
        #expect(message?.body == "hello".httpBytes)
        #expect(message?.complete == true)
        #expect(message?.head.isKeepAlive == true)
    }

    @Test func chunkedResponseWithTrailers() {
        let outcome = Self.parseAllSplits("HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nwiki\r\n5\r\npedia\r\n0\r\nDigest: x\r\n\r\n")
        #expect(outcome.error == nil)
        #expect(outcome.messages.first?.body == "wikipedia".httpBytes)
        #expect(outcome.messages.first?.trailers["digest"] == "x")
    }

    @Test func bodyUntilCloseEndsAtFinish() {
        let outcome = Self.parseAllSplits("HTTP/1.0 200 OK\r\n\r\nall of this until the end")
        #expect(outcome.error == nil)
        #expect(outcome.messages.first?.body == "all of this until the end".httpBytes)
        #expect(outcome.messages.first?.complete == true)
        #expect(outcome.messages.first?.head.isKeepAlive == false)
        let unfinished = HTTPParseHarness.parseResponses(HTTPParseHarness.whole("HTTP/1.1 200 OK\r\n\r\nabc".httpBytes), finish: false)
        #expect(unfinished.messages.first?.complete == false)
    }

    @Test func headResponsesAndBodilessStatusesHaveNoContent() {
        let text = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + "HTTP/1.1 204 No Content\r\n\r\n"
            + "HTTP/1.1 304 Not Modified\r\nContent-Length: 7\r\n\r\n" + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
        let outcome = Self.parseAllSplits(text, requests: [.head, .get, .get, .get])
        #expect(outcome.error == nil)
        #expect(outcome.messages.map(\.head.status.code) == [200, 204, 304, 200])
        #expect(outcome.messages.map(\.body) == [[], [], [], "ok".httpBytes])
        #expect(outcome.messages.allSatisfy { $0.complete })
    }

    @Test func interimResponsesPrecedeTheFinalOne() {
        let outcome = Self.parseAllSplits("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx")
        #expect(outcome.error == nil)
        #expect(outcome.messages.map(\.head.status.code) == [100, 103, 200])
        #expect(outcome.messages.last?.body == "x".httpBytes)
    }

    @Test func statusLineVariants() {
        let noPhrase = Self.parseAllSplits("HTTP/1.1 404\r\nContent-Length: 0\r\n\r\n")
        #expect(noPhrase.messages.first?.head.status.code == 404)
        #expect(noPhrase.messages.first?.head.status.reasonPhrase == "")
        let emptyPhrase = Self.parseAllSplits("HTTP/1.1 500 \r\nContent-Length: 0\r\n\r\n")
        #expect(emptyPhrase.messages.first?.head.status.code == 500)
        let longPhrase = Self.parseAllSplits("HTTP/1.1 418 I'm a teapot, really\r\nContent-Length: 0\r\n\r\n")
        #expect(longPhrase.messages.first?.head.status.reasonPhrase == "I'm a teapot, really")
    }

    @Test(arguments: [
        ("HTTP/1.1 20 OK\r\n\r\n", HTTPParseError.Reason.invalidStatusCode),
        ("HTTP/1.1 20\r\n\r\n", .invalidStatusLine),
        ("HTTP/1.1 2000 OK\r\n\r\n", .invalidStatusLine),
        ("HTTP/1.1 abc OK\r\n\r\n", .invalidStatusCode),
        ("HTTP/1.1 099 Low\r\n\r\n", .invalidStatusCode),
        ("HTTP/1.1 600 High\r\n\r\n", .invalidStatusCode),
        ("HTTP/2 200 OK\r\n\r\n", .invalidVersion),
        ("HTTP/2.0 200 OK\r\n\r\n", .unsupportedVersion(major: 2, minor: 0)),
        ("ICY 200 OK\r\n\r\n", .invalidVersion),
        ("HTTP/1.1 200 O\u{1}K\r\n\r\n", .invalidStatusLine),
        ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n", .unsupportedUpgrade),
        ("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n", .contentLengthWithTransferEncoding),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", .unsupportedTransferCoding("gzip")),
        ("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", .conflictingContentLength),
        ("HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n", .obsoleteLineFolding),
        ("HTTP/1.1 200 OK\r\nContent-Length: 5000000\r\n\r\n", .bodyTooLarge(limit: 4 * 1024 * 1024)),
        ("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab", .unexpectedEndOfStream),
        ("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", .unsolicitedResponse),
    ])
    func refusesMalformedResponses(_ text: String, _ reason: HTTPParseError.Reason) {
        let outcome = Self.parseAllSplits(text, requests: [.get])
        #expect(outcome.reason == reason, "\(text.debugDescription)")
    }

    @Test func pendingResponsesAreCounted() throws {
        var parser = HTTPResponseParser()
        parser.expectResponse(to: .post)
        parser.expectResponse(to: .get)
        #expect(parser.pendingResponseCount == 2)
        parser.feed("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".httpBytes)
        while try parser.next() != nil {}
        #expect(parser.pendingResponseCount == 1)
        #expect(parser.isAtMessageBoundary)
    }
}

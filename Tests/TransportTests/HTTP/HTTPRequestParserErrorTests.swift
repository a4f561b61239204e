import Testing
@testable import Transport

/// Malformed requests: each refused with its precise reason and status, in every split.
@Suite("HTTP request parser: errors")
struct HTTPRequestParserErrorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let bytes: [UInt8]
        let reason: HTTPParseError.Reason
        let status: Int
        var line: Int?
        var limits = HTTPParserLimits()

        init(_ name: String, _ text: String, _ reason: HTTPParseError.Reason, _ status: Int = 400, line: Int? = nil,
             limits: HTTPParserLimits = HTTPParserLimits()) {
            self.name = name
            self.bytes = Array(text.utf8)
            self.reason = reason
            self.status = status
            self.line = line
            self.limits = limits
        }

        init(_ name: String, bytes: [UInt8], _ reason: HTTPParseError.Reason, _ status: Int = 400) {
            self.name = name
            self.bytes = bytes
            self.reason = reason
            self.status = status
        }

        var testDescription: String { name }
    }

    static let host = "Host: a\r\n"
    static let cases: [Case] = [
        // Request line.
        Case("no spaces", "GET\r\n\r\n", .invalidRequestLine, line: 1),
        Case("two spaces between parts", "GET  / HTTP/1.1\r\n\r\n", .invalidRequestLine),
        Case("trailing space", "GET / HTTP/1.1 \r\n\r\n", .invalidRequestLine),
        Case("space in target", "GET /a b HTTP/1.1\r\n\r\n", .invalidRequestLine),
        Case("leading space", " GET / HTTP/1.1\r\n\r\n", .invalidRequestLine),
        Case("tab separator", "GET\t/ HTTP/1.1\r\n\r\n", .invalidRequestLine),
        Case("method with a bad byte", "GE(T / HTTP/1.1\r\n\r\n", .invalidMethod),
        Case("method with non-ASCII", "G\u{c9}T / HTTP/1.1\r\n\r\n", .invalidMethod),
        Case("target with a control byte", "GET /a\u{1}b HTTP/1.1\r\n\r\n", .invalidTarget),
        Case("target with non-ASCII", "GET /caf\u{e9} HTTP/1.1\r\n\r\n", .invalidTarget),
        Case("relative target", "GET a/b HTTP/1.1\r\nHost: a\r\n\r\n", .invalidTarget),
        Case("asterisk without OPTIONS", "GET * HTTP/1.1\r\nHost: a\r\n\r\n", .invalidTarget),
        Case("CONNECT with a path", "CONNECT /x HTTP/1.1\r\nHost: a\r\n\r\n", .invalidTarget),
        Case("lower-case version", "GET / http/1.1\r\n\r\n", .invalidVersion),
        Case("version without minor", "GET / HTTP/1\r\n\r\n", .invalidVersion),
        Case("two-digit minor", "GET / HTTP/1.10\r\n\r\n", .invalidVersion),
        Case("HTTP/2.0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", .unsupportedVersion(major: 2, minor: 0), 505),
        Case("HTTP/1.2", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", .unsupportedVersion(major: 1, minor: 2), 505),
        Case("HTTP/0.9 style", "GET /\r\n\r\n", .invalidRequestLine),
        Case("bare CR in request line", "GET /\r HTTP/1.1\r\n\r\n", .bareCarriageReturn),
        // Field lines.
        Case("obs-fold", "GET / HTTP/1.1\r\nHost: a\r\nX-A: one\r\n two\r\n\r\n", .obsoleteLineFolding, line: 4),
        Case("obs-fold with tab", "GET / HTTP/1.1\r\nHost: a\r\nX-A: one\r\n\ttwo\r\n\r\n", .obsoleteLineFolding, line: 4),
        Case("whitespace after the start line", "GET / HTTP/1.1\r\n Host: a\r\n\r\n", .whitespaceAfterStartLine, line: 2),
        Case("missing colon", "GET / HTTP/1.1\r\nHost: a\r\nJunk\r\n\r\n", .missingColon, line: 3),
        Case("empty name", "GET / HTTP/1.1\r\nHost: a\r\n: v\r\n\r\n", .invalidFieldName),
        Case("space before colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", .whitespaceBeforeColon, line: 2),
        Case("tab before colon", "GET / HTTP/1.1\r\nHost\t: a\r\n\r\n", .whitespaceBeforeColon),
        Case("space inside name", "GET / HTTP/1.1\r\nX Y: a\r\n\r\n", .invalidFieldName),
        Case("separator in name", "GET / HTTP/1.1\r\nX(Y): a\r\n\r\n", .invalidFieldName),
        Case("non-ASCII name", "GET / HTTP/1.1\r\nX\u{e9}: a\r\n\r\n", .invalidFieldName),
        Case("NUL in value", "GET / HTTP/1.1\r\nHost: a\r\nX-A: a\u{0}b\r\n\r\n", .invalidFieldValue(name: "X-A")),
        Case("DEL in value", "GET / HTTP/1.1\r\nHost: a\r\nX-A: a\u{7f}\r\n\r\n", .invalidFieldValue(name: "X-A")),
        Case("escape in value", "GET / HTTP/1.1\r\nHost: a\r\nX-A: \u{1b}[0m\r\n\r\n", .invalidFieldValue(name: "X-A")),
        Case("bare CR in value", "GET / HTTP/1.1\r\nHost: a\r\nX-A: a\rb\r\n\r\n", .bareCarriageReturn, line: 3),
        Case("bare LF ends a field", "GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n", .bareLineFeed, line: 2),
        Case("bare LF ends the head", "GET / HTTP/1.1\r\nHost: a\r\n\n", .bareLineFeed, line: 3),
        // Framing.
        Case("negative Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", .invalidContentLength("-1")),
        Case("plus-signed Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n", .invalidContentLength("+5")),
        Case("hex Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x10\r\n\r\n", .invalidContentLength("0x10")),
        Case("empty Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", .invalidContentLength("")),
        Case("Content-Length with inner space", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1 2\r\n\r\n", .invalidContentLength("1 2")),
        Case("Content-Length list with an empty element", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5,\r\n\r\n", .invalidContentLength("5,")),
        Case("overflowing Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n",
             .invalidContentLength("99999999999999999999")),
        Case("differing Content-Length fields", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", .conflictingContentLength),
        Case("differing Content-Length list", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 6\r\n\r\n", .conflictingContentLength),
        Case("Transfer-Encoding with Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
             .contentLengthWithTransferEncoding),
        Case("Content-Length after Transfer-Encoding", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 0\r\n\r\n",
             .contentLengthWithTransferEncoding),
        Case("Transfer-Encoding in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", .transferEncodingInHTTP10),
        Case("gzip, chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", .unsupportedTransferCoding("gzip, chunked"), 501),
        Case("chunked not final", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", .invalidTransferEncoding("chunked, gzip")),
        Case("chunked twice", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
             .invalidTransferEncoding("chunked, chunked")),
        Case("empty Transfer-Encoding", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \r\n\r\n", .invalidTransferEncoding("")),
        Case("identity coding", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\n", .invalidTransferEncoding("identity")),
        Case("missing Host", "GET / HTTP/1.1\r\n\r\n", .missingHost),
        Case("two Host fields", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", .multipleHosts),
        Case("Host with a slash", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", .invalidHost),
        Case("Host with a space", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", .invalidHost),
        Case("unsupported expectation", "POST / HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\nContent-Length: 1\r\n\r\nx",
             .unsupportedExpectation("200-ok"), 417),
        // Chunks.
        Case("chunk size not hex", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", .invalidChunkSize),
        Case("empty chunk size", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", .invalidChunkSize),
        Case("negative chunk size", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n", .invalidChunkSize),
        Case("0x-prefixed chunk size", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\n", .invalidChunkSize),
        Case("whitespace after chunk size", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n0\r\n\r\n", .invalidChunkSize),
        Case("overflowing chunk size", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n", .invalidChunkSize),
        Case("extension without a name", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;=x\r\n", .invalidChunkExtension),
        Case("extension with an empty value", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;a=\r\n", .invalidChunkExtension),
        Case("extension with an open quote", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;a=\"x\r\n", .invalidChunkExtension),
        Case("junk after an extension", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;a=b c\r\n", .invalidChunkExtension),
        Case("chunk data longer than announced", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n0\r\n\r\n", .missingChunkTerminator),
        Case("chunk data followed by bare LF", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\n0\r\n\r\n", .bareLineFeed),
        Case("trailer with obs-fold", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: a\r\n b\r\n\r\n", .obsoleteLineFolding, line: 2),
        Case("trailer without colon", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nnope\r\n\r\n", .missingColon, line: 1),
        // Limits.
        Case("Content-Length above the body limit", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1048577\r\n\r\n", .bodyTooLarge(limit: 1_048_576), 413),
        Case("chunks above the body limit", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n9\r\n",
             .bodyTooLarge(limit: 16), 413, limits: HTTPParserLimits(maximumBodySize: 16)),
        Case("too many fields", "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", .tooManyFields(limit: 3), 431,
             limits: HTTPParserLimits(maximumFieldCount: 3)),
        Case("long request line", "GET /" + String(repeating: "a", count: 100) + " HTTP/1.1\r\n\r\n", .headTooLarge(limit: 64), 431, line: 1,
             limits: HTTPParserLimits(maximumHeadSize: 64)),
        Case("endless empty lines", String(repeating: "\r\n", count: 40), .headTooLarge(limit: 64), 431, limits: HTTPParserLimits(maximumHeadSize: 64)),
        Case("long trailer section", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: " + String(repeating: "t", count: 80) + "\r\n\r\n",
             .headTooLarge(limit: 64), 431, limits: HTTPParserLimits(maximumHeadSize: 64)),
        Case("long chunk-size line", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;" + String(repeating: "e", count: 40) + "\r\n",
             .chunkHeaderTooLarge(limit: 32), limits: HTTPParserLimits(maximumChunkHeaderSize: 32)),
        Case("TLS handshake bytes", bytes: [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, 0x0d, 0x0a], .invalidRequestLine),
    ]

    @Test(arguments: cases)
    func refusedWithThePreciseReasonInEverySplit(_ example: Case) {
        let whole = HTTPParseHarness.parseRequests(HTTPParseHarness.whole(example.bytes), limits: example.limits)
        #expect(whole.reason == example.reason)
        #expect(whole.error?.status.code == example.status)
        if let line = example.line { #expect(whole.error?.line == line) }
        #expect(whole.messages.allSatisfy { !$0.complete }, "nothing of a refused request completes")
        let bytewise = HTTPParseHarness.parseRequests(HTTPParseHarness.byteByByte(example.bytes), limits: example.limits)
        #expect(bytewise.error == whole.error, "byte by byte")
        #expect(bytewise.messages == whole.messages, "byte by byte")
        for seed in UInt64(0)..<30 {
            var random = HTTPRandom(seed: seed)
            let split = HTTPParseHarness.parseRequests(HTTPParseHarness.randomSplits(example.bytes, random: &random), limits: example.limits)
            #expect(split.error == whole.error, "seed \(seed)")
        }
    }

    @Test func errorsAfterAGoodRequestLeaveItComplete() {
        let stream = "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost : a\r\n\r\n".httpBytes
        let outcome = HTTPParseHarness.parseRequests(HTTPParseHarness.whole(stream))
        #expect(outcome.messages.count == 1)
        #expect(outcome.messages.first?.complete == true)
        #expect(outcome.reason == .whitespaceBeforeColon)
        #expect(outcome.error?.streamOffset == 45)
        #expect(outcome.error?.section == .headers)
    }

    @Test func statusesAndDescriptionsNameTheProblem() {
        let error = HTTPParseError(.obsoleteLineFolding, section: .headers, line: 3, streamOffset: 40)
        #expect(error.description == "400 Bad Request: obsolete line folding in header field (line 3)")
        #expect(HTTPParseError(.headTooLarge(limit: 16384), section: .headers).status == .requestHeaderFieldsTooLarge)
        #expect(HTTPParseError(.bodyTooLarge(limit: 1), section: .body).status.code == 413)
    }
}

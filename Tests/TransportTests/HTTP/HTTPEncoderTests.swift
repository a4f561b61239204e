import Testing
@testable import Transport

/// Response and request encoders: exact bytes, framing they own, refusal of injection, and
/// round trips through the parsers.
@Suite("HTTP encoders")
struct HTTPEncoderTests {
    static let date = "Sun, 06 Nov 1994 08:49:37 GMT"

    @Test func responseBytesAreExact() throws {
        let encoder = HTTPResponseEncoder(serverName: "Vigil")
        let response = HTTPResponse.json(.ok, #"{"ok":true}"#, headers: ["X-Request-ID": "r1"])
        let bytes = try encoder.encode(response, context: .init(requestMethod: .post, date: Self.date))
        #expect(String(decoding: bytes, as: UTF8.self) == "HTTP/1.1 200 OK\r\nX-Request-ID: r1\r\nContent-Type: application/json\r\n"
            + "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\nServer: Vigil\r\nContent-Length: 11\r\n\r\n{\"ok\":true}")
    }

    @Test func framingFieldsAreTheEncodersOwn() throws {
        let encoder = HTTPResponseEncoder()
        let response = HTTPResponse(status: .ok, headers: [
            "Content-Length": "999", "Transfer-Encoding": "chunked", "Connection": "keep-alive", "Keep-Alive": "timeout=5", "Date": "custom",
        ], body: Array("abc".utf8))
        let text = String(decoding: try encoder.encode(response, context: .init(requestMethod: .get, closesConnection: true, date: Self.date)), as: UTF8.self)
        #expect(text == "HTTP/1.1 200 OK\r\nDate: custom\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc")
    }

    @Test func headAndBodilessStatusesSendNoContent() throws {
        let encoder = HTTPResponseEncoder()
        let head = try encoder.encode(.text(.ok, "hello"), context: .init(requestMethod: .head))
        #expect(String(decoding: head, as: UTF8.self).hasSuffix("Content-Length: 5\r\n\r\n"))
        let noContent = try encoder.encode(HTTPResponse(status: .noContent, body: Array("x".utf8)), context: .init(requestMethod: .delete))
        #expect(String(decoding: noContent, as: UTF8.self) == "HTTP/1.1 204 No Content\r\n\r\n")
        let http10 = try encoder.encode(.text(.ok, ""), context: .init(requestMethod: .get, requestVersion: .http1_0))
        #expect(String(decoding: http10, as: UTF8.self).contains("Connection: keep-alive\r\n"))
    }

    @Test(arguments: [
        HTTPResponse(status: .ok, headers: ["X-Evil": "a\r\nSet-Cookie: x"]),
        HTTPResponse(status: .ok, headers: ["X-Evil": "a\nb"]),
        HTTPResponse(status: .ok, headers: ["X-Evil": "a\u{0}b"]),
        HTTPResponse(status: .ok, headers: ["Bad Name": "v"]),
        HTTPResponse(status: .ok, headers: ["": "v"]),
        HTTPResponse(status: HTTPStatus(code: 200, reasonPhrase: "OK\r\nX: y")),
        HTTPResponse(status: HTTPStatus(code: 99)),
        HTTPResponse(status: HTTPStatus(code: 101)),
    ])
    func injectionIsRefusedAndNothingIsAppended(_ response: HTTPResponse) {
        var buffer = Array("previous".utf8)
        #expect(throws: HTTPEncodingError.self) {
            try HTTPResponseEncoder().encode(response, context: .init(requestMethod: .get), into: &buffer)
        }
        #expect(buffer == Array("previous".utf8))
    }

    @Test func encodedResponsesParseBack() throws {
        let encoder = HTTPResponseEncoder(serverName: "Vigil")
        var random = HTTPRandom(seed: 7)
        var stream: [UInt8] = []
        var expected: [HTTPResponse] = []
        for index in 0..<50 {
            let body = random.bytes(random.int(0...2000))
            let status = [HTTPStatus.ok, .created, .notFound, .contentTooLarge, .internalServerError][index % 5]
            let response = HTTPResponse(status: status, headers: ["X-Index": "\(index)"], body: body)
            try encoder.encode(response, context: .init(requestMethod: .get, date: Self.date), into: &stream)
            expected.append(response)
        }
        let outcome = HTTPParseHarness.parseResponses(
            HTTPParseHarness.randomSplits(stream, random: &random), requests: Array(repeating: .get, count: 50), finish: true)
        #expect(outcome.error == nil)
        #expect(outcome.messages.count == 50)
        for (message, response) in zip(outcome.messages, expected) {
            #expect(message.head.status == response.status)
            #expect(message.head.headers["x-index"] == response.headers["X-Index"])
            #expect(message.head.headers["date"] == Self.date)
            #expect(message.body == response.body)
        }
    }

    @Test func requestBytesAreExactAndParseBack() throws {
        let head = HTTPRequestHead(method: .post, target: "/hook?x=1", headers: ["Host": "127.0.0.1:9000", "Content-Type": "application/json", "Content-Length": "1"])
        var bytes: [UInt8] = []
        try HTTPRequestEncoder.encode(head, body: Array("{}".utf8), into: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self)
            == "POST /hook?x=1 HTTP/1.1\r\nHost: 127.0.0.1:9000\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
        let parsed = HTTPParseHarness.parseRequests(HTTPParseHarness.byteByByte(bytes), finish: true)
        #expect(parsed.error == nil)
        #expect(parsed.messages.first?.body == Array("{}".utf8))
        var get: [UInt8] = []
        try HTTPRequestEncoder.encode(HTTPRequestHead(method: .get, target: "/", headers: ["Host": "h"]), body: [], closesConnection: true, into: &get)
        #expect(String(decoding: get, as: UTF8.self) == "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
    }

    @Test func requestInjectionIsRefused() {
        var buffer: [UInt8] = []
        #expect(throws: HTTPEncodingError.invalidMethod("GE T")) {
            try HTTPRequestEncoder.encode(HTTPRequestHead(method: HTTPMethod("GE T"), target: "/"), body: [], into: &buffer)
        }
        #expect(throws: HTTPEncodingError.invalidTarget("/a b")) {
            try HTTPRequestEncoder.encode(HTTPRequestHead(method: .get, target: "/a b"), body: [], into: &buffer)
        }
        #expect(throws: HTTPEncodingError.invalidFieldValue(name: "X")) {
            try HTTPRequestEncoder.encode(HTTPRequestHead(method: .get, target: "/", headers: ["X": "1\r\nY: 2"]), body: [], into: &buffer)
        }
        #expect(buffer.isEmpty)
    }

    @Test(arguments: [
        (Int64(0), "Thu, 01 Jan 1970 00:00:00 GMT"),
        (784_111_777, "Sun, 06 Nov 1994 08:49:37 GMT"),
        (951_782_400, "Tue, 29 Feb 2000 00:00:00 GMT"),
        (1_700_000_000, "Tue, 14 Nov 2023 22:13:20 GMT"),
        (4_133_980_799, "Fri, 31 Dec 2100 23:59:59 GMT"), (4_107_542_399, "Sun, 28 Feb 2100 23:59:59 GMT"),
        (-1, "Wed, 31 Dec 1969 23:59:59 GMT"),
        (-2_208_988_800, "Mon, 01 Jan 1900 00:00:00 GMT"),
    ])
    func datesAreIMFFixdate(_ seconds: Int64, _ text: String) {
        #expect(HTTPDate.format(secondsSinceEpoch: seconds) == text)
    }

    @Test func datesAgreeWithTheCLibraryOverManyDays() {
        var random = HTTPRandom(seed: 3)
        for _ in 0..<2000 {
            let seconds = Int64(random.int(-2_000_000_000...7_000_000_000))
            #expect(HTTPDate.format(secondsSinceEpoch: seconds) == HTTPDateReference.format(seconds), "\(seconds)")
        }
    }
}

import Testing
@testable import Transport

/// Route patterns, matching and specificity, 404/405, query strings and percent-decoding.
@Suite("HTTP router")
struct HTTPRouterTests {
    static func router() -> HTTPRouter {
        var router = HTTPRouter()
        let ignore: HTTPHandler = { _, _ in }
        router.add(.post, "/{version}/{phoneNumberID}/messages", ignore)       // 0
        router.add(.get, "/{version}/{phoneNumberID}", ignore)                  // 1
        router.add(.get, "/v1/me", ignore)                                      // 2
        router.add(.delete, "/{version}/{phoneNumberID}", ignore)               // 3
        router.add(.get, "/health", ignore)                                     // 4
        router.add(.head, "/health", ignore)                                    // 5
        router.add(.get, "/", ignore)                                           // 6
        router.add(.get, "/files/{name}/", ignore)                              // 7
        return router
    }

    @Test(arguments: [
        (HTTPMethod.post, "/v19.0/1234/messages", HTTPRouteResult.matched(route: 0, parameters: ["version": "v19.0", "phoneNumberID": "1234"])),
        (.get, "/v19.0/1234", .matched(route: 1, parameters: ["version": "v19.0", "phoneNumberID": "1234"])),
        (.get, "/v1/me", .matched(route: 2, parameters: [:])),
        (.get, "/v2/me", .matched(route: 1, parameters: ["version": "v2", "phoneNumberID": "me"])),
        (.delete, "/v1/me", .matched(route: 3, parameters: ["version": "v1", "phoneNumberID": "me"])),
        (.head, "/v1/42", .matched(route: 1, parameters: ["version": "v1", "phoneNumberID": "42"])),
        (.head, "/health", .matched(route: 5, parameters: [:])),
        (.get, "/", .matched(route: 6, parameters: [:])),
        (.get, "/a%20b/%E2%82%AC", .matched(route: 1, parameters: ["version": "a b", "phoneNumberID": "\u{20ac}"])),
        (.get, "/x/a%2Fb", .matched(route: 1, parameters: ["version": "x", "phoneNumberID": "a/b"])),
        (.get, "/files/report/", .matched(route: 7, parameters: ["name": "report"])),
        (.get, "/files/report", .matched(route: 1, parameters: ["version": "files", "phoneNumberID": "report"])),
        (.get, "/nothing/here/at/all", .notFound),
        (.get, "/v1/1234/messages", .methodNotAllowed(allowed: [.post])),
        (.put, "/v1/1234", .methodNotAllowed(allowed: [.delete, .get, .head])),
        (.post, "/health", .methodNotAllowed(allowed: [.get, .head])),
        (.get, "/v1//", .notFound),
        (.get, "/bad%zz/x", .invalidPath),
        (.get, "/bad%ff/x", .invalidPath),
        (.get, "/bad%2/x", .invalidPath),
    ])
    func routes(_ method: HTTPMethod, _ path: String, _ expected: HTTPRouteResult) {
        #expect(Self.router().route(method: method, path: path) == expected)
    }

    @Test func pathsSplitIntoDecodedSegmentsEmptyOnesKept() {
        #expect(HTTPRouter.decodedSegments("/") == [""])
        #expect(HTTPRouter.decodedSegments("/a//b/") == ["a", "", "b", ""])
        #expect(HTTPRouter.decodedSegments("/é/ü%2F/👍") == ["é", "ü/", "👍"])
        #expect(HTTPRouter.decodedSegments("/v22.0/106540352242922/messages"[...]) == ["v22.0", "106540352242922", "messages"])
        #expect(HTTPRouter.decodedSegments("*") == ["*"])
        #expect(HTTPRouter.decodedSegments("a/b") == nil)
        #expect(HTTPRouter.decodedSegments("") == nil)
        #expect(HTTPRouter.decodedSegments("/a/%") == nil)
        // A combining mark after a `/` makes one Character of both: not a separator.
        #expect(HTTPRouter.decodedSegments("/a/\u{301}b") == ["a/\u{301}b"])
    }

    @Test func invalidPatternsAreRejected() {
        for pattern in ["nope", "/a/{}", "/{a}/{a}", "/a{b}", "/{a}b", "/{a{b}}"] {
            #expect(HTTPRoutePattern(pattern) == nil, "\(pattern)")
        }
        #expect(HTTPRoutePattern("/a/{b}/c")?.segments == [.literal("a"), .parameter("b"), .literal("c")])
    }

    @Test func queriesAreSplitAndDecoded() throws {
        let query = try HTTPQuery(parsing: "a=1&b=x%20y&c&d=&e=1+2%2B3&&a=2&%E2%82%AC=%F0%9F%98%80&k=v=w")
        #expect(query.items.map(\.name) == ["a", "b", "c", "d", "e", "a", "\u{20ac}", "k"])
        #expect(query["a"] == "1")
        #expect(query.values(for: "a") == ["1", "2"])
        #expect(query["b"] == "x y")
        #expect(query["c"] == "")
        #expect(query["d"] == "")
        #expect(query["e"] == "1 2+3")
        #expect(query["\u{20ac}"] == "\u{1f600}")
        #expect(query["k"] == "v=w")
        #expect(query["missing"] == nil)
        #expect(try HTTPQuery(parsing: "").isEmpty)
    }

    @Test func brokenPercentEncodingInQueriesIsAnError() {
        #expect(throws: HTTPQueryError.invalidPercentEncoding("%4")) { try HTTPQuery(parsing: "a=%4") }
        #expect(throws: HTTPQueryError.invalidPercentEncoding("%gg")) { try HTTPQuery(parsing: "%gg=1") }
        #expect(throws: HTTPQueryError.invalidPercentEncoding("%C3%28")) { try HTTPQuery(parsing: "x=%C3%28") }
    }

    @Test func requestQueryParametersUseTheTarget() throws {
        let request = HTTPRequest(head: HTTPRequestHead(method: .get, target: "/v1/x?fields=id%2Cname&limit=5"))
        #expect(request.path == "/v1/x")
        #expect(try request.queryParameters()["fields"] == "id,name")
        #expect(try HTTPRequest(head: HTTPRequestHead(method: .get, target: "/")).queryParameters().isEmpty)
    }

    @Test func percentEncodingRoundTrips() {
        for text in ["plain", "a b/c?d=e&f", "\u{20ac}\u{1f600}", "", "100%"] {
            #expect(HTTPPercentEncoding.decode(HTTPPercentEncoding.encode(text)) == text)
        }
        #expect(HTTPPercentEncoding.encode("a b~") == "a%20b~")
    }
}

import Testing
@testable import CloudAPI
import Transport

/// `Authorization: Bearer …` as the Graph routes read it.
@Suite("Cloud API bearer token parsing")
struct BearerTokenTests {
    static func token(_ value: String?) -> String? {
        var headers = HTTPHeaders()
        if let value { headers = ["Authorization": value] }
        return CloudAPIRoutes.bearerToken(HTTPRequest(head: HTTPRequestHead(method: .post, target: "/v22.0/1/messages", headers: headers)))
    }

    @Test("the scheme is case-insensitive; blanks around the token are dropped, inside it kept")
    func parsing() {
        #expect(Self.token("Bearer EAAVabc") == "EAAVabc")
        #expect(Self.token("bearer EAAVabc") == "EAAVabc")
        #expect(Self.token("BEARER   EAAVabc \t ") == "EAAVabc")
        #expect(Self.token("Bearer \tEAAV abc") == "EAAV abc")
        #expect(Self.token("Basic dXNlcjpwYXNz") == nil)
        #expect(Self.token("Bearer") == nil)
        #expect(Self.token(nil) == nil)
        // What `split(separator: " ", maxSplits: 1)` made of them before the byte scan.
        #expect(Self.token("  Bearer  x y ") == "x y")
        #expect(Self.token("Bearer ") == nil)
        #expect(Self.token("Bearer  ") == "")
        #expect(Self.token("Bearer\tx") == nil)
        #expect(Self.token("Bearerx y") == nil)
        #expect(Self.token("Bearér x") == nil)
        #expect(Self.token("Bearer é👍") == "é👍")
        // Non-ASCII text keeps the Character split's answers: a combining mark joins the space
        // before it, and a prefix mark the space after it.
        #expect(Self.token("Bearer \u{301}abc") == nil)
        #expect(Self.token("Bearer  \u{301}x") == " \u{301}x")
        #expect(Self.token("Bearer abc\u{600} ") == "abc\u{600} ")
    }
}

import Testing
@testable import Integrity

/// The HTTP API's `Authorization` parsing: Bearer, and Basic with the token as the password
/// (browsers on the dashboard), over RFC 4648's base64.
@Suite struct AuthorizationTests {
    @Test(arguments: [("", ""), ("Zg==", "f"), ("Zm8=", "fo"), ("Zm9v", "foo"), ("Zm9vYg==", "foob"),
                      ("Zm9vYmE=", "fooba"), ("Zm9vYmFy", "foobar")])
    func base64DecodesRFC4648Vectors(encoded: String, decoded: String) {
        #expect(Base64.decode(Array(encoded.utf8)) == Array(decoded.utf8))
    }

    @Test(arguments: ["Zg=", "Zg=a", "Z===", "Zm9v\n", "Zm 9", "Zm9-", "=Zm9", "QR==", "Zm9=", "Zh=="])
    func base64RefusesNonCanonicalText(encoded: String) {
        #expect(Base64.decode(Array(encoded.utf8)) == nil)
    }

    @Test func theTokenComesFromBearerOrTheBasicPassword() {
        #expect(ReportService.presentedToken(Array("Bearer abc123".utf8)) == Array("abc123".utf8))
        #expect(ReportService.presentedToken(Array("bEaReR abc123".utf8)) == Array("abc123".utf8))
        // "vigil:s3cret:with:colons" — the password is everything after the first colon.
        #expect(ReportService.presentedToken(Array("Basic dmlnaWw6czNjcmV0OndpdGg6Y29sb25z".utf8)) == Array("s3cret:with:colons".utf8))
        #expect(ReportService.presentedToken(Array("Basic dmlnaWw=".utf8)) == nil, "no colon: no password")
        #expect(ReportService.presentedToken(Array("Basic !!!!".utf8)) == nil)
        #expect(ReportService.presentedToken(Array("Digest abc".utf8)) == nil)
        #expect(ReportService.presentedToken(Array("Bearer".utf8)) == nil)
    }
}

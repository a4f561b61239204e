import Testing
@testable import Integrity
import Transport

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

    /// A stand-in for `vigil`'s SHA-256 (Integrity's tests link no hash): each byte XOR 0x36,
    /// zero-padded or cut to 32 bytes. Not one-way; what matters here is that only the digest is
    /// configured and the presented token is digested before the comparison.
    static let standIn = TokenHasher(name: "test stand-in") { secret in
        Array((secret.map { $0 ^ 0x36 } + Array(repeating: 0, count: 32)).prefix(32))
    }

    @Test func onlyTheTokensDigestIsConfiguredAndEveryByteCounts() throws {
        let token = "0123456789abcdef0123456789abcdef"
        let digest = try #require(Self.standIn.digest(of: Array(token.utf8)))
        #expect(digest.bytes != Array(token.utf8))
        let configuration = ReportServiceConfiguration(tokenDigest: digest, tokenHasher: Self.standIn)
        #expect(configuration.authorizes("Bearer " + token))
        #expect(configuration.authorizes("Basic " + Self.base64("operator:" + token)))
        #expect(!configuration.authorizes(nil))
        #expect(!configuration.authorizes("Bearer "))
        #expect(!configuration.authorizes("Token " + token))
        #expect(!configuration.authorizes("Basic " + Self.base64("operator:" + token.dropLast())))
        for index in token.indices {
            var wrong = Array(token.utf8)
            wrong[token.distance(from: token.startIndex, to: index)] ^= 1
            #expect(!configuration.authorizes("Bearer " + String(decoding: wrong, as: UTF8.self)), "byte \(token.distance(from: token.startIndex, to: index))")
        }
        // A hasher that fails refuses everyone, even the right token.
        let failing = ReportServiceConfiguration(tokenDigest: digest, tokenHasher: TokenHasher(name: "failing") { _ in nil })
        #expect(!failing.authorizes("Bearer " + token))
    }

    /// RFC 4648 base64 of `text`'s UTF-8 (test side, independent of `Base64.decode`).
    static func base64(_ text: some StringProtocol) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        let bytes = Array(text.utf8)
        var out = ""
        for start in stride(from: 0, to: bytes.count, by: 3) {
            let chunk = Array(bytes[start..<min(start + 3, bytes.count)])
            let value = chunk.enumerated().reduce(0) { $0 | Int($1.element) << (16 - 8 * $1.offset) }
            for position in 0..<4 {
                out.append(position <= chunk.count ? alphabet[(value >> (18 - 6 * position)) & 63] : "=")
            }
        }
        return out
    }
}

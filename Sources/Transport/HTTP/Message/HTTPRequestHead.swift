/// The start line and header fields of a request (RFC 9112 §3).
public struct HTTPRequestHead: Hashable, Sendable, CustomStringConvertible {
    /// The method.
    public var method: HTTPMethod
    /// The request target as sent: origin form (`/path?query`), absolute form
    /// (`http://host/path`), `*` (for `OPTIONS`) or authority form (for `CONNECT`).
    public var target: String
    /// The protocol version.
    public var version: HTTPVersion
    /// The header fields.
    public var headers: HTTPHeaders

    /// A request head.
    public init(method: HTTPMethod, target: String, version: HTTPVersion = .http1_1, headers: HTTPHeaders = HTTPHeaders()) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
    }

    /// Whether the client allows the connection to stay open after the response (RFC 9112 §9.3):
    /// HTTP/1.1 unless `Connection: close`; HTTP/1.0 only with `Connection: keep-alive`.
    public var isKeepAlive: Bool {
        HTTPConnectionSemantics.isKeepAlive(version: version, headers: headers)
    }

    /// Whether the client waits for `100 Continue` before sending the content
    /// (`Expect: 100-continue` on an HTTP/1.1 request; RFC 9110 §10.1.1).
    public var expectsContinue: Bool {
        version >= .http1_1 && headers.containsToken("100-continue", inField: "Expect")
    }

    /// The path part of an origin-form target (before `?`), still percent-encoded; for an
    /// absolute-form target, the path after the authority (`/` if empty); otherwise the target.
    public var path: Substring {
        HTTPTarget.split(target).path
    }

    /// The query part of the target after `?` (without it), still percent-encoded; nil if none.
    public var query: Substring? {
        HTTPTarget.split(target).query
    }

    /// `POST /path HTTP/1.1` and the fields, one per line.
    public var description: String {
        headers.isEmpty ? "\(method) \(target) \(version)" : "\(method) \(target) \(version)\n\(headers)"
    }
}

/// Keep-alive rules shared by requests and responses.
enum HTTPConnectionSemantics {
    /// RFC 9112 §9.3: `close` ends the connection; otherwise 1.1 persists and 1.0 persists only
    /// with `keep-alive`.
    static func isKeepAlive(version: HTTPVersion, headers: HTTPHeaders) -> Bool {
        if headers.containsToken("close", inField: "Connection") { return false }
        if version >= .http1_1 { return true }
        return headers.containsToken("keep-alive", inField: "Connection")
    }
}

/// Splitting request targets into path and query.
enum HTTPTarget {
    /// The path and query of `target`; an absolute-form target loses its scheme and authority.
    static func split(_ target: String) -> (path: Substring, query: Substring?) {
        var rest = Substring(target)
        if !rest.hasPrefix("/"), let authorityStart = authorityStart(in: rest) {
            let afterAuthority = rest[authorityStart...]
            let pathStart = afterAuthority.firstIndex { $0 == "/" || $0 == "?" } ?? afterAuthority.endIndex
            rest = afterAuthority[pathStart...]
            if rest.isEmpty { return ("/", nil) }
            if rest.hasPrefix("?") { return ("/", rest.dropFirst()) }
        }
        guard let mark = rest.firstIndex(of: "?") else { return (rest, nil) }
        return (rest[..<mark], rest[rest.index(after: mark)...])
    }

    /// The index after `://` in an absolute-form target, or nil.
    private static func authorityStart(in target: Substring) -> Substring.Index? {
        let bytes = target.utf8
        var index = bytes.startIndex
        while index != bytes.endIndex {
            if bytes[index] == UInt8(ascii: ":") {
                let rest = bytes[bytes.index(after: index)...]
                guard rest.starts(with: "//".utf8) else { return nil }
                return bytes.index(index, offsetBy: 3)
            }
            if bytes[index] == UInt8(ascii: "/") || bytes[index] == UInt8(ascii: "?") { return nil }
            index = bytes.index(after: index)
        }
        return nil
    }
}

import Glibc

/// An `http://host[:port][/path][?query]` URL, the only kind ``HTTPClient`` fetches.
///
/// Plain HTTP only: `https` is refused (``HTTPURLError/unsupportedScheme(_:)``) — the
/// transport has no TLS. A fragment is dropped; user information (`user@host`) is refused.
public struct HTTPURL: Hashable, Sendable, CustomStringConvertible {
    /// The host as written, without the brackets of an IPv6 literal, lowercased.
    public let host: String
    /// The port (80 when omitted).
    public let port: UInt16
    /// The path and query, percent-encoded: the request target (`/` when empty).
    public let target: String

    /// Parses `text`.
    public init(parsing text: String) throws(HTTPURLError) {
        let scheme = text.prefix { $0 != ":" }
        guard scheme.count < text.count, text.dropFirst(scheme.count).hasPrefix("://") else { throw .missingScheme(text) }
        guard HTTPHeaders.nameEquals(scheme, "http") else { throw .unsupportedScheme(String(scheme)) }
        var rest = text.dropFirst(scheme.count + 3)
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard !authority.contains("@") else { throw .userInfoNotSupported }
        let hostPart: Substring
        var portPart: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw .invalidHost(String(authority)) }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let afterHost = authority[authority.index(after: close)...]
            if !afterHost.isEmpty {
                guard afterHost.hasPrefix(":") else { throw .invalidHost(String(authority)) }
                portPart = afterHost.dropFirst()
            }
            guard SocketAddress.parseNumericHost(String(hostPart), family: AF_INET6, byteCount: 16) != nil else {
                throw .invalidHost(String(hostPart))
            }
        } else {
            if let colon = authority.lastIndex(of: ":") {
                hostPart = authority[..<colon]
                portPart = authority[authority.index(after: colon)...]
            } else {
                hostPart = authority
            }
            guard !hostPart.isEmpty else { throw .missingHost(text) }
            guard hostPart.utf8.allSatisfy({ HTTPSyntax.isHostByte($0) && $0 != UInt8(ascii: ":") && $0 != UInt8(ascii: "[") && $0 != UInt8(ascii: "]") })
            else { throw .invalidHost(String(hostPart)) }
        }
        var port: UInt16 = 80
        if let portPart {
            guard !portPart.isEmpty, portPart.utf8.count <= 5, portPart.utf8.allSatisfy(HTTPSyntax.isDigit),
                  let value = UInt16(portPart), value > 0
            else { throw .invalidPort(String(portPart)) }
            port = value
        }
        var target = String(rest[authorityEnd...])
        if target.isEmpty { target = "/" } else if target.hasPrefix("?") { target = "/" + target }
        guard target.utf8.allSatisfy(HTTPSyntax.isTargetByte) else { throw .invalidTarget(target) }
        self.host = String(hostPart).lowercased()
        self.port = port
        self.target = target
    }

    /// Whether the host is an IPv6 literal.
    public var isIPv6Literal: Bool { host.contains(":") }

    /// The `Host` field value: `host` or `host:port`, an IPv6 literal in brackets.
    public var hostField: String {
        let name = isIPv6Literal ? "[\(host)]" : host
        return port == 80 ? name : "\(name):\(port)"
    }

    /// `http://host:port/target`.
    public var description: String { "http://\(hostField)\(target)" }
}

/// Why text is not a URL the client fetches.
public enum HTTPURLError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No `scheme://`.
    case missingScheme(String)
    /// A scheme other than `http` (`https` needs TLS, which the transport does not have).
    case unsupportedScheme(String)
    /// No host.
    case missingHost(String)
    /// A host with characters a host cannot have, or a malformed IPv6 literal.
    case invalidHost(String)
    /// A port that is not 1…65535.
    case invalidPort(String)
    /// A path or query with bytes outside visible ASCII (percent-encode them).
    case invalidTarget(String)
    /// `user:password@` in the authority.
    case userInfoNotSupported

    /// One line.
    public var description: String {
        switch self {
        case let .missingScheme(text): return "\"\(text)\" is not an http:// URL"
        case let .unsupportedScheme(scheme): return "scheme \(scheme) is not supported (plain http only)"
        case let .missingHost(text): return "no host in \"\(text)\""
        case let .invalidHost(host): return "invalid host \"\(host)\""
        case let .invalidPort(port): return "invalid port \"\(port)\""
        case let .invalidTarget(target): return "invalid path or query \"\(target)\" (percent-encode it)"
        case .userInfoNotSupported: return "user information in URLs is not supported"
        }
    }
}

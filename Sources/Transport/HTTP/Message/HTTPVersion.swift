/// An HTTP protocol version as written on a start line, `HTTP/<major>.<minor>`.
///
/// The parsers accept only 1.0 and 1.1 (other well-formed versions are refused with
/// ``HTTPParseError/Reason/unsupportedVersion(major:minor:)``, status 505).
public struct HTTPVersion: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The major version digit.
    public let major: UInt8
    /// The minor version digit.
    public let minor: UInt8

    /// The version `major.minor`.
    public init(major: UInt8, minor: UInt8) {
        self.major = major
        self.minor = minor
    }

    /// HTTP/1.0 (RFC 1945): connections close after each response unless keep-alive is asked for.
    public static let http1_0 = HTTPVersion(major: 1, minor: 0)
    /// HTTP/1.1 (RFC 9112): persistent connections by default.
    public static let http1_1 = HTTPVersion(major: 1, minor: 1)

    /// Orders by major, then minor version.
    public static func < (lhs: HTTPVersion, rhs: HTTPVersion) -> Bool {
        (lhs.major, lhs.minor) < (rhs.major, rhs.minor)
    }

    /// `HTTP/1.1`.
    public var description: String { "HTTP/\(major).\(minor)" }
}

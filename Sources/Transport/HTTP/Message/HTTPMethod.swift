/// An HTTP request method (RFC 9110 §9): a case-sensitive token such as `GET` or `POST`.
///
/// Any token is a method; the common ones are constants. Parsed methods that match a constant
/// compare equal to it, since equality is on the name.
public struct HTTPMethod: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The method's name as it appears on the request line.
    public let rawValue: String

    /// A method named `rawValue`. The name must be a token (RFC 9110 §5.6.2) to be sent; the
    /// request encoder refuses one that is not.
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// A method named `name`.
    public init(_ name: String) {
        self.rawValue = name
    }

    /// `GET`.
    public static let get = HTTPMethod("GET")
    /// `HEAD`: a `GET` whose response carries no content.
    public static let head = HTTPMethod("HEAD")
    /// `POST`.
    public static let post = HTTPMethod("POST")
    /// `PUT`.
    public static let put = HTTPMethod("PUT")
    /// `DELETE`.
    public static let delete = HTTPMethod("DELETE")
    /// `PATCH` (RFC 5789).
    public static let patch = HTTPMethod("PATCH")
    /// `OPTIONS`.
    public static let options = HTTPMethod("OPTIONS")
    /// `CONNECT`.
    public static let connect = HTTPMethod("CONNECT")
    /// `TRACE`.
    public static let trace = HTTPMethod("TRACE")

    /// Whether the method is idempotent (RFC 9110 §9.2.2), so a request may be retried safely.
    public var isIdempotent: Bool {
        switch rawValue {
        case "GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE": return true
        default: return false
        }
    }

    /// The name.
    public var description: String { rawValue }
}

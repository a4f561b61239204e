/// An IPv4 or IPv6 address with a TCP port: a small value, parsed from and printed as
/// "127.0.0.1:8080" or "[::1]:8080". Port 0 asks the kernel for an ephemeral port when binding.
///
/// Only numeric addresses: there is no name resolution in the transport.
public struct SocketAddress: Hashable, Sendable, CustomStringConvertible {
    /// The address family.
    public enum Family: Sendable, Hashable {
        /// IPv4 (`AF_INET`).
        case ipv4
        /// IPv6 (`AF_INET6`).
        case ipv6
    }

    /// The address family.
    public let family: Family
    /// The TCP port in host byte order; 0 means "any" (an ephemeral port when binding).
    public var port: UInt16
    /// The address bytes in network order: 4 for IPv4, 16 for IPv6.
    public let addressBytes: [UInt8]
    /// The IPv6 scope (interface index) for link-local addresses; 0 otherwise and for IPv4.
    public let scopeID: UInt32

    /// An IPv4 address from its four octets.
    public init(ipv4 octets: [UInt8], port: UInt16) {
        precondition(octets.count == 4, "an IPv4 address has 4 octets")
        self.family = .ipv4
        self.addressBytes = octets
        self.port = port
        self.scopeID = 0
    }

    /// An IPv6 address from its sixteen bytes.
    public init(ipv6 bytes: [UInt8], port: UInt16, scopeID: UInt32 = 0) {
        precondition(bytes.count == 16, "an IPv6 address has 16 bytes")
        self.family = .ipv6
        self.addressBytes = bytes
        self.port = port
        self.scopeID = scopeID
    }

    /// 127.0.0.1 with `port`.
    public static func loopbackIPv4(port: UInt16 = 0) -> SocketAddress {
        SocketAddress(ipv4: [127, 0, 0, 1], port: port)
    }

    /// ::1 with `port`.
    public static func loopbackIPv6(port: UInt16 = 0) -> SocketAddress {
        SocketAddress(ipv6: [UInt8](repeating: 0, count: 15) + [1], port: port)
    }

    /// The same address with another port.
    public func withPort(_ port: UInt16) -> SocketAddress {
        var copy = self
        copy.port = port
        return copy
    }

    /// Whether this is 127.0.0.0/8 or ::1.
    public var isLoopback: Bool {
        switch family {
        case .ipv4: return addressBytes[0] == 127
        case .ipv6: return addressBytes == SocketAddress.loopbackIPv6().addressBytes
        }
    }

    /// The numeric host without the port: "127.0.0.1" or "::1".
    public var host: String { SocketAddress.presentationForm(of: self) }

    /// "127.0.0.1:8080" or "[::1]:8080".
    public var description: String {
        switch family {
        case .ipv4: return "\(host):\(port)"
        case .ipv6: return "[\(host)]:\(port)"
        }
    }
}

/// Why a socket address string could not be parsed.
public enum SocketAddressError: Error, Sendable, Hashable, CustomStringConvertible {
    /// There is no ":PORT" part (an IPv6 host must be in brackets: "[::1]:8080").
    case missingPort(String)
    /// The port is not a decimal number in 0...65535.
    case invalidPort(String)
    /// The host is not a numeric IPv4 or IPv6 address.
    case invalidHost(String)

    /// A one-line account of the problem.
    public var description: String {
        switch self {
        case let .missingPort(text): return "no port in address \"\(text)\" (expected HOST:PORT or [IPv6]:PORT)"
        case let .invalidPort(text): return "invalid port \"\(text)\" (expected 0...65535)"
        case let .invalidHost(text): return "invalid host \"\(text)\" (expected a numeric IPv4 or IPv6 address)"
        }
    }
}

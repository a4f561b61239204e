import Transport

/// Where a listening command binds: every `--listen`/`--http` option is configurable and defaults
/// to the loopback interface, so nothing is reachable from another host unless the operator says
/// so. `HOST:PORT` or `[IPv6]:PORT` binds there; a bare `PORT` (or `:PORT`) binds 127.0.0.1.
enum ListenAddress {
    /// The loopback host every default binds.
    static let defaultHost = "127.0.0.1"

    /// `text` as a bind address, or `127.0.0.1:defaultPort` when the option was not given.
    static func parse(_ text: String?, option: String, defaultPort: UInt16) throws(CLIError) -> SocketAddress {
        guard let text else { return .loopbackIPv4(port: defaultPort) }
        let spelled = text.allSatisfy(\.isNumber) ? defaultHost + ":" + text
            : text.hasPrefix(":") ? defaultHost + text : text
        do throws(SocketAddressError) {
            return try SocketAddress(parsing: spelled)
        } catch {
            throw CLIError("\(option): \(error)")
        }
    }

    /// A start-up note when `address` is reachable from other hosts (nil on loopback).
    static func exposureNote(_ address: SocketAddress, option: String) -> String? {
        address.isLoopback ? nil
            : "\(option) \(address) is reachable from other hosts: Vigil speaks plain TCP/HTTP, so put TLS and a firewall in front (SECURITY.md)"
    }
}

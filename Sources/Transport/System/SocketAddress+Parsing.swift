import Glibc

extension SocketAddress {
    /// Parses "A.B.C.D:PORT" or "[IPv6]:PORT" (e.g. "127.0.0.1:0", "[::1]:8080").
    public init(parsing text: String) throws(SocketAddressError) {
        let hostPart: Substring
        let portPart: Substring
        let isBracketed = text.hasPrefix("[")
        if isBracketed {
            guard let close = text.firstIndex(of: "]") else { throw .invalidHost(text) }
            hostPart = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw .missingPort(text) }
            portPart = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw .missingPort(text) }
            hostPart = text[..<colon]
            // An unbracketed IPv6 host ("::1:80") is ambiguous.
            guard !hostPart.contains(":") else { throw .missingPort(text) }
            portPart = text[text.index(after: colon)...]
        }
        let port = try SocketAddress.parsePort(portPart)
        if isBracketed {
            guard let bytes = SocketAddress.parseNumericHost(String(hostPart), family: AF_INET6, byteCount: 16) else {
                throw .invalidHost(String(hostPart))
            }
            self.init(ipv6: bytes, port: port)
        } else {
            guard let bytes = SocketAddress.parseNumericHost(String(hostPart), family: AF_INET, byteCount: 4) else {
                throw .invalidHost(String(hostPart))
            }
            self.init(ipv4: bytes, port: port)
        }
    }

    /// A decimal port in 0...65535, digits only.
    static func parsePort(_ text: Substring) throws(SocketAddressError) -> UInt16 {
        guard !text.isEmpty, text.utf8.count <= 5 else { throw .invalidPort(String(text)) }
        var value = 0
        for byte in text.utf8 {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { throw .invalidPort(String(text)) }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        guard let port = UInt16(exactly: value) else { throw .invalidPort(String(text)) }
        return port
    }

    /// `inet_pton` for one family; nil when `text` is not an address of that family.
    static func parseNumericHost(_ text: String, family: Int32, byteCount: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: 16)
        let result = bytes.withUnsafeMutableBytes { inet_pton(family, text, $0.baseAddress) }
        guard result == 1 else { return nil }
        return Array(bytes.prefix(byteCount))
    }

    /// `inet_ntop` of the address bytes.
    static func presentationForm(of address: SocketAddress) -> String {
        let family = address.family == .ipv4 ? AF_INET : AF_INET6
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let ok = address.addressBytes.withUnsafeBytes { bytes in
            text.withUnsafeMutableBufferPointer { inet_ntop(family, bytes.baseAddress, $0.baseAddress, socklen_t($0.count)) != nil }
        }
        guard ok else { return "?" }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

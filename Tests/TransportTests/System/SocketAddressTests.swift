import Testing
@testable import Transport

@Suite("SocketAddress")
struct SocketAddressTests {
    @Test(arguments: [
        ("127.0.0.1:8080", "127.0.0.1:8080", SocketAddress.Family.ipv4, UInt16(8080)),
        ("127.0.0.1:0", "127.0.0.1:0", .ipv4, 0),
        ("[::1]:443", "[::1]:443", .ipv6, 443),
        ("[::1]:0", "[::1]:0", .ipv6, 0),
        ("10.1.2.3:65535", "10.1.2.3:65535", .ipv4, 65535),
        ("[fe80::1:2]:9", "[fe80::1:2]:9", .ipv6, 9),
    ])
    func parsesAndPrints(text: String, printed: String, family: SocketAddress.Family, port: UInt16) throws {
        let address = try SocketAddress(parsing: text)
        #expect(address.family == family)
        #expect(address.port == port)
        #expect(address.description == printed)
        #expect(try SocketAddress(parsing: address.description) == address)
    }

    @Test func loopbackConstructors() {
        #expect(SocketAddress.loopbackIPv4(port: 7).description == "127.0.0.1:7")
        #expect(SocketAddress.loopbackIPv6(port: 7).description == "[::1]:7")
        #expect(SocketAddress.loopbackIPv4().isLoopback)
        #expect(SocketAddress.loopbackIPv6().isLoopback)
        #expect(SocketAddress.loopbackIPv4(port: 1).withPort(2).port == 2)
    }

    @Test(arguments: [
        ("127.0.0.1", SocketAddressError.missingPort("127.0.0.1")),
        ("::1:80", .missingPort("::1:80")),
        ("[::1]", .missingPort("[::1]")),
        ("127.0.0.1:", .invalidPort("")),
        ("127.0.0.1:65536", .invalidPort("65536")),
        ("127.0.0.1:-1", .invalidPort("-1")),
        ("127.0.0.1:80a", .invalidPort("80a")),
        ("localhost:80", .invalidHost("localhost")),
        ("256.0.0.1:80", .invalidHost("256.0.0.1")),
        ("[127.0.0.1]:80", .invalidHost("127.0.0.1")),
        ("[::1:80", .invalidHost("[::1:80")),
    ])
    func rejectsMalformed(text: String, expected: SocketAddressError) {
        #expect(throws: expected) { try SocketAddress(parsing: text) }
    }
}

import Testing
@testable import Transport

@Suite("TCP scale")
struct TCPScaleTests {
    @Test func aThousandIdleConnectionsDoNotStopService() throws {
        let wanted = 1_000
        // Each connection costs two descriptors here (client and server side).
        let limit = try ResourceLimits.raiseOpenFiles(toAtLeast: 2 * wanted + 512)
        let count = min(wanted, (limit - 512) / 2)
        #expect(count == wanted, "descriptor limit \(limit) allows only \(count) connections")
        let server = try ServerFixture()
        var idle: [TCPClientSocket] = []
        idle.reserveCapacity(count)
        for _ in 0..<count {
            idle.append(try TCPClientSocket(connectingTo: server.address))
        }
        #expect(SystemTestSupport.waitUntil { server.accepted.value == count })
        let start = SystemClock().now()
        let fresh = try TCPClientSocket(connectingTo: server.address)
        try fresh.send("fresh")
        #expect(try fresh.receive(exactly: 5, timeout: .seconds(2)) == Array("fresh".utf8))
        #expect(SystemClock().now() - start < .seconds(1))
        for index in stride(from: 0, to: count, by: count / 10) {
            try idle[index].send([UInt8(index % 256)])
            #expect(try idle[index].receive(exactly: 1) == [UInt8(index % 256)])
        }
        for client in idle { client.close() }
        fresh.close()
        #expect(SystemTestSupport.waitUntil { server.closes.value.count == count + 1 })
    }
}

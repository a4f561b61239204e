import Testing
@testable import Transport

@Suite("TCP echo")
struct TCPEchoTests {
    @Test(arguments: [SocketAddress.loopbackIPv4(), .loopbackIPv6()])
    func manyConcurrentClientsAreEchoedExactly(bindAddress: SocketAddress) throws {
        let server = try ServerFixture(bindingTo: bindAddress)
        let address = server.address
        let failures = Recorded<[String]>([])
        // 8 threads × 8 clients, interleaving rounds across their clients, plus one large
        // message per thread that cannot be written in one go.
        SystemTestSupport.concurrently(8) { worker in
            do {
                let clients = try (0..<8).map { _ in try TCPClientSocket(connectingTo: address) }
                for round in 0..<10 {
                    for (index, client) in clients.enumerated() {
                        let seed = UInt64(worker * 1_000 + round * 10 + index)
                        let size = 1 + Int(SystemTestSupport.bytes(count: 2, seed: seed).reduce(0) { $0 * 256 + Int($1) } % 8_192)
                        let message = SystemTestSupport.bytes(count: size, seed: seed)
                        try client.send(message)
                        let echoed = try client.receive(exactly: size)
                        if echoed != message { failures.update { $0.append("worker \(worker) round \(round) client \(index)") } }
                    }
                }
                let large = SystemTestSupport.bytes(count: 1 << 20, seed: UInt64(worker))
                // Send and receive at once: with bounded buffers on both sides a 1 MiB message
                // only gets through while its echo is being read.
                // One thread sends while the other receives on the same socket, which the kernel
                // allows; nothing else touches the object meanwhile.
                nonisolated(unsafe) let socket = clients[0]
                let echoed = Recorded<Result<[UInt8], SystemError>?>(nil)
                SystemTestSupport.concurrently(2) { role in
                    do throws(SystemError) {
                        if role == 0 {
                            try socket.send(large, timeout: .seconds(10))
                        } else {
                            let bytes = try socket.receive(exactly: large.count, timeout: .seconds(10))
                            echoed.update { $0 = .success(bytes) }
                        }
                    } catch {
                        echoed.update { $0 = .failure(error) }
                    }
                }
                if try echoed.value?.get() != large { failures.update { $0.append("worker \(worker) large message") } }
                for client in clients { client.close() }
            } catch {
                failures.update { $0.append("worker \(worker): \(error)") }
            }
        }
        #expect(failures.value.isEmpty, "\(failures.value)")
        #expect(server.accepted.value == 64)
        #expect(SystemTestSupport.waitUntil { server.closes.value.count == 64 })
        #expect(server.closes.value.allSatisfy { $0 == .peerClosed })
    }
}

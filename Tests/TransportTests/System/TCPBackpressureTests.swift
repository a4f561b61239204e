import Testing
@testable import Transport

/// Echoes, except that a message starting with "flood" makes it write `chunkSize` bytes every
/// millisecond until the connection refuses (cut off), or `burst` bytes at once.
private final class FloodHandler: TCPConnectionDelegate {
    let closes: Recorded<[CloseReason]>
    let connection: Recorded<LoopBound<TCPConnection>?>
    let chunk: [UInt8]
    let burst: Int

    init(closes: Recorded<[CloseReason]>, connection: Recorded<LoopBound<TCPConnection>?>, chunkSize: Int, burst: Int = 0) {
        self.closes = closes
        self.connection = connection
        self.chunk = [UInt8](repeating: 0x55, count: chunkSize)
        self.burst = burst
    }

    func connectionDidRead(_ connection: TCPConnection) {
        let bytes = connection.inputBytes
        if bytes.starts(with: "flood".utf8) {
            connection.consumeInput(bytes.count)
            self.connection.update { $0 = LoopBound(connection, on: connection.loop) }
            if burst > 0 {
                connection.write([UInt8](repeating: 0x66, count: burst))
            } else {
                floodTick(connection)
            }
        } else {
            connection.write(bytes)
            connection.consumeInput(bytes.count)
        }
    }

    private func floodTick(_ connection: TCPConnection) {
        guard connection.write(chunk) else { return }
        connection.loop.scheduleTimer(after: .milliseconds(1)) { [self] in floodTick(connection) }
    }

    func connection(_ connection: TCPConnection, didCloseWith reason: CloseReason) {
        closes.update { $0.append(reason) }
    }
}

/// Holds its input without consuming it until told to drain; then consumes and counts everything.
private final class HoardingHandler: TCPConnectionDelegate {
    let connection: Recorded<LoopBound<TCPConnection>?>
    let consumed: Recorded<Int>
    var draining = false

    init(connection: Recorded<LoopBound<TCPConnection>?>, consumed: Recorded<Int>) {
        self.connection = connection
        self.consumed = consumed
    }

    func connectionDidRead(_ connection: TCPConnection) {
        if self.connection.value == nil {
            self.connection.update { $0 = LoopBound(connection, on: connection.loop) }
        }
        if draining { drain(connection) }
    }

    func drain(_ connection: TCPConnection) {
        draining = true
        let count = connection.inputBytes.count
        connection.consumeInput(count)
        consumed.update { $0 += count }
    }

    func connection(_ connection: TCPConnection, didCloseWith reason: CloseReason) {}
}

@Suite("TCP backpressure")
struct TCPBackpressureTests {
    @Test func aClientThatNeverReadsIsCutOffWhileOthersAreServed() throws {
        let options = TCPConnection.Options(
            outputLimit: 256 * 1024, outputHighWaterMark: 64 * 1024, outputLowWaterMark: 16 * 1024,
            writeStallTimeout: nil, sendBufferSize: 16 * 1024)
        let flooded = Recorded<LoopBound<TCPConnection>?>(nil)
        let server = try ServerFixture(options: options) { _, closes in
            FloodHandler(closes: closes, connection: flooded, chunkSize: 8 * 1024)
        }
        let address = server.address
        let failures = Recorded<[String]>([])
        let flooder = try TCPClientSocket(connectingTo: address, receiveBufferSize: 16 * 1024)
        try flooder.send("flood")
        SystemTestSupport.concurrently(4) { worker in
            do {
                let client = try TCPClientSocket(connectingTo: address)
                for round in 0..<100 {
                    let message = SystemTestSupport.bytes(count: 1_024, seed: UInt64(worker * 1_000 + round))
                    try client.send(message)
                    if try client.receive(exactly: message.count) != message {
                        failures.update { $0.append("worker \(worker) round \(round)") }
                    }
                }
                client.close()
            } catch {
                failures.update { $0.append("worker \(worker): \(error)") }
            }
        }
        #expect(failures.value.isEmpty, "\(failures.value)")
        let cutOff = SystemTestSupport.waitUntil {
            server.closes.value.contains { if case .outputLimitExceeded = $0 { true } else { false } }
        }
        #expect(cutOff, "\(server.closes.value)")
        if case let .outputLimitExceeded(queued, limit)? = server.closes.value.first(where: \.isCutOff) {
            #expect(limit == 256 * 1024 && queued > limit)
        }
        // The cut-off client reads what the kernel still holds, then sees the reset.
        let error = #expect(throws: SystemError.self) { _ = try flooder.receiveUntilEndOfFile(limit: 1 << 30) }
        #expect(error?.errno == .connectionReset)
        // The server keeps serving.
        let late = try TCPClientSocket(connectingTo: address)
        try late.send("after")
        #expect(try late.receive(exactly: 5) == Array("after".utf8))
    }

    @Test func stalledOutputIsCutOffAfterTheStallTimeoutOnAVirtualClock() throws {
        let clock = ManualClock()
        let options = TCPConnection.Options(
            outputLimit: 64 << 20, writeStallTimeout: .seconds(10), sendBufferSize: 16 * 1024)
        let flooded = Recorded<LoopBound<TCPConnection>?>(nil)
        let server = try ServerFixture(clock: clock, options: options) { _, closes in
            FloodHandler(closes: closes, connection: flooded, chunkSize: 0, burst: 4 << 20)
        }
        let client = try TCPClientSocket(connectingTo: server.address, receiveBufferSize: 16 * 1024)
        try client.send("flood")
        #expect(SystemTestSupport.waitUntil { flooded.value != nil })
        let queued = Recorded(0)
        server.loop.executeAndWait { queued.update { $0 = flooded.value?.value.queuedOutputCount ?? 0 } }
        #expect(queued.value > 0)
        clock.advance(by: .seconds(9))
        server.loop.executeAndWait {}
        #expect(server.closes.value == [])
        clock.advance(by: .seconds(2))
        server.loop.executeAndWait {}
        #expect(server.closes.value == [.writeStalled(after: .seconds(10))])
    }

    @Test func idleConnectionsAreClosedOnAVirtualClock() throws {
        let clock = ManualClock()
        let server = try ServerFixture(clock: clock, options: TCPConnection.Options(idleTimeout: .seconds(30)))
        let client = try TCPClientSocket(connectingTo: server.address)
        #expect(SystemTestSupport.waitUntil { server.accepted.value == 1 })
        clock.advance(by: .seconds(20))
        try client.send("x")
        #expect(try client.receive(exactly: 1) == [UInt8(ascii: "x")])
        clock.advance(by: .seconds(20))
        server.loop.executeAndWait {}
        #expect(server.closes.value == [])
        clock.advance(by: .seconds(15))
        server.loop.executeAndWait {}
        #expect(server.closes.value == [.idleTimeout(after: .seconds(30))])
        #expect(try client.receiveUntilEndOfFile() == [])
    }

    @Test func aFullInputBufferStopsReadingUntilTheConsumerDrains() throws {
        // Kernel buffers stay small but above loopback's 64 KiB MSS: below it, Linux can leave
        // the window closed until a zero-window probe, which backs off for seconds.
        let options = TCPConnection.Options(inputLimit: 4_096, receiveBufferSize: 128 * 1024)
        let held = Recorded<LoopBound<TCPConnection>?>(nil)
        let consumed = Recorded(0)
        let handler = Recorded<LoopBound<HoardingHandler>?>(nil)
        let server = try ServerFixture(options: options) { connection, _ in
            let hoarder = HoardingHandler(connection: held, consumed: consumed)
            handler.update { $0 = LoopBound(hoarder, on: connection.loop) }
            return hoarder
        }
        let total = 4 << 20
        let payload = SystemTestSupport.bytes(count: total, seed: 7)
        // Small kernel buffers on both sides, so 4 MiB cannot hide in them.
        let client = try TCPClientSocket(connectingTo: server.address, sendBufferSize: 128 * 1024)
        nonisolated(unsafe) let sender = client
        let sent = Recorded<Result<Void, SystemError>?>(nil)
        let loop = server.loop
        SystemTestSupport.concurrently(2) { role in
            if role == 0 {
                do throws(SystemError) {
                    try sender.send(payload, timeout: .seconds(15))
                    sent.update { $0 = .success(()) }
                } catch {
                    sent.update { $0 = .failure(error) }
                }
                return
            }
            // The server holds exactly its limit and stops asking for input…
            let state = Recorded<(Int, Bool)>((0, true))
            let paused = SystemTestSupport.waitUntil {
                loop.executeAndWait {
                    if let connection = held.value?.value {
                        state.update { $0 = (connection.inputBytes.count, connection.isReading) }
                    }
                }
                return state.value == (4_096, false)
            }
            #expect(paused, "input \(state.value)")
            // …so the sender is stuck behind TCP flow control.
            #expect(sent.value == nil)
            // Draining resumes reading; everything arrives.
            loop.executeAndWait {
                if let connection = held.value?.value { handler.value?.value.drain(connection) }
            }
        }
        #expect(throws: Never.self) { try sent.value?.get() }
        #expect(SystemTestSupport.waitUntil(timeout: .seconds(15)) { consumed.value == total }, "\(consumed.value)")
    }
}

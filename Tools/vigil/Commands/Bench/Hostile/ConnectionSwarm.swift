import Synchronization
import Transport

/// Many connections held open against one port by one thread, re-opened as the server cuts
/// them: slowloris on the HTTP API (a request head trickled one header line per sweep), idle
/// connections on the relay (nothing sent, ever), or stalled frames (most of a large frame,
/// then nothing). Every sweep visits every connection once, in ten slices spread over the
/// sweep; sweeps are `interval` apart.
final class ConnectionSwarm: HostileAttack, @unchecked Sendable {
    /// What each connection does.
    enum Behavior: Sendable {
        /// Sends a request line at connect, then one header line per sweep, never the blank line.
        case slowloris
        /// Sends nothing; only notices (by a zero-timeout read) when the server closed it.
        case idle
        /// Sends these bytes at connect (the start of a frame that never ends), then nothing.
        case stalled([UInt8])
    }

    private let address: SocketAddress
    private let count: Int
    private let behavior: Behavior
    private let interval: Duration
    private let limit: Duration
    private let tally = Tally()
    // Set in start(), read in stop(); both on the orchestrating thread.
    private var worker: HostileWorker?

    init(address: SocketAddress, count: Int, behavior: Behavior, interval: Duration = .seconds(1), limit: Duration) {
        self.address = address
        self.count = count
        self.behavior = behavior
        self.interval = interval
        self.limit = limit
    }

    func start() throws(CLIError) {
        let (address, count, behavior, interval, tally) = (address, count, behavior, interval, tally)
        worker = HostileWorker(name: "vigil-bench-swarm", limit: limit) { worker in
            Self.run(address: address, count: count, behavior: behavior, interval: interval, tally: tally, worker: worker)
        }
        // In full force once every connection was opened once (or the attempts failed).
        let deadline = ContinuousClock.now + .seconds(60)
        while tally["connections opened"] + tally["connects failed"] < count, ContinuousClock.now < deadline {
            sleepThread(for: .milliseconds(20))
        }
        Console.progress("    \(tally["connections opened"]) connections open (\(tally["connects failed"]) connects failed)")
    }

    func stop() -> [(String, Int)] {
        worker?.stop()
        worker = nil
        return tally.snapshot
    }

    private static func run(
        address: SocketAddress, count: Int, behavior: Behavior, interval: Duration, tally: Tally, worker: HostileWorker
    ) {
        var sockets = [TCPClientSocket?](repeating: nil, count: count)
        defer { for socket in sockets { socket?.reset() } }
        var sweep = 0
        // A sweep is done in slices spread over its interval: 10 000 zero-timeout reads at once
        // are a 40 ms burst of this thread, which shares the two cores with the honest load it
        // measures — the measurement would show the bench's burst, not the server's.
        let slices = 10
        let sliceLength = max(1, (count + slices - 1) / slices)
        while !worker.shouldStop {
            let sweepStart = ContinuousClock.now
            for index in sockets.indices {
                if worker.shouldStop { return }
                if index > 0, index % sliceLength == 0 {
                    let due = sweepStart + interval * (Double(index / sliceLength) / Double(slices))
                    let now = ContinuousClock.now
                    if now < due { sleepThread(for: due - now) }
                }
                guard let socket = sockets[index] else {
                    sockets[index] = open(address, behavior: behavior, tally: tally)
                    continue
                }
                if !step(socket, behavior: behavior, index: index, sweep: sweep, tally: tally) {
                    socket.close()
                    sockets[index] = nil
                    tally.add("cut by the server")
                }
            }
            sweep += 1
            let elapsed = ContinuousClock.now - sweepStart
            if elapsed < interval { sleepThread(for: interval - elapsed) }
        }
    }

    private static func open(_ address: SocketAddress, behavior: Behavior, tally: Tally) -> TCPClientSocket? {
        do throws(SystemError) {
            let socket = try TCPClientSocket(connectingTo: address, timeout: .seconds(2), receiveBufferSize: 4096, sendBufferSize: 4096)
            switch behavior {
            case .slowloris: try socket.send("POST /v1/reports HTTP/1.1\r\nHost: 127.0.0.1\r\n", timeout: .milliseconds(100))
            case .idle: break
            case let .stalled(bytes):
                try socket.send(bytes, timeout: .seconds(2))
                tally.add("stalled bytes sent", bytes.count)
            }
            tally.add("connections opened")
            return socket
        } catch {
            tally.add("connects failed")
            return nil
        }
    }

    /// One sweep's work on a connection; false once the server has closed it.
    private static func step(_ socket: TCPClientSocket, behavior: Behavior, index: Int, sweep: Int, tally: Tally) -> Bool {
        // Anything to read means the server answered (408, an error frame) or closed: either way
        // this connection is done for.
        do throws(SystemError) {
            _ = try socket.receive(maximumCount: 256, timeout: .zero)
            return false
        } catch {
            guard error.errno == .timedOut else { return false }
        }
        guard case .slowloris = behavior else { return true }
        do throws(SystemError) {
            try socket.send("X-Slow-\(sweep): \(index)\r\n", timeout: .milliseconds(50))
            tally.add("header lines sent")
            return true
        } catch {
            return false
        }
    }
}

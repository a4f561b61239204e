import Stats
import Transport

/// Bad frames flooded at the relay (docs/wire.md) by `threads` threads: each connection sends
/// one kind of bad frame 16 times in one write, then reads until the relay closes it (at most
/// 2 s) — counted as "cut" or "left open". The kinds, in turn: a length past the maximum, random
/// bytes, an unknown frame type, a wrong version byte, a `register` whose number does not parse,
/// and a truncated frame followed by end of file.
final class FrameFlood: HostileAttack, @unchecked Sendable {
    /// The bad frames, one per kind.
    enum Kind: String, CaseIterable, Sendable {
        case oversized, garbage, unknownType = "unknown type", badVersion = "bad version", badBody = "bad body", truncated

        /// One frame of this kind (`seed` varies the random bytes).
        func bytes(seed: UInt64) -> [UInt8] {
            switch self {
            case .oversized:
                return [0x7f, 0xff, 0xff, 0xf0, WireFormat.version, FrameType.send.rawValue, 0, 0, 0, 1] + [UInt8](repeating: 0, count: 64)
            case .garbage:
                var generator = SplitMix64(seed: seed)
                return (0..<4096).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            case .unknownType:
                return Self.frame(type: 0x7e, body: [UInt8](repeating: 1, count: 32))
            case .badVersion:
                return [0, 0, 0, 6 + 4, 0x63, FrameType.ping.rawValue, 0, 0, 0, 1, 0, 0, 0, 0]
            case .badBody:
                // register: phone `u8 n ‖ n B` with digits that are not a number, device 2 B.
                return Self.frame(type: FrameType.register.rawValue, body: [5, 0x41, 0x42, 0x43, 0x44, 0x45, 0, 1])
            case .truncated:
                return Array(Self.frame(type: FrameType.send.rawValue, body: [UInt8](repeating: 7, count: 1000)).prefix(300))
            }
        }

        private static func frame(type: UInt8, body: [UInt8]) -> [UInt8] {
            let length = UInt32(WireFormat.headerAfterLength + body.count)
            return [UInt8(truncatingIfNeeded: length >> 24), UInt8(truncatingIfNeeded: length >> 16),
                    UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length),
                    WireFormat.version, type, 0, 0, 0, 1] + body
        }
    }

    private let address: SocketAddress
    private let threads: Int
    private let limit: Duration
    private let tally = Tally()
    private var workers: [HostileWorker] = []

    init(address: SocketAddress, threads: Int, limit: Duration) {
        self.address = address
        self.threads = threads
        self.limit = limit
    }

    func start() throws(CLIError) {
        for thread in 0..<threads {
            let (address, tally) = (address, tally)
            workers.append(HostileWorker(name: "vigil-bench-frames", limit: limit) { worker in
                Self.run(address: address, first: thread, tally: tally, worker: worker)
            })
        }
    }

    func stop() -> [(String, Int)] {
        for worker in workers { worker.stop() }
        workers = []
        return tally.snapshot
    }

    private static func run(address: SocketAddress, first: Int, tally: Tally, worker: HostileWorker) {
        var round = first
        while !worker.shouldStop {
            let kind = Kind.allCases[round % Kind.allCases.count]
            round += 1
            let frame = kind.bytes(seed: UInt64(round))
            let flood = Array([[UInt8]](repeating: frame, count: kind == .truncated ? 1 : 16).joined())
            do throws(SystemError) {
                let socket = try TCPClientSocket(connectingTo: address, timeout: .seconds(2))
                defer { socket.reset() }
                try socket.send(flood, timeout: .seconds(2))
                if kind == .truncated { try socket.shutdownOutput() }
                tally.add("bad frames sent", kind == .truncated ? 1 : 16)
                tally.add("bytes sent", flood.count)
                _ = try socket.receiveUntilEndOfFile(limit: 1 << 20, timeout: .seconds(2))
                tally.add("connections cut")
            } catch {
                // A reset is the relay cutting us off too; a timeout means it kept the connection.
                tally.add(error.errno == .timedOut ? "left open 2 s (\(kind.rawValue))" : "connections cut")
            }
        }
    }
}

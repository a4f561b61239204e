import Glibc
import Transport

/// A blocking Redis client that sends a whole pipeline of commands in one write and then reads
/// their replies — one round trip per pipeline, as a client library's `pipeline()` does. Only
/// integer and status replies are expected (an error reply or anything else fails the run).
final class RedisPipelineClient {
    private let socket: TCPClientSocket
    private var input: [UInt8] = []

    /// Connects to `address`.
    init(address: SocketAddress) throws(CLIError) {
        do {
            socket = try TCPClientSocket(connectingTo: address, timeout: .seconds(5))
        } catch {
            throw CLIError("cannot connect to redis-server at \(address): \(error)")
        }
    }

    /// Sends `commands` (RESP-encoded, `replies` of them) and waits for all their replies.
    func execute(_ commands: [UInt8], replies: Int) throws(CLIError) {
        do {
            try socket.send(commands, timeout: .seconds(30))
        } catch {
            throw CLIError("redis pipeline: send failed: \(error)")
        }
        var awaited = replies
        var start = 0
        input.removeAll(keepingCapacity: true)
        while awaited > 0 {
            let received: [UInt8]
            do {
                received = try socket.receive(maximumCount: 1 << 20, timeout: .seconds(30))
            } catch {
                throw CLIError("redis pipeline: receive failed with \(awaited) replies outstanding: \(error)")
            }
            guard !received.isEmpty else { throw CLIError("redis pipeline: the server closed the connection") }
            input.append(contentsOf: received)
            // Every expected reply is one line: `:n` or `+OK`.
            while awaited > 0, let end = input[start...].firstIndex(of: 10) {
                let head = input[start]
                guard head == UInt8(ascii: ":") || head == UInt8(ascii: "+") else {
                    let line = String(decoding: input[start..<end], as: UTF8.self)
                    throw CLIError("redis pipeline: unexpected reply \(line)")
                }
                start = end + 1
                awaited -= 1
            }
            if start == input.count {
                input.removeAll(keepingCapacity: true)
                start = 0
            }
        }
    }

    /// `INFO memory`'s `used_memory` in bytes, or nil if it cannot be read.
    func usedMemory() -> Int? {
        guard (try? socket.send(RESP.command([Array("INFO".utf8), Array("memory".utf8)]))) != nil else { return nil }
        var bytes: [UInt8] = []
        for _ in 0..<100 {
            guard let chunk = try? socket.receive(timeout: .seconds(5)), !chunk.isEmpty else { return nil }
            bytes += chunk
            if let parsed = try? RESP.parse(bytes[...], at: 0), case let .bulk(range?) = parsed.value {
                let text = String(decoding: bytes[range], as: UTF8.self)
                let line = text.split(separator: "\r\n").first { $0.hasPrefix("used_memory:") }
                return line.flatMap { Int($0.dropFirst("used_memory:".count)) }
            }
        }
        return nil
    }
}

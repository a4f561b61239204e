import Foundation
import Glibc

/// Why a step against the relay process did not go as the test expected.
struct RelayProcessFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// `vigil relay --listen 127.0.0.1:0 --data DIR --status-interval 0` (or `vigil serve`, which adds
/// `--http 127.0.0.1:0`) as a child process, its standard output and error in files. The port
/// comes from its first stdout line, `listening on 127.0.0.1:PORT`; `serve`'s HTTP port from the
/// second, `http on 127.0.0.1:PORT`. A process still running when the value goes away is killed.
final class RelayProcess {
    let process = Process()
    let port: UInt16
    /// `vigil serve`'s HTTP port (nil for `vigil relay`).
    let httpPort: UInt16?
    private let standardErrorPath: String
    private let standardOutputPath: String

    init(dataDirectory: String, in work: URL, extraArguments: [String] = [], serve: Bool = false) throws {
        guard FileManager.default.isExecutableFile(atPath: VigilProcess.binary.path) else {
            throw VigilProcess.NotBuilt(path: VigilProcess.binary.path)
        }
        let name = "relay-\(UUID().uuidString)"
        let out = work.appendingPathComponent(name + ".out").path
        standardOutputPath = out
        standardErrorPath = work.appendingPathComponent(name + ".err").path
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        _ = FileManager.default.createFile(atPath: standardErrorPath, contents: nil)
        process.executableURL = VigilProcess.binary
        process.arguments = (serve ? ["serve", "--http", "127.0.0.1:0"] : ["relay"])
            + ["--listen", "127.0.0.1:0", "--data", dataDirectory, "--status-interval", "0"] + extraArguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: standardErrorPath))
        try process.run()

        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            if lines.count >= (serve ? 2 : 1) {
                guard let port = Self.port(lines[0], after: "listening on 127.0.0.1:"),
                      !serve || Self.port(lines[1], after: "http on 127.0.0.1:") != nil else {
                    process.terminate()
                    throw RelayProcessFailure("unexpected first lines: \(lines)")
                }
                self.port = port
                httpPort = serve ? Self.port(lines[1], after: "http on 127.0.0.1:") : nil
                return
            }
            if !process.isRunning || ContinuousClock.now > deadline {
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                let error = (try? String(contentsOfFile: standardErrorPath, encoding: .utf8)) ?? ""
                throw RelayProcessFailure("the relay did not print its address; stderr: \(error)")
            }
            usleep(5_000)
        }
    }

    private static func port(_ line: Substring, after prefix: String) -> UInt16? {
        line.hasPrefix(prefix) ? UInt16(line.dropFirst(prefix.count)) : nil
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            _ = waitForExit(timeout: .seconds(5))
        }
    }

    var processIdentifier: Int32 { process.processIdentifier }

    /// Sends `signal` to the relay.
    func send(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Sends SIGSTOP and waits until every thread of the relay is stopped (`kill` returns before
    /// a busy thread has noticed); false if that takes longer than `timeout`.
    func freeze(timeout: Duration = .seconds(5)) -> Bool {
        send(SIGSTOP)
        let deadline = ContinuousClock.now + timeout
        let tasks = "/proc/\(processIdentifier)/task"
        while ContinuousClock.now < deadline {
            let states = ((try? FileManager.default.contentsOfDirectory(atPath: tasks)) ?? []).map { task -> Character? in
                // `pid (comm) S …`: the state follows the last parenthesis.
                guard let stat = try? String(contentsOfFile: "\(tasks)/\(task)/stat", encoding: .utf8),
                      let close = stat.lastIndex(of: ")") else { return nil }
                return stat[close...].dropFirst(2).first
            }
            if !states.isEmpty, states.allSatisfy({ $0 == "T" || $0 == "t" }) { return true }
            usleep(1_000)
        }
        return false
    }

    /// Waits for the relay to exit; false if it is still running after `timeout`.
    func waitForExit(timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline { return false }
            usleep(2_000)
        }
        return true
    }

    /// What the relay wrote to standard error so far.
    var standardError: String { (try? String(contentsOfFile: standardErrorPath, encoding: .utf8)) ?? "" }
    /// Everything written to stdout so far.
    var standardOutput: String { (try? String(contentsOfFile: standardOutputPath, encoding: .utf8)) ?? "" }
}

/// One frame as it crossed the wire (docs/wire.md): type, request id, body bytes.
struct WireFrame: Equatable, CustomStringConvertible {
    let type: UInt8
    let requestID: UInt32
    let body: [UInt8]

    static let register: UInt8 = 0x01, hello: UInt8 = 0x02, send: UInt8 = 0x05, ack: UInt8 = 0x06
    static let error: UInt8 = 0x41, ping: UInt8 = 0x42, pong: UInt8 = 0x43
    static let registered: UInt8 = 0x81, welcome: UInt8 = 0x82, accepted: UInt8 = 0x84, deliver: UInt8 = 0x85, notice: UInt8 = 0x87

    /// The frame's bytes: length, version 1, type, request id, body.
    var bytes: [UInt8] { Self.u32(UInt32(6 + body.count)) + [1, type] + Self.u32(requestID) + body }

    /// An `error` frame's code.
    var errorCode: UInt16? {
        guard type == Self.error, body.count >= 2 else { return nil }
        return UInt16(body[0]) << 8 | UInt16(body[1])
    }

    /// An `error` frame's text (after the code and the text's `u16` length).
    var errorText: String {
        guard type == Self.error, body.count >= 4 else { return "" }
        return String(decoding: body.dropFirst(4), as: UTF8.self)
    }

    /// An `accepted` frame's client message id and envelope id (16 bytes).
    var accepted: (clientMessageID: UInt64, envelopeID: [UInt8])? {
        guard type == Self.accepted, body.count == 32 else { return nil }
        return (Self.readU64(body, at: 0), Array(body[8..<24]))
    }

    /// A `deliver` frame's envelope id, sender and ciphertext.
    var delivered: (envelopeID: [UInt8], sender: String, ciphertext: [UInt8])? {
        guard type == Self.deliver, body.count > 16 else { return nil }
        let phoneLength = Int(body[16])
        let afterPhone = 17 + phoneLength
        guard body.count >= afterPhone + 8 + 2 + 4 else { return nil }
        let sender = String(decoding: body[17..<afterPhone], as: UTF8.self)
        let lengthAt = afterPhone + 10
        let length = Int(UInt32(body[lengthAt]) << 24 | UInt32(body[lengthAt + 1]) << 16 | UInt32(body[lengthAt + 2]) << 8 | UInt32(body[lengthAt + 3]))
        guard body.count == lengthAt + 4 + length else { return nil }
        return (Array(body[0..<16]), sender, Array(body[(lengthAt + 4)...]))
    }

    var description: String {
        if let code = errorCode { return "error \(code) #\(requestID)" }
        return "type 0x\(String(type, radix: 16)) #\(requestID) (\(body.count) bytes)"
    }

    static func u16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(truncatingIfNeeded: value)] }
    static func u32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) } }
    static func u64(_ value: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * UInt64($0))) } }
    static func readU64(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        bytes[offset..<(offset + 8)].reduce(0) { $0 << 8 | UInt64($1) }
    }
    static func phone(_ e164: String) -> [UInt8] { [UInt8(e164.utf8.count)] + Array(e164.utf8) }

    static func makeRegister(_ phone: String, device: UInt32, requestID: UInt32) -> WireFrame {
        WireFrame(type: register, requestID: requestID, body: Self.phone(phone) + u32(device))
    }

    static func makeHello(_ phone: String, device: UInt32, token: [UInt8], requestID: UInt32) -> WireFrame {
        WireFrame(type: hello, requestID: requestID, body: Self.phone(phone) + u32(device) + token)
    }

    /// A `send` of a user-kind envelope.
    static func makeSend(to phone: String, clientMessageID: UInt64, ciphertext: [UInt8], requestID: UInt32) -> WireFrame {
        WireFrame(type: send, requestID: requestID,
                  body: Self.phone(phone) + u64(clientMessageID) + [1, 0] + u32(UInt32(ciphertext.count)) + ciphertext)
    }

    static func makeAck(_ ids: [[UInt8]]) -> WireFrame {
        WireFrame(type: ack, requestID: 0, body: u16(UInt16(ids.count)) + ids.flatMap { $0 })
    }
}

/// A blocking TCP client to 127.0.0.1 speaking raw frames; every wait is bounded by a timeout.
/// Written against docs/wire.md directly (this test target links none of Vigil's modules).
final class WireClient {
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private var inbox: [WireFrame] = []
    private var nextRequestID: UInt32 = 1
    private(set) var isClosedByPeer = false

    init(port: UInt16) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw RelayProcessFailure("socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let code = errno
            Glibc.close(descriptor)
            throw RelayProcessFailure("connect to 127.0.0.1:\(port): errno \(code)")
        }
        var one: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        // A send that cannot progress for 5 s fails instead of hanging the test.
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { Glibc.close(descriptor) }

    func makeRequestID() -> UInt32 {
        defer { nextRequestID += 1 }
        return nextRequestID
    }

    /// Sends `frame`'s bytes.
    func write(_ frame: WireFrame) throws {
        try write(bytes: frame.bytes)
    }

    /// Writes raw `bytes` (not a frame) and returns every byte until the peer closes — an HTTP
    /// probe with `Connection: close`.
    func exchange(raw bytes: [UInt8], timeout: Duration = .seconds(5)) throws -> [UInt8] {
        try write(bytes: bytes)
        let deadline = ContinuousClock.now + timeout
        while !isClosedByPeer {
            guard try receive(until: deadline) else { throw RelayProcessFailure("still open after \(timeout)") }
        }
        defer { buffer = [] }
        return buffer
    }

    private func write(bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if sent < 0 {
                if errno == EINTR { continue }
                throw RelayProcessFailure("send: errno \(errno)")
            }
            offset += sent
        }
    }

    /// The next frame (read-ahead ones first), nil once the peer closed; throws on timeout.
    func nextFrame(timeout: Duration = .seconds(5)) throws -> WireFrame? {
        if !inbox.isEmpty { return inbox.removeFirst() }
        let deadline = ContinuousClock.now + timeout
        while true {
            if let frame = try parseFrame() { return frame }
            if isClosedByPeer { return nil }
            guard try receive(until: deadline) else { throw RelayProcessFailure("no frame within \(timeout)") }
        }
    }

    /// The frames that have already arrived (the inbox included), without waiting.
    func availableFrames() throws -> [WireFrame] {
        var frames = inbox
        inbox = []
        while true {
            if let frame = try parseFrame() {
                frames.append(frame)
                continue
            }
            if isClosedByPeer { return frames }
            guard try receive(until: ContinuousClock.now) else { return frames }
        }
    }

    /// Waits until bytes arrive or the peer closes (true), or `deadline` passes (false).
    private func receive(until deadline: ContinuousClock.Instant) throws -> Bool {
        while true {
            let remaining = deadline - ContinuousClock.now
            let milliseconds = remaining <= .zero ? 0 : Int32(min(remaining / .milliseconds(1), 60_000).rounded(.up))
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, milliseconds)
            if ready < 0, errno == EINTR { continue }
            if ready < 0 { throw RelayProcessFailure("poll: errno \(errno)") }
            if ready == 0 { return false }
            var chunk = [UInt8](repeating: 0, count: 64 * 1024)
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                buffer += chunk.prefix(count)
                return true
            }
            // End of file, or a reset after the peer's last bytes (it closed or died with ours unread).
            if count == 0 || errno == ECONNRESET {
                isClosedByPeer = true
                return true
            }
            if errno != EINTR, errno != EAGAIN { throw RelayProcessFailure("recv: errno \(errno)") }
        }
    }

    /// Sends `frame` and returns the reply echoing its request id; other frames wait in the inbox.
    func request(_ frame: WireFrame, timeout: Duration = .seconds(5)) throws -> WireFrame {
        try write(frame)
        var skipped: [WireFrame] = []
        let saved = inbox
        inbox = []
        defer { inbox = saved + skipped }
        while true {
            guard let reply = try nextFrame(timeout: timeout) else { throw RelayProcessFailure("closed before replying to \(frame)") }
            if reply.requestID == frame.requestID { return reply }
            skipped.append(reply)
        }
    }

    /// Registers and returns the token.
    func register(_ phone: String) throws -> [UInt8] {
        let reply = try request(.makeRegister(phone, device: 1, requestID: makeRequestID()))
        guard reply.type == WireFrame.registered, reply.body.count == 32 else { throw RelayProcessFailure("register: \(reply)") }
        return reply.body
    }

    /// Says hello; returns the reply.
    func hello(_ phone: String, token: [UInt8]) throws -> WireFrame {
        try request(.makeHello(phone, device: 1, token: token, requestID: makeRequestID()))
    }

    /// Sends a ping and returns every frame before its pong (the inbox included).
    func framesBeforePong(timeout: Duration = .seconds(5)) throws -> [WireFrame] {
        let id = makeRequestID()
        let nonce = WireFrame.u64(UInt64(id) | 0xABCD_0000_0000_0000)
        try write(WireFrame(type: WireFrame.ping, requestID: id, body: nonce))
        var before: [WireFrame] = []
        while true {
            guard let frame = try nextFrame(timeout: timeout) else { throw RelayProcessFailure("closed before the pong") }
            if frame == WireFrame(type: WireFrame.pong, requestID: id, body: nonce) { return before }
            before.append(frame)
        }
    }

    /// Every frame until the peer closes; throws if it stays open past `timeout`.
    func framesUntilClosed(timeout: Duration = .seconds(5)) throws -> [WireFrame] {
        var frames: [WireFrame] = []
        let deadline = ContinuousClock.now + timeout
        while true {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { throw RelayProcessFailure("still open after \(timeout); frames: \(frames)") }
            guard let frame = try nextFrame(timeout: remaining) else { return frames }
            frames.append(frame)
        }
    }

    private func parseFrame() throws -> WireFrame? {
        guard buffer.count >= 10 else { return nil }
        let length = Int(WireFrame.readU64([0, 0, 0, 0] + buffer[0..<4], at: 0))
        guard length >= 6, buffer[4] == 1 else { throw RelayProcessFailure("undecodable frame header \(Array(buffer.prefix(10)))") }
        guard buffer.count >= 4 + length else { return nil }
        let requestID = UInt32(WireFrame.readU64([0, 0, 0, 0] + buffer[6..<10], at: 0))
        let frame = WireFrame(type: buffer[5], requestID: requestID, body: Array(buffer[10..<(4 + length)]))
        buffer.removeFirst(4 + length)
        return frame
    }
}

/// The anonymous memory of a live process (heap, malloc arenas, stacks), read through
/// `/proc/PID/mem`: where a relay keeps the envelopes it holds.
enum ProcessMemory {
    /// The readable anonymous regions' bytes.
    static func anonymousRegions(of pid: Int32) throws -> [[UInt8]] {
        let maps = try String(contentsOfFile: "/proc/\(pid)/maps", encoding: .utf8)
        let memory = open("/proc/\(pid)/mem", O_RDONLY | O_CLOEXEC)
        guard memory >= 0 else { throw RelayProcessFailure("open /proc/\(pid)/mem: errno \(errno)") }
        defer { close(memory) }
        var regions: [[UInt8]] = []
        for line in maps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 5, fields[1].hasPrefix("r") else { continue }
            let path = fields.count >= 6 ? String(fields[5]) : ""
            guard path.isEmpty || path == "[heap]" || path.hasPrefix("[stack") else { continue }
            let bounds = fields[0].split(separator: "-").compactMap { UInt64($0, radix: 16) }
            guard bounds.count == 2, bounds[1] > bounds[0], bounds[1] - bounds[0] <= 1 << 30 else { continue }
            var bytes = [UInt8](repeating: 0, count: Int(bounds[1] - bounds[0]))
            let read = bytes.withUnsafeMutableBytes { pread(memory, $0.baseAddress, $0.count, off_t(bounds[0])) }
            if read > 0 { regions.append(Array(bytes.prefix(read))) }
        }
        return regions
    }

    /// Whether `needle` occurs in any region.
    static func contains(_ regions: [[UInt8]], _ needle: [UInt8]) -> Bool {
        regions.contains { region in
            region.withUnsafeBytes { hay in needle.withUnsafeBytes { pin in contains(hay, pin) } }
        }
    }

    /// Whether `needle` occurs in `haystack`: `memchr` for one of the needle's non-zero bytes
    /// (so long runs of zeros are skipped fast), then `memcmp` at each candidate.
    static func contains(_ haystack: UnsafeRawBufferPointer, _ needle: UnsafeRawBufferPointer) -> Bool {
        guard let anchor = needle.firstIndex(where: { $0 != 0 }) else { return false }
        guard haystack.count >= needle.count, let base = haystack.baseAddress, let pin = needle.baseAddress else { return false }
        let lastStart = haystack.count - needle.count
        var from = anchor
        while from <= lastStart + anchor {
            guard let hit = memchr(base + from, Int32(needle[anchor]), lastStart + anchor - from + 1) else { return false }
            let start = base.distance(to: UnsafeRawPointer(hit)) - anchor
            if memcmp(base + start, pin, needle.count) == 0 { return true }
            from = start + anchor + 1
        }
        return false
    }
}

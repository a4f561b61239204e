import Foundation
import Glibc
import Transport

/// A `redis-server` child process for the benchmark's reference run: on a free loopback port,
/// without persistence (`--save '' --appendonly no`), its log in a scratch directory; started,
/// probed with `PING`, and killed by this object.
final class RedisServerProcess {
    /// Where it listens.
    let address: SocketAddress
    /// Its process id, for `/proc/PID/status`.
    let pid: Int32
    /// `redis-server --version`'s first line, when it could be read.
    let version: String?
    private let process: Process
    private let logPath: String

    /// Starts `executable` on a free 127.0.0.1 port with its log in `directory`, and waits (up to
    /// `timeout`) until it answers `PING`.
    init(executable: String, directory: String, timeout: Duration = .seconds(10)) throws(CLIError) {
        let port = try Self.freeLoopbackPort()
        address = .loopbackIPv4(port: port)
        logPath = directory + "/redis.log"
        version = Self.versionLine(of: executable)
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [
            "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--daemonize", "no", "--dir", directory, "--logfile", logPath,
        ]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw CLIError("cannot start \(executable): \(error)")
        }
        pid = process.processIdentifier
        do throws(CLIError) {
            try waitForPong(timeout: timeout)
        } catch {
            stop()
            throw error
        }
    }

    deinit { stop() }

    /// The server's peak RSS (`VmHWM`) in MiB, while it runs.
    var peakResidentMiB: Double? { ProcessMemory.peakResidentMiB(of: String(pid)) }

    /// The server's CPU time so far (user + system) in seconds, from `/proc/PID/stat`.
    var cpuSeconds: Double? { ProcessCPU.cpuSeconds(statPath: "/proc/\(pid)/stat") }

    /// SIGTERM, then SIGKILL if it has not exited within 3 s; waits for it. Idempotent.
    func stop() {
        process.stop(grace: .seconds(3))
    }

    /// Connects and sends `PING` until `+PONG` comes back, the process dies, or `timeout` passes.
    private func waitForPong(timeout: Duration) throws(CLIError) {
        let clock = SystemClock()
        let deadline = clock.now() + timeout
        while clock.now() < deadline {
            guard process.isRunning else {
                throw CLIError("redis-server exited at start (status \(process.terminationStatus)); its log: \(logTail())")
            }
            if let socket = try? TCPClientSocket(connectingTo: address, timeout: .milliseconds(200)),
               (try? socket.send("PING\r\n", timeout: .milliseconds(500))) != nil,
               let reply = try? socket.receive(maximumCount: 64, timeout: .milliseconds(500)),
               reply.starts(with: Array("+PONG".utf8)) {
                return
            }
            sleepThread(for: .milliseconds(20))
        }
        throw CLIError("redis-server did not answer PING on \(address) within \(timeout); its log: \(logTail())")
    }

    /// The last bytes of the server's log, for error messages.
    private func logTail() -> String {
        guard let bytes = try? FileIO.read(logPath) else { return "(no log)" }
        return String(decoding: bytes.suffix(400), as: UTF8.self).replacingOccurrences(of: "\n", with: " | ")
    }

    /// Runs `executable --version` and returns its output's first line.
    private static func versionLine(of executable: String) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--version"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").first.map(String.init)
    }

    /// A port on 127.0.0.1 nobody listens on now: bind port 0, read the kernel's choice, close.
    /// (Redis cannot be told to pick one itself: `--port 0` disables TCP.)
    static func freeLoopbackPort() throws(CLIError) -> UInt16 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw CLIError("socket: \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw -> Bool in
                bind(descriptor, raw, length) == 0 && getsockname(descriptor, raw, &length) == 0
            }
        }
        guard bound else { throw CLIError("cannot find a free port on 127.0.0.1: \(String(cString: strerror(errno)))") }
        return UInt16(bigEndian: address.sin_port)
    }

    /// The first executable called `name` on `PATH`.
    static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") where !directory.isEmpty {
            let candidate = directory + "/" + name
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    /// A fresh directory under `$TMPDIR` (default /tmp) for a server's log: `prefix-XXXXXX`.
    static func makeScratchDirectory(prefix: String) throws(CLIError) -> String {
        let base = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
        var template = Array((base + "/" + prefix + "-XXXXXX").utf8CString)
        let created = template.withUnsafeMutableBufferPointer { buffer -> Bool in
            guard let start = buffer.baseAddress else { return false }
            return mkdtemp(start) != nil
        }
        guard created else { throw CLIError("cannot create a temporary directory in \(base): \(String(cString: strerror(errno)))") }
        return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

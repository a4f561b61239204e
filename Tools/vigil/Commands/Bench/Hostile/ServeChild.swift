import Foundation
import Glibc
import Transport

/// A `vigil serve` child process for `vigil bench hostile`: this very executable, on ephemeral
/// 127.0.0.1 ports, on a fresh data directory, its stderr in a log file there. Started, its two
/// address lines read from stdout, its token read from the file it creates; stopped with SIGTERM
/// (SIGKILL after 10 s) by this object.
final class ServeChild {
    /// The relay's address.
    let relayAddress: SocketAddress
    /// The HTTP API's address.
    let httpAddress: SocketAddress
    /// The HTTP API's Bearer token.
    let token: String
    /// The child's process id, for `/proc/PID/status`.
    let pid: Int32
    private let process: Process
    private let logPath: String

    /// Starts `vigil serve --data directory` with `businesses` known from the start, and waits
    /// (up to `timeout`) for its `listening on` and `http on` lines.
    init(directory: String, businesses: [PhoneNumber], timeout: Duration = .seconds(30)) throws(CLIError) {
        let executable = try Self.ownExecutable()
        logPath = directory + "/serve.log"
        guard FileManager.default.createFile(atPath: logPath, contents: nil),
              let log = FileHandle(forWritingAtPath: logPath) else {
            throw CLIError("bench: cannot create \(logPath)")
        }
        let output = Pipe()
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        var arguments = [
            "serve", "--listen", "127.0.0.1:0", "--http", "127.0.0.1:0", "--data", directory + "/serve", "--status-interval", "0",
            "--token-file", directory + "/token",
        ]
        if !businesses.isEmpty { arguments += ["--business", businesses.map(\.description).joined(separator: ",")] }
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = log
        do {
            try process.run()
        } catch {
            throw CLIError("bench: cannot start \(executable) serve: \(error)")
        }
        pid = process.processIdentifier
        do throws(CLIError) {
            let lines = try Self.readLines(2, from: output.fileHandleForReading.fileDescriptor, timeout: timeout)
            guard lines.count == 2, lines[0].hasPrefix("listening on "), lines[1].hasPrefix("http on "),
                  let relay = try? SocketAddress(parsing: String(lines[0].dropFirst("listening on ".count))),
                  let http = try? SocketAddress(parsing: String(lines[1].dropFirst("http on ".count))) else {
                throw CLIError("bench: vigil serve did not print its addresses (got \(lines)); its log: \(Self.tail(of: logPath))")
            }
            relayAddress = relay
            httpAddress = http
            let tokenBytes = try FileIO.read(directory + "/token")
            token = String(decoding: tokenBytes.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
        } catch {
            Self.terminate(process, pid: process.processIdentifier)
            throw error
        }
    }

    deinit { stop() }

    /// The child's peak RSS (`VmHWM`) in MiB, while it runs.
    var peakResidentMiB: Double? { ProcessMemory.peakResidentMiB(of: String(pid)) }

    /// The child's current RSS (`VmRSS`) in MiB, while it runs.
    var residentMiB: Double? { ProcessMemory.residentMiB(of: String(pid)) }

    /// Whether the child still runs.
    var isRunning: Bool { process.isRunning }

    /// The last lines of its stderr, for error messages.
    var logTail: String { Self.tail(of: logPath) }

    /// SIGTERM, then SIGKILL if it has not exited within 10 s; waits for it. Returns its exit
    /// status (nil if it had to be killed). Idempotent.
    @discardableResult
    func stop() -> Int32? {
        Self.terminate(process, pid: pid)
    }

    @discardableResult
    private static func terminate(_ process: Process, pid: Int32) -> Int32? {
        guard process.isRunning else { return process.terminationStatus }
        process.terminate()
        for _ in 0..<1000 where process.isRunning { sleepThread(for: .milliseconds(10)) }
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Reads up to `count` lines from `descriptor` (a pipe), waiting at most `timeout` in all.
    private static func readLines(_ count: Int, from descriptor: Int32, timeout: Duration) throws(CLIError) -> [String] {
        let deadline = SystemClock().now() + timeout
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while bytes.count(where: { $0 == UInt8(ascii: "\n") }) < count {
            let left = deadline - SystemClock().now()
            guard left > .zero else { throw CLIError("bench: vigil serve printed no addresses within \(timeout)") }
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(clamping: left.components.seconds * 1000 + 1))
            if ready < 0, errno == EINTR { continue }
            guard ready > 0 else { continue }
            let got = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if got < 0, errno == EINTR { continue }
            guard got > 0 else { break }  // end of file: the child exited
            bytes += buffer[0..<got]
        }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").prefix(count).map(String.init)
    }

    /// This executable's path (`/proc/self/exe`).
    private static func ownExecutable() throws(CLIError) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard length > 0 else { throw CLIError("bench: cannot read /proc/self/exe: \(String(cString: strerror(errno)))") }
        return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func tail(of path: String) -> String {
        guard let bytes = try? FileIO.read(path) else { return "(no log)" }
        return String(decoding: bytes.suffix(600), as: UTF8.self).replacingOccurrences(of: "\n", with: " | ")
    }
}

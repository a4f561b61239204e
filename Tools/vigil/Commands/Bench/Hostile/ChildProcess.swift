import Foundation
import Glibc
import Transport

/// A child process of `vigil bench hostile`: this very executable running one command
/// (`serve`, `cloudapi`), its stderr in a log file, the first lines of its stdout read at
/// start-up (the addresses it listens on). Stopped with SIGTERM (SIGKILL after 10 s) by this
/// object, at the latest when it is released.
final class ChildProcess {
    /// The child's process id, for `/proc/PID/status`.
    let pid: Int32
    /// The first lines the child printed on stdout.
    let startLines: [String]
    private let process: Process
    private let logPath: String
    private let name: String

    /// Starts `vigil ARGUMENTS` with stderr in `logPath` and waits (up to `timeout`) until it has
    /// printed `lines` lines on stdout.
    init(name: String, arguments: [String], logPath: String, lines: Int, timeout: Duration = .seconds(30)) throws(CLIError) {
        let executable = try Self.ownExecutable()
        self.name = name
        self.logPath = logPath
        guard FileManager.default.createFile(atPath: logPath, contents: nil),
              let log = FileHandle(forWritingAtPath: logPath) else {
            throw CLIError("bench: cannot create \(logPath)")
        }
        let output = Pipe()
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = log
        do {
            try process.run()
        } catch {
            throw CLIError("bench: cannot start \(executable) \(arguments.first ?? ""): \(error)")
        }
        pid = process.processIdentifier
        do throws(CLIError) {
            startLines = try Self.readLines(lines, from: output.fileHandleForReading.fileDescriptor, timeout: timeout, name: name)
        } catch {
            process.stop(grace: .seconds(10))
            throw CLIError("\(error.description); its log: \(Self.tail(of: logPath))")
        }
    }

    deinit { stop() }

    /// The child's peak RSS (`VmHWM`) in MiB, while it runs.
    var peakResidentMiB: Double? { ProcessMemory.peakResidentMiB(of: String(pid)) }

    /// The child's CPU time so far (user + system), in seconds, while it runs.
    var cpuSeconds: Double? { ProcessCPU.cpuSeconds(statPath: "/proc/\(pid)/stat") }

    /// Whether the child still runs.
    var isRunning: Bool { process.isRunning }

    /// The last lines of its stderr, for error messages.
    var logTail: String { Self.tail(of: logPath) }

    /// The address after `prefix` on start-up line `index`.
    func address(line index: Int, prefix: String) throws(CLIError) -> SocketAddress {
        guard index < startLines.count, startLines[index].hasPrefix(prefix),
              let address = try? SocketAddress(parsing: String(startLines[index].dropFirst(prefix.count))) else {
            throw CLIError("bench: \(name) did not print `\(prefix)HOST:PORT` (got \(startLines)); its log: \(logTail)")
        }
        return address
    }

    /// SIGTERM, then SIGKILL if it has not exited within 10 s; waits for it. Returns its exit
    /// status (nil if it had to be killed). Idempotent.
    @discardableResult
    func stop() -> Int32? {
        process.stop(grace: .seconds(10))
    }

    /// Reads up to `count` lines from `descriptor` (a pipe), waiting at most `timeout` in all.
    private static func readLines(_ count: Int, from descriptor: Int32, timeout: Duration, name: String) throws(CLIError) -> [String] {
        let deadline = SystemClock().now() + timeout
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while bytes.count(where: { $0 == UInt8(ascii: "\n") }) < count {
            let left = deadline - SystemClock().now()
            guard left > .zero else { throw CLIError("bench: \(name) printed no addresses within \(timeout)") }
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

extension Process {
    /// SIGTERM, then SIGKILL if it has not exited within `grace`; waits for it. Returns its exit
    /// status (nil if it had to be killed). Idempotent: a process that has exited returns its status.
    @discardableResult
    func stop(grace: Duration) -> Int32? {
        guard isRunning else { return terminationStatus }
        terminate()
        let deadline = ContinuousClock.now + grace
        while isRunning, ContinuousClock.now < deadline { sleepThread(for: .milliseconds(10)) }
        if isRunning {
            kill(processIdentifier, SIGKILL)
            waitUntilExit()
            return nil
        }
        waitUntilExit()
        return terminationStatus
    }
}

import Glibc
import Transport

/// The transport side as a process of its own — this same binary re-executed as `vigil serve`:
/// the relay with the integrity analyzer on its tap, answering admission, with its HTTP API — so
/// its memory can be audited apart from everything that holds plaintext.
///
/// The child gets its own process group (a terminal's Ctrl-C reaches only the demo, which stops
/// it in order) and `PR_SET_PDEATHSIG` = SIGTERM, so it stops cleanly even if the demo is killed
/// outright. Its stdout and stderr go to files in its data directory.
final class DemoRelayChild {
    /// The child's process id.
    let pid: pid_t
    /// Where the relay listens.
    let address: SocketAddress
    /// Where the analyzer's HTTP API listens.
    let httpAddress: SocketAddress
    /// The HTTP API's Bearer token file: the demo is the operator, and keeps its copy of the token
    /// here (`--token-file`; the server itself keeps only the SHA-256, in `integrity/token.sha256`).
    let tokenPath: String
    /// The analyzer's alert log (JSONL, one line per firing and per resolution).
    let alertsPath: String
    /// Its stderr.
    let logPath: String
    /// The exit status once reaped (`exited N` or `killed by signal N`).
    private(set) var exit: String?

    /// Starts `executable serve --listen 127.0.0.1:0 --http 127.0.0.1:0 --data DIR --tap TAP
    /// --status-interval 0 --business …` and waits (up to `timeout`) for its `listening on
    /// HOST:PORT` and `http on HOST:PORT` lines.
    init(
        executable: String = "/proc/self/exe", dataDirectory: String, tapPath: String, businesses: [PhoneNumber],
        extraArguments: [String], interrupts: DemoInterrupts, timeout: Duration = .seconds(20)
    ) throws(DemoError) {
        let outputPath = dataDirectory + "/relay.out"
        logPath = dataDirectory + "/relay.log"
        tokenPath = dataDirectory + "/integrity/token"
        alertsPath = dataDirectory + "/integrity/alerts.jsonl"
        var arguments = ["vigil", "serve", "--listen", "127.0.0.1:0", "--http", "127.0.0.1:0", "--data", dataDirectory,
                         "--tap", tapPath, "--status-interval", "0", "--token-file", tokenPath]
        if !businesses.isEmpty { arguments += ["--business", businesses.map(\.e164).joined(separator: ",")] }
        arguments += extraArguments
        pid = try Self.spawn(executable: executable, arguments: arguments, standardOutput: outputPath, standardError: logPath)
        var found: (SocketAddress, SocketAddress)?
        let clock = SystemClock()
        let deadline = clock.now() + timeout
        do throws(DemoError) {
            while found == nil {
                let lines = ((try? FileIO.read(outputPath)) ?? []).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
                    .dropLast().map { String(decoding: $0, as: UTF8.self) }
                if lines.count >= 2 {
                    guard lines[0].hasPrefix("listening on "), let relay = try? SocketAddress(parsing: String(lines[0].dropFirst(13))),
                          lines[1].hasPrefix("http on "), let http = try? SocketAddress(parsing: String(lines[1].dropFirst(8))) else {
                        throw DemoError("the transport's first lines were \(lines), not 'listening on HOST:PORT' and 'http on HOST:PORT'")
                    }
                    found = (relay, http)
                    break
                }
                if let status = Self.reap(pid, blocking: false) {
                    throw DemoError("the relay exited at start (\(status)); its log: \(Self.tail(of: logPath))")
                }
                guard clock.now() < deadline else { throw DemoError("the relay did not print its address within \(timeout)") }
                if let signal = interrupts.wait(upTo: .milliseconds(10)) { throw DemoError.interrupted(by: signal) }
            }
        } catch {
            Glibc.kill(pid, SIGKILL)
            _ = Self.reap(pid, blocking: true)
            throw error
        }
        guard let found else { throw DemoError("the relay did not start") }
        (address, httpAddress) = found
    }

    deinit { kill() }

    /// Whether the child still runs (reaps it if it ended).
    var isRunning: Bool {
        guard exit == nil else { return false }
        if let status = Self.reap(pid, blocking: false) {
            exit = status
            return false
        }
        return true
    }

    /// SIGTERM, then waits up to `timeout` for a clean exit; SIGKILL after that. Returns how it ended.
    @discardableResult
    func stop(timeout: Duration = .seconds(10)) -> String {
        guard isRunning else { return exit ?? "not running" }
        Glibc.kill(pid, SIGTERM)
        let clock = SystemClock()
        let deadline = clock.now() + timeout
        while clock.now() < deadline {
            if !isRunning { return exit ?? "exited" }
            var pause = timespec(tv_sec: 0, tv_nsec: 10_000_000)
            nanosleep(&pause, nil)
        }
        Glibc.kill(pid, SIGKILL)
        exit = (Self.reap(pid, blocking: true) ?? "killed") + " (SIGKILL after \(timeout))"
        return exit ?? "killed"
    }

    /// SIGKILL and reap, if it still runs (the failure path).
    func kill() {
        guard isRunning else { return }
        Glibc.kill(pid, SIGKILL)
        exit = Self.reap(pid, blocking: true) ?? "killed"
    }

    // MARK: Process primitives

    /// `fork` + `execv`. Everything the child needs is prepared first, so between the two it only
    /// makes system calls (a multithreaded process may not allocate there).
    private static func spawn(executable: String, arguments: [String], standardOutput: String, standardError: String) throws(DemoError) -> pid_t {
        let output = open(standardOutput, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        let error = open(standardError, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        let null = open("/dev/null", O_RDONLY | O_CLOEXEC)
        defer {
            for descriptor in [output, error, null] where descriptor >= 0 { close(descriptor) }
        }
        guard output >= 0, error >= 0, null >= 0 else {
            throw DemoError("cannot create the relay's output files in \(standardOutput): \(String(cString: strerror(errno)))")
        }
        let argv = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: arguments.count + 1)
        for (index, argument) in arguments.enumerated() { argv[index] = strdup(argument) }
        argv[arguments.count] = nil
        guard let path = strdup(executable) else { throw DemoError("out of memory starting the relay") }
        defer {
            for index in 0..<arguments.count { free(argv[index]) }
            argv.deallocate()
            free(path)
        }
        // `prctl` is variadic in C and not imported; its first two arguments are all we pass.
        typealias Prctl = @convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32
        let prctl = dlsym(nil, "prctl").map { unsafeBitCast($0, to: Prctl.self) }
        let parent = getpid()
        let child = fork()
        if child == 0 {
            _ = setpgid(0, 0)
            _ = prctl?(1 /* PR_SET_PDEATHSIG */, UInt(SIGTERM), 0, 0, 0)
            if getppid() != parent { _exit(1) }
            var unblocked = sigset_t()
            sigemptyset(&unblocked)
            sigprocmask(SIG_SETMASK, &unblocked, nil)
            dup2(null, 0)
            dup2(output, 1)
            dup2(error, 2)
            execv(path, argv)
            _exit(127)
        }
        guard child > 0 else { throw DemoError("cannot start the relay: fork: \(String(cString: strerror(errno)))") }
        return child
    }

    /// `waitpid`: how the child ended, or nil if it still runs (non-blocking).
    private static func reap(_ pid: pid_t, blocking: Bool) -> String? {
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, blocking ? 0 : WNOHANG)
            if result < 0, errno == EINTR { continue }
            if result == 0 { return nil }
            if result < 0 { return "gone (\(String(cString: strerror(errno))))" }
            break
        }
        let signal = status & 0x7F
        return signal == 0 ? "exited \((status >> 8) & 0xFF)" : "killed by signal \(signal)"
    }

    /// The last lines of a log, on one line.
    static func tail(of path: String) -> String {
        guard let bytes = try? FileIO.read(path), !bytes.isEmpty else { return "(empty)" }
        return String(decoding: bytes.suffix(600), as: UTF8.self).split(separator: "\n").joined(separator: " | ")
    }
}

import Transport

/// A `vigil serve` child process for `vigil bench hostile`: relay, analyzer and HTTP API on
/// ephemeral 127.0.0.1 ports, on a fresh data directory, its stderr in a log file there. Its two
/// address lines are read from stdout, its token from the file it creates.
final class ServeChild {
    /// The relay's address.
    let relayAddress: SocketAddress
    /// The HTTP API's address.
    let httpAddress: SocketAddress
    /// The HTTP API's Bearer token.
    let token: String
    /// The process (pid, peak RSS, CPU, log, stop).
    let process: ChildProcess

    /// Starts `vigil serve --data directory/serve` with `businesses` known from the start, and
    /// waits (up to `timeout`) for its `listening on` and `http on` lines.
    init(directory: String, businesses: [PhoneNumber], timeout: Duration = .seconds(30)) throws(CLIError) {
        var arguments = [
            "serve", "--listen", "127.0.0.1:0", "--http", "127.0.0.1:0", "--data", directory + "/serve", "--status-interval", "0",
            "--token-file", directory + "/token",
        ]
        if !businesses.isEmpty { arguments += ["--business", businesses.map(\.description).joined(separator: ",")] }
        process = try ChildProcess(name: "vigil serve", arguments: arguments, logPath: directory + "/serve.log", lines: 2, timeout: timeout)
        relayAddress = try process.address(line: 0, prefix: "listening on ")
        httpAddress = try process.address(line: 1, prefix: "http on ")
        let tokenBytes: [UInt8]
        do {
            tokenBytes = try FileIO.read(directory + "/token")
        } catch {
            throw CLIError("bench: cannot read vigil serve's token: \(error)")
        }
        token = String(decoding: tokenBytes.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
    }
}

import CloudAPI
import Glibc
import Storage
import Transport

/// `vigil cloudapi`: runs the Cloud API endpoint until SIGINT or SIGTERM.
struct CloudAPICommand: Command {
    static let help = """
        USAGE: vigil cloudapi --relay HOST:PORT --data DIR [--listen HOST:PORT] [options]

        Runs the Cloud API endpoint: for every business added with `vigil business add`, it holds
        the keys, keeps Signal sessions with users through the relay, decrypts incoming messages
        and POSTs them to the business's webhook (signed X-Hub-Signature-256, retried until 2xx),
        and accepts the business's messages on a Meta-compatible Graph API:
          POST /v{N}/{phone-number-id}/messages    text and template messages (Bearer token)
          GET  /v{N}/{phone-number-id}             quality rating, status, messaging limit
        Messages are stored encrypted with per-day keys and crypto-shredded after 30 days.

        OPTIONS:
          --relay HOST:PORT          the relay (`vigil relay`)
          --listen HOST:PORT         where the Graph API listens (default 127.0.0.1:7800; a bare PORT binds
                                     127.0.0.1; port 0: any)
          --data DIR                 data directory (registry, regions/na|eu stores); refused at start-up if
                                     it or anything in it grants access to group or others
          --master-key-file FILE     32-byte master key, created 0600 on first run (default DIR/master.key);
                                     refused if group or others can read it
          --sends-per-second N       send requests a second per number, checked before any work on a send
                                     (Meta's throughput; default 80); over it: 429 / 130429, answered
                                     after the wait (0.1–1 s)
          --upgraded-sends-per-second N
                                     the same once the number is TIER_UNLIMITED (default 1000, or
                                     --sends-per-second if higher)
          --limit-hold S             seconds a messaging-limit refusal (131048) from the relay holds its user
                                     before the relay is asked again, and the longest any remembered
                                     refusal is held (default 60; 0: remember none)
          --status-interval S        seconds between status lines on stderr, 0 = none (default 10)
          --help                     this text

        The first line on stdout is `listening on HOST:PORT`.
        """

    /// The Graph API's port when `--listen` is not given (bound on 127.0.0.1).
    static let defaultPort: UInt16 = 7800

    let relay: SocketAddress
    let listen: SocketAddress
    let dataDirectory: String
    let masterKeyFile: String
    let statusInterval: Int
    let sendsPerSecond: Int
    let upgradedSendsPerSecond: Int
    let limitHoldSeconds: Int

    init(parsing arguments: inout Arguments) throws(CLIError) {
        relay = try Self.address(&arguments, "--relay")
        listen = try ListenAddress.parse(try arguments.option("--listen"), option: "--listen", defaultPort: Self.defaultPort)
        guard let data = try arguments.option("--data") else { throw CLIError("--data DIR is required") }
        dataDirectory = data
        masterKeyFile = try arguments.option("--master-key-file") ?? data + "/master.key"
        statusInterval = try arguments.integer("--status-interval", in: 0...86_400) ?? 10
        sendsPerSecond = try arguments.integer("--sends-per-second", in: 1...1_000_000) ?? 80
        upgradedSendsPerSecond = try arguments.integer("--upgraded-sends-per-second", in: 1...1_000_000) ?? max(1_000, sendsPerSecond)
        limitHoldSeconds = try arguments.integer("--limit-hold", in: 0...86_400) ?? 60
        guard upgradedSendsPerSecond >= sendsPerSecond else {
            throw CLIError("--upgraded-sends-per-second must be at least --sends-per-second")
        }
    }

    static func address(_ arguments: inout Arguments, _ name: String) throws(CLIError) -> SocketAddress {
        guard let text = try arguments.option(name) else { throw CLIError("\(name) HOST:PORT is required") }
        do throws(SocketAddressError) {
            return try SocketAddress(parsing: text)
        } catch {
            throw CLIError("\(name): \(error)")
        }
    }

    func run() throws {
        var signals = StopSignals()
        // Least privilege on disk: keys, sealed messages and the registry's token hashes are the
        // owner's alone (the master key's own check also refuses another owner).
        try PrivateDirectory.require(dataDirectory)
        try PrivateDirectory.requirePrivateFile(masterKeyFile, option: "--master-key-file")
        try BusinessCommand.ensureDirectory(dataDirectory)
        // Day files are opened when first used: quick_check them all now, so a damaged file is
        // refused at start-up instead of surfacing while serving.
        try Database.verifyFiles(under: dataDirectory)
        let masterKey = try MasterKey.loadOrCreate(path: masterKeyFile)
        let configuration = EndpointConfiguration(
            relayAddress: relay, dataDirectory: dataDirectory, sendsPerSecond: sendsPerSecond, upgradedSendsPerSecond: upgradedSendsPerSecond,
            messagingLimitHoldMilliseconds: Int64(limitHoldSeconds) * 1_000)
        let host = try CloudAPIHost.start(configuration, listen: listen, masterKey: masterKey)
        print("listening on \(host.address)")
        fflush(nil)
        if let note = ListenAddress.exposureNote(host.address, option: "--listen") { Console.progress("cloudapi: \(note)") }
        let businesses = host.withEndpoint { $0.businessCount } ?? 0
        Console.progress("cloudapi: \(businesses) business(es), relay \(relay), data \(dataDirectory); SIGINT/SIGTERM to stop")
        let received = signals.wait(statusEvery: statusInterval) { host.withEndpoint { Self.status($0) } }
        Console.progress("cloudapi: \(received), stopping")
        host.stop()
        Console.progress("cloudapi: stopped")
    }

    static func status(_ endpoint: CloudAPIEndpoint) -> String {
        let s = endpoint.statistics
        var line = "cloudapi: \(endpoint.businessCount) businesses (\(endpoint.connectedCount) connected); "
        line += "inbound \(s.inbound), outbound \(s.outbound), refused \(s.refused) (\(s.refusedAtTheGate) at the gate), webhooks \(s.webhooksDelivered) ok / \(s.webhookFailures) failed"
        if s.undecryptable > 0 { line += ", undecryptable \(s.undecryptable)" }
        if let error = endpoint.lastError { line += "; last error: \(error)" }
        return line
    }
}

import Glibc
import Transport

/// `vigil relay`: runs the relay until SIGINT or SIGTERM.
struct RelayCommand: Command {
    static let help = """
        USAGE: vigil relay --data DIR [--listen HOST:PORT] [--tap FILE] [options]

        Runs the end-to-end encrypted relay (docs/wire.md). It routes opaque envelopes between
        clients, keeps them in a durable SQLite queue (DIR/relay.sqlite) until the recipient
        acknowledges them or 30 days pass, and sees only metadata. SIGINT or SIGTERM stop it
        cleanly: clients get error 501, the last writes are committed, the tap is flushed.

        OPTIONS:
          --listen HOST:PORT        address to listen on (default 127.0.0.1:7700; a bare PORT binds 127.0.0.1;
                                    [::1]:7700 for IPv6; port 0: any)
          --data DIR                data directory (created with mode 0700)
          --tap FILE                append every metadata event as a JSON line (integrity event schema)
          --business N1,N2,…        numbers known to be businesses from the start (for the tap's schema;
                                    numbers sending business envelopes are learned anyway)
          --max-frame BYTES         largest frame accepted, 1024…16777216 (default 262144)
          --status-interval S       seconds between status lines on stderr, 0 = none (default 10)
          --deny-business +E164:CODE[,…]
                                    TEST ONLY: refuse every business envelope from +E164 with error 403
                                    and the text "CODE denied by --deny-business" — a stand-in for the
                                    integrity analyzer's admission policy, so interop tests can provoke
                                    Meta's denials (131048 spam rate limit, 131056 pair rate limit,
                                    130429 throughput, 368 policy block) end to end
          --help                    this text

        The first line on stdout is `listening on HOST:PORT` (the bound port), for scripts.
        """

    /// The relay's port when `--listen` is not given (bound on 127.0.0.1).
    static let defaultPort: UInt16 = 7700

    let listen: SocketAddress
    let dataDirectory: String
    let tapPath: String?
    let businesses: [PhoneNumber]
    let maximumFrameSize: Int
    let statusInterval: Int
    /// `--deny-business`: business numbers whose envelopes are refused, with the Meta code to cite.
    let denials: [PhoneNumber: Int]

    init(parsing arguments: inout Arguments) throws(CLIError) {
        listen = try ListenAddress.parse(try arguments.option("--listen"), option: "--listen", defaultPort: Self.defaultPort)
        guard let data = try arguments.option("--data") else { throw CLIError("--data DIR is required") }
        dataDirectory = data
        tapPath = try arguments.option("--tap")
        var numbers: [PhoneNumber] = []
        if let list = try arguments.option("--business") {
            for text in list.split(separator: ",") {
                guard let number = PhoneNumber(text) else { throw CLIError("--business: '\(text)' is not an E.164 number") }
                numbers.append(number)
            }
        }
        businesses = numbers
        maximumFrameSize = try arguments.integer("--max-frame", in: 1024...16 << 20) ?? WireFormat.defaultMaximumFrameSize
        statusInterval = try arguments.integer("--status-interval", in: 0...86_400) ?? 10
        denials = try Self.denials(try arguments.option("--deny-business"))
    }

    /// Parses `+E164:CODE[,+E164:CODE…]`.
    static func denials(_ list: String?) throws(CLIError) -> [PhoneNumber: Int] {
        var denials: [PhoneNumber: Int] = [:]
        for item in (list ?? "").split(separator: ",") {
            let parts = item.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, let number = PhoneNumber(String(parts[0])), let code = Int(parts[1]), code > 0 else {
                throw CLIError("--deny-business takes +E164:CODE (e.g. +14155550100:131048), got '\(item)'")
            }
            denials[number] = code
        }
        return denials
    }

    func run() throws {
        var signals = StopSignals()
        _ = try? ResourceLimits.raiseOpenFiles(toAtLeast: 65_536)
        try PrivateDirectory.require(dataDirectory)

        let configuration = RelayConfiguration(
            listenAddress: listen, dataDirectory: dataDirectory, tokenHasher: .sha256, maximumFrameSize: maximumFrameSize
        )
        let tapPath = self.tapPath
        let businesses = self.businesses
        let denials = self.denials
        let relay = try RelayHost.start(configuration) {
            let policy: any AdmissionPolicy = denials.isEmpty ? AllowAllPolicy() : DenyBusinessPolicy(denials)
            guard let tapPath else { return RelayPlugIns(sink: DiscardingSink(), policy: policy) }
            return RelayPlugIns(sink: try JSONLTapSink(path: tapPath, businesses: businesses), policy: policy)
        }
        print("listening on \(relay.address)")
        fflush(nil)
        if let note = ListenAddress.exposureNote(relay.address, option: "--listen") { Console.progress("relay: \(note)") }
        Console.progress("relay: data \(dataDirectory)\(tapPath.map { ", tap \($0)" } ?? ""); SIGINT/SIGTERM to stop")
        if !denials.isEmpty {
            let list = denials.map { "\($0.key.e164):\($0.value)" }.sorted().joined(separator: ",")
            Console.progress("relay: TEST ONLY --deny-business \(list): their business envelopes are refused")
        }

        let received = signals.wait(statusEvery: statusInterval) { relay.withServer { Self.status($0) } }
        Console.progress("relay: \(received), stopping")
        let final = relay.withServer { Self.status($0) }
        relay.stop()
        if let final { Console.progress(final) }
        Console.progress("relay: stopped")
    }

    /// One status line.
    static func status(_ server: RelayServer) -> String {
        let stats = server.statistics
        let commits = server.commitStatistics
        let perCommit = commits.transactions == 0 ? 0 : Double(commits.writes) / Double(commits.transactions)
        var line = "relay: \(server.connectionCount) connections, \(server.onlineCount) online, \(server.queuedCount) queued; "
        line += "accepted \(stats.accepted), delivered \(stats.deliveries), acked \(stats.acknowledged), "
        line += "duplicates \(stats.duplicates), denied \(stats.denied), expired \(stats.expired); "
        line += "\(commits.transactions) commits (\(String(format: "%.1f", perCommit)) writes each)"
        if server.commitFailures > 0 { line += "; \(server.commitFailures) commit failures, last: \(server.lastCommitError ?? "?")" }
        if let tap = server.plugIns.sink as? JSONLTapSink {
            line += "; tap \(tap.linesWritten) lines"
            if let error = tap.writeError { line += " (write failed: \(error))" }
        }
        return line
    }
}

/// The test-only policy of `--deny-business`: every business envelope from a listed number is
/// refused with `admissionDenied` and a text that opens with the Meta code, which the Cloud API
/// endpoint turns into that code's Graph error (`GraphError.admissionDenied(relayText:)`); every
/// other envelope is admitted. The real policy is the integrity analyzer's.
final class DenyBusinessPolicy: AdmissionPolicy {
    private let denials: [PhoneNumber: Int]

    init(_ denials: [PhoneNumber: Int]) { self.denials = denials }

    func admit(sender: PhoneNumber, recipient: PhoneNumber, category: MessageCategory, time: Int64) -> AdmissionDecision {
        guard let code = denials[sender] else { return .allow }
        return .deny(code: .admissionDenied, text: "\(code) denied by --deny-business (test policy) for \(category) messages")
    }
}

/// The top-level `vigil` command: dispatches to subcommands.
enum VigilCommand {
    static let help = """
        vigil — transport-side integrity signals over metadata, with sketches that speak Apache DataSketches

        USAGE: vigil <command> [options]

        COMMANDS:
          demo                 run the end-to-end demonstration on embedded defaults
          relay                run the end-to-end encrypted relay (durable offline queue, metadata tap)
          serve                relay + integrity analyzer in one process, with the analyzer's HTTP API
          audit                check that the transport side never saw content (module rule, canary scans, permissions)
          analyze              replay integrity events: per-business signals, quality rating, messaging limits
          export [merge]       DP statistics for the platform (ledger, k, τ) or mergeable sketches for the transport; billing
          cloudapi             run the Cloud API endpoint (key custody, webhooks, Meta-compatible Graph API)
          business add|list    create / list the businesses the Cloud API endpoint speaks for
          sketch build         build a sketch (hll|cms|fi|kll) from items, one per line
          sketch describe      print a sketch image's type, parameters and estimates
          sketch merge         union / merge sketch images of one type
          bench sketches       ns per update, serialize/deserialize/merge times, peak RSS
          bench accuracy       HLL relative standard error over many trials
          bench integrity      integrity analyzer events/s on one core, bytes per business, peak RSS
          bench detection      precision/recall of critical alerts per business over every simulated scenario
          bench crypto         primitives against `openssl speed`, ratchet messages/s, X3DH time
          bench http           HTTP request parsing ns/request and response encoding (no sockets)
          bench relay          relay envelopes/s and delivery latency, queue on/off, against Redis pub/sub
          bench cloudapi       Cloud API end-to-end messages/s and latency both ways (HTTP → relay → phone → webhook)
          bench hostile        honest traffic's p99 and throughput under attack (slowloris, idle connections, bad frames, report floods)
          crypto-oracle        primitives and ratchet KDFs over JSON lines (for differential tests)
          crypto-party         one protocol party over JSON lines (for interop tests)
          send                 a phone: send one end-to-end encrypted message through a relay
          listen               a phone: receive, decrypt and print messages as JSON lines
          simulate             write a labeled integrity workload (events JSONL + labels sidecar) from a seed

        Run `vigil <command> --help` for a command's options.
        """

    static func main(_ arguments: [String]) -> Int32 {
        guard let first = arguments.first else {
            print(help)
            return 2
        }
        let rest = Array(arguments.dropFirst())
        switch first {
        case "--help", "-h", "help":
            print(help)
            return 0
        case "--version":
            print("vigil \(VigilVersion.current)")
            return 0
        case "demo":
            return DemoCommand.main(rest)
        case "relay":
            return RelayCommand.main(rest)
        case "serve":
            return ServeCommand.main(rest)
        case "audit":
            return AuditCommand.main(rest)
        case "analyze":
            return AnalyzeCommand.main(rest)
        case "export":
            return ExportCommand.dispatch(rest)
        case "cloudapi":
            return CloudAPICommand.main(rest)
        case "business":
            return dispatch(group: "business", rest, ["add": BusinessCommand.add, "list": BusinessCommand.list])
        case "sketch":
            return dispatch(group: "sketch", rest, [
                "build": SketchBuildCommand.main, "describe": SketchDescribeCommand.main, "merge": SketchMergeCommand.main,
            ])
        case "bench":
            return dispatch(group: "bench", rest, [
                "sketches": BenchSketchesCommand.main, "accuracy": BenchAccuracyCommand.main,
                "crypto": BenchCryptoCommand.main,
                "integrity": BenchIntegrityCommand.main, "detection": BenchDetectionCommand.main,
                "http": BenchHTTPCommand.main,
                "relay": BenchRelayCommand.main,
                "cloudapi": BenchCloudAPICommand.main,
                "hostile": BenchHostileCommand.main,
            ])
        case "crypto-oracle":
            return CryptoOracleCommand.main(rest)
        case "crypto-party":
            return CryptoPartyCommand.main(rest)
        case "http-echo":  // hidden: the HTTP interop test server (Tests/interop/run-http-interop.sh)
            return HTTPEchoCommand.main(rest)
        case "http-fetch":  // hidden: the HTTP interop test client
            return HTTPFetchCommand.main(rest)
        case "alert-post":  // hidden: posts alert lines to Alertmanager (Tests/interop/run-alertmanager-interop.sh)
            return AlertPostCommand.main(rest)
        case "metrics-sample":  // hidden: prints /metrics after replaying events (promtool check metrics)
            return MetricsSampleCommand.main(rest)
        case "report-intake":  // hidden: report intake alone, for the crash test (Tests/IntegrityTests/Reports)
            return ReportIntakeCommand.main(rest)
        case "send":
            return SendCommand.main(rest)
        case "listen":
            return ListenCommand.main(rest)
        case "simulate":
            return SimulateCommand.main(rest)
        case "dashboard-sample":  // hidden: the dashboard page from an event file (Tests/interop/run-dashboard-check.sh)
            return DashboardSampleCommand.main(rest)
        default:
            Console.error("unknown command '\(first)' (see vigil --help)")
            return 2
        }
    }

    private static func dispatch(group: String, _ arguments: [String], _ commands: [String: ([String]) -> Int32]) -> Int32 {
        let names = commands.keys.sorted().joined(separator: ", ")
        guard let name = arguments.first, !name.hasPrefix("-") else {
            if arguments.first == "--help" || arguments.first == "-h" {
                print("USAGE: vigil \(group) <\(commands.keys.sorted().joined(separator: "|"))> [options]\nRun `vigil \(group) <command> --help` for its options.")
                return 0
            }
            Console.error("vigil \(group) needs a command: \(names)")
            return 2
        }
        guard let command = commands[name] else {
            Console.error("unknown command 'vigil \(group) \(name)'; expected one of: \(names)")
            return 2
        }
        return command(Array(arguments.dropFirst()))
    }
}

import Integrity
import Transport

/// `vigil alert-post` (hidden): posts alert lines through ``HTTPAlertSink`` to an Alertmanager or
/// a webhook receiver and exits once they are delivered — the Alertmanager interop test's sender
/// (Tests/interop/run-alertmanager-interop.sh).
struct AlertPostCommand: Command {
    static let help = """
        USAGE: vigil alert-post (--alertmanager URL | --webhook URL) --alerts FILE.jsonl
                                [--receiver NAME] [--external-url URL] [--group-by LABELS]
                                [--generator-url URL] [--deadline SECONDS]

        Reads alert lines (the format of `vigil analyze --alerts`: one JSON object per line with
        t, status, alertname, business, severity, summary, value, fingerprint, starts_at, ends_at,
        labels) and posts them: to Alertmanager's POST /api/v2/alerts, or as webhook payloads
        version 4 (one per group) to a generic receiver. Waits until every alert is delivered or
        the deadline passes, retrying failures with backoff, then prints one JSON line of counts.
        Exit status 0 when everything was delivered, 1 otherwise.

        OPTIONS:
          --alertmanager URL   an Alertmanager's base URL (http://127.0.0.1:9093)
          --webhook URL        a webhook receiver's URL
          --alerts FILE        the alert lines (- reads standard input)
          --receiver NAME      webhook payloads' "receiver" (default vigil)
          --external-url URL   webhook payloads' "externalURL" (default empty)
          --group-by LABELS    comma-separated grouping labels for webhook payloads (default alertname,business)
          --generator-url URL  each alert's generatorURL
          --deadline SECONDS   how long to keep trying, 0.1…600 (default 10)
        """

    let target: HTTPAlertSink.Target
    let alertsPath: String
    let webhook: AlertmanagerEncoding.WebhookOptions
    let groupBy: [String]
    let generatorURL: String?
    let deadline: Double

    init(parsing arguments: inout Arguments) throws(CLIError) {
        let alertmanager = try arguments.option("--alertmanager")
        let webhookURL = try arguments.option("--webhook")
        switch (alertmanager, webhookURL) {
        case let (url?, nil): target = .alertmanager(url)
        case let (nil, url?): target = .webhook(url)
        case (.some, .some): throw CLIError("give either --alertmanager or --webhook, not both")
        case (nil, nil): throw CLIError("--alertmanager URL or --webhook URL is required")
        }
        guard let alerts = try arguments.option("--alerts") else { throw CLIError("--alerts is required") }
        alertsPath = alerts
        generatorURL = try arguments.option("--generator-url")
        webhook = AlertmanagerEncoding.WebhookOptions(
            receiver: try arguments.option("--receiver") ?? "vigil",
            externalURL: try arguments.option("--external-url") ?? "",
            generatorURL: generatorURL ?? ""
        )
        groupBy = try arguments.option("--group-by").map { $0.split(separator: ",").map(String.init) } ?? AlertmanagerEncoding.defaultGroupBy
        guard !groupBy.isEmpty, groupBy.allSatisfy(PrometheusExposition.isValidLabelName) else {
            throw CLIError("--group-by takes comma-separated label names")
        }
        let deadline = try arguments.double("--deadline") ?? 10
        guard (0.1...600).contains(deadline) else { throw CLIError("--deadline must be in 0.1…600 seconds, got \(deadline)") }
        self.deadline = deadline
    }

    func run() throws {
        let alerts = try Self.readAlerts(alertsPath)
        let delivery: AlertDeliveryMachine.Configuration
        switch target {
        case .alertmanager: delivery = AlertDeliveryMachine.Configuration(resendInterval: nil)
        case .webhook: delivery = AlertDeliveryMachine.Configuration(resendInterval: nil, groupBy: groupBy)
        }
        let configuration = HTTPAlertSink.Configuration(target: target, delivery: delivery, webhook: webhook, generatorURL: generatorURL)
        let sink: HTTPAlertSink
        do {
            sink = try HTTPAlertSink(configuration: configuration)
        } catch {
            throw CLIError("\(error)")
        }
        sink.deliver(alerts)
        let (statistics, undelivered) = sink.finish(within: .milliseconds(Int64(deadline * 1000)))
        var summary = JSONObject()
        summary.set("alerts", alerts.count)
        summary.set("requests", statistics.requests)
        summary.set("delivered", statistics.delivered)
        summary.set("failed_attempts", statistics.failedAttempts)
        summary.set("rejected", statistics.rejected)
        summary.set("undelivered", undelivered)
        print(summary.text)
        guard statistics.delivered == alerts.count else {
            throw AlertPostFailure(delivered: statistics.delivered, total: alerts.count, rejected: statistics.rejected)
        }
    }

    /// Every non-blank line of `path` as an alert; the first malformed line is an error naming it.
    static func readAlerts(_ path: String) throws(CLIError) -> [Alert] {
        let bytes = try FileIO.read(path)
        var alerts: [Alert] = []
        for (number, range) in Lines(bytes: bytes) {
            let line = bytes[range]
            guard line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { continue }
            do {
                alerts.append(try Alert(jsonLine: line))
            } catch {
                throw CLIError("\(path):\(number): \(error)")
            }
        }
        return alerts
    }
}

/// Not every alert was delivered before the deadline.
struct AlertPostFailure: Error, CustomStringConvertible {
    let delivered: Int
    let total: Int
    let rejected: Int
    var description: String { "delivered \(delivered) of \(total) alerts (\(rejected) rejected by the receiver)" }
}

/// `vigil metrics-sample` (hidden): replays events through an analyzer and prints its `/metrics`
/// exposition — for `promtool check metrics` in the interop test.
struct MetricsSampleCommand: Command {
    static let help = """
        USAGE: vigil metrics-sample [--events FILE|-] [--alerts FILE.jsonl] [--version TEXT]

        Replays integrity events (the `vigil analyze` schema) at full speed and prints the
        analyzer's Prometheus text exposition, as GET /metrics would serve it. Alerts whose latest
        line in --alerts is firing count as firing. Without --events the exposition shows an empty
        analyzer.

        OPTIONS:
          --events FILE    the events (- reads standard input)
          --alerts FILE    alert lines (the `vigil analyze --alerts` format)
          --version TEXT   the version label of vigil_build_info (default dev)
        """

    let events: String?
    let alerts: String?
    let version: String

    init(parsing arguments: inout Arguments) throws(CLIError) {
        events = try arguments.option("--events")
        alerts = try arguments.option("--alerts")
        version = try arguments.option("--version") ?? "dev"
    }

    func run() throws {
        let analyzer = try IntegrityAnalyzer()
        let counter = EventCountingObserver()
        analyzer.observers.append(counter)
        var malformed = 0
        if let events {
            let reader: EventStreamReader
            do {
                reader = try EventStreamReader(path: events)
            } catch {
                throw CLIError("\(error)")
            }
            let summary = try analyzer.replay(reader, malformed: { _ in })
            malformed = summary.malformed
            Console.progress("metrics-sample: \(summary.events) events, \(summary.malformed) malformed, \(analyzer.activeBusinessCount) businesses")
        }
        var latest: [String: Alert] = [:]
        if let alerts {
            for alert in try AlertPostCommand.readAlerts(alerts) { latest[alert.fingerprintHex] = alert }
        }
        let extra = MetricsExtras(version: version, eventCounts: counter.counts, malformedLines: malformed,
                                  activeAlerts: latest.values.filter { $0.status == .firing })
        print(IntegrityMetrics.render(analyzer: analyzer, extra: extra), terminator: "")
    }
}

import Dispatch
import Glibc
import Synchronization
public import Transport

/// Posts alert transitions over HTTP in Prometheus Alertmanager's formats, from an event-loop
/// thread of its own: ``deliver(_:)`` only queues (a mutex held for an append, never I/O), so the
/// analyzer's thread never waits on the network.
///
/// - ``Target/alertmanager(_:)``: `POST {url}/api/v2/alerts` with
///   ``AlertmanagerEncoding/postableAlerts(_:now:firingValidity:generatorURL:)``; firing alerts
///   are re-posted every ``AlertDeliveryMachine/Configuration/resendInterval`` (default 1 min,
///   `endsAt` 4 min ahead) so Alertmanager keeps them active until they resolve.
/// - ``Target/webhook(_:)``: `POST {url}` with one webhook payload version 4 per group
///   (``AlertmanagerEncoding/webhookPayload(_:options:)``), each transition once.
///
/// Queueing, batching, retries and resending are ``AlertDeliveryMachine``'s; this class performs
/// its actions. Call ``finish(within:)`` before dropping the sink: it flushes, then stops the thread.
public final class HTTPAlertSink: AlertSink, Sendable {
    /// Where alerts go.
    public enum Target: Sendable, Hashable {
        /// An Alertmanager's base URL (`http://host:9093`); alerts go to `/api/v2/alerts` under it.
        case alertmanager(String)
        /// A generic webhook receiver's URL, which gets payloads version 4.
        case webhook(String)
    }

    /// How the sink posts.
    public struct Configuration: Sendable {
        /// Where.
        public var target: Target
        /// Queue, batches, retries, resends.
        public var delivery: AlertDeliveryMachine.Configuration
        /// `receiver`, `externalURL`, `generatorURL` of webhook payloads.
        public var webhook: AlertmanagerEncoding.WebhookOptions
        /// How long a posted firing alert stays firing in Alertmanager (ms).
        public var firingValidity: Int64
        /// `generatorURL` of alerts posted to Alertmanager (omitted when nil).
        public var generatorURL: String?
        /// The deadline of one request.
        public var requestTimeout: Duration

        /// A configuration for `target`: Alertmanager resends firing alerts every minute; webhook
        /// receivers get each transition once, grouped by `alertname` and `business`.
        public init(target: Target, delivery: AlertDeliveryMachine.Configuration? = nil,
                    webhook: AlertmanagerEncoding.WebhookOptions = AlertmanagerEncoding.WebhookOptions(),
                    firingValidity: Int64 = AlertmanagerEncoding.defaultFiringValidity, generatorURL: String? = nil,
                    requestTimeout: Duration = .seconds(10)) {
            self.target = target
            switch target {
            case .alertmanager:
                self.delivery = delivery ?? AlertDeliveryMachine.Configuration()
            case .webhook:
                self.delivery = delivery ?? AlertDeliveryMachine.Configuration(resendInterval: nil, groupBy: AlertmanagerEncoding.defaultGroupBy)
            }
            self.webhook = webhook
            self.firingValidity = firingValidity
            self.generatorURL = generatorURL
            self.requestTimeout = requestTimeout
        }
    }

    /// The configuration.
    public let configuration: Configuration
    private let endpoint: HTTPURL
    private let machine: Mutex<AlertDeliveryMachine>
    private let thread: EventLoopThread
    private let driver: LoopBound<HTTPAlertDriver>
    private let wallClock: @Sendable () -> Int64
    private let drained = DispatchSemaphore(value: 0)
    private let finished = Mutex(false)

    /// Starts the sink's thread. `clock` drives retries and resends (a `ManualClock` in tests);
    /// `wallClock` gives the milliseconds since the epoch that `endsAt` is computed from.
    public init(configuration: Configuration, clock: any MonotonicClock = SystemClock(),
                wallClock: @escaping @Sendable () -> Int64 = HTTPAlertSink.systemWallClock) throws(HTTPAlertSinkError) {
        let url: String
        switch configuration.target {
        case let .alertmanager(base): url = (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/api/v2/alerts"
        case let .webhook(target): url = target
        }
        do throws(HTTPURLError) {
            endpoint = try HTTPURL(parsing: url)
        } catch {
            throw .invalidURL(url, error)
        }
        if case .webhook = configuration.target, configuration.delivery.groupBy == nil {
            throw .webhookNeedsGrouping
        }
        self.configuration = configuration
        self.wallClock = wallClock
        machine = Mutex(AlertDeliveryMachine(configuration: configuration.delivery))
        do throws(SystemError) {
            let loop = try EventLoop(clock: clock)
            thread = try EventLoopThread(loop: loop, name: "vigil-alerts")
        } catch {
            throw .system(error)
        }
        let client = HTTPClientConfiguration(requestTimeout: configuration.requestTimeout, userAgent: "Vigil-Alerts/1")
        let made = Mutex<LoopBound<HTTPAlertDriver>?>(nil)
        let loop = thread.loop
        _ = loop.executeAndWait {
            made.withLock { $0 = LoopBound(HTTPAlertDriver(client: HTTPClient(on: loop, configuration: client)), on: loop) }
        }
        guard let driver = made.withLock({ $0 }) else {
            thread.stopAndJoin()
            throw .system(SystemError(call: "EventLoop.executeAndWait", errno: .shutDown))
        }
        self.driver = driver
    }

    /// `CLOCK_REALTIME` in milliseconds since the Unix epoch.
    ///
    /// The corresponding C function is `clock_gettime`.
    public static let systemWallClock: @Sendable () -> Int64 = {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }

    /// Queues `alerts` (dropping the oldest beyond the capacity) and wakes the sink's thread if
    /// it is idle. Never blocks on I/O.
    public func deliver(_ alerts: [Alert]) {
        let now = milliseconds(thread.loop.now())
        let wake = machine.withLock { $0.enqueue(alerts, now: now) }
        if wake { thread.loop.execute { [weak self] in self?.drive() } }
    }

    /// Counters so far.
    public var statistics: AlertDeliveryStatistics { machine.withLock { $0.statistics } }

    /// Transitions queued or in flight.
    public var undeliveredCount: Int { machine.withLock { $0.undeliveredCount } }

    /// Stops accepting alerts, keeps sending what is queued (retrying at the initial backoff)
    /// until everything is delivered or `deadline` passes, then stops the thread. Returns the
    /// final counters and how many transitions were left undelivered. Idempotent; call it from
    /// a thread other than the sink's.
    @discardableResult
    public func finish(within deadline: Duration) -> (statistics: AlertDeliveryStatistics, undelivered: Int) {
        let first = finished.withLock { done -> Bool in
            defer { done = true }
            return !done
        }
        if first {
            machine.withLock { $0.close() }
            if thread.loop.execute({ [weak self] in self?.drive() }) {
                let (seconds, attoseconds) = deadline.components
                let nanoseconds = max(seconds, 0) >= Int64.max / 1_000_000_000 ? Int64.max : max(seconds, 0) * 1_000_000_000 + max(attoseconds, 0) / 1_000_000_000
                _ = drained.wait(timeout: .now() + .nanoseconds(Int(clamping: nanoseconds)))
            }
            let driver = self.driver
            _ = thread.loop.executeAndWait { driver.value.shutdown() }
            thread.stopAndJoin()
        }
        return machine.withLock { ($0.statistics, $0.undeliveredCount) }
    }

    /// The sink's loop (tests advance its clock and wake it).
    var loop: EventLoop { thread.loop }

    // MARK: On the loop

    private func drive() {
        let now = milliseconds(thread.loop.now())
        let (action, isDone) = machine.withLock { machine -> (AlertDeliveryMachine.Action, Bool) in
            let action = machine.next(now: now)
            return (action, machine.isClosed && machine.isDrained)
        }
        switch action {
        case let .send(batch):
            send(batch)
        case let .wake(at):
            driver.value.schedule(at: MonotonicInstant(nanoseconds: UInt64(max(at, 0)) * 1_000_000), on: thread.loop) { [weak self] in
                self?.drive()
            }
        case .none:
            if isDone, driver.value.markDrained() { drained.signal() }
        }
    }

    private func send(_ batch: AlertDeliveryMachine.Batch) {
        let body: String
        switch configuration.target {
        case .alertmanager:
            body = AlertmanagerEncoding.postableAlerts(batch.alerts, now: wallClock(), firingValidity: configuration.firingValidity,
                                                       generatorURL: configuration.generatorURL)
        case .webhook:
            let groups = AlertmanagerEncoding.groups(batch.alerts, by: configuration.delivery.groupBy ?? AlertmanagerEncoding.defaultGroupBy)
            // The machine batches one group at a time, so there is exactly one.
            body = groups.first.map { AlertmanagerEncoding.webhookPayload($0, options: configuration.webhook) } ?? "{}"
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        let request = HTTPClientRequest(method: .post, url: endpoint, headers: headers, body: Array(body.utf8))
        driver.value.client.execute(request) { [weak self] result in
            guard let self else { return }
            let outcome = Self.outcome(of: result)
            let now = self.milliseconds(self.thread.loop.now())
            self.machine.withLock { $0.completed(outcome, now: now) }
            self.drive()
        }
    }

    /// 2xx delivered; 5xx, 408, 429 and transport failures retryable; other statuses rejected.
    static func outcome(of result: Result<HTTPClientResponse, HTTPClientError>) -> AlertDeliveryMachine.Outcome {
        switch result {
        case let .success(response):
            let code = response.status.code
            if response.status.isSuccess { return .delivered }
            if code >= 500 || code == 408 || code == 429 { return .retryable(reason: "HTTP \(code)") }
            return .rejected(reason: "HTTP \(code): " + String(decoding: response.body.prefix(200), as: UTF8.self))
        case let .failure(error):
            return .retryable(reason: "\(error)")
        }
    }

    private func milliseconds(_ instant: MonotonicInstant) -> Int64 {
        Int64(clamping: instant.nanoseconds / 1_000_000)
    }
}

/// Why an ``HTTPAlertSink`` could not start.
public enum HTTPAlertSinkError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The target URL is not a plain `http://` URL.
    case invalidURL(String, HTTPURLError)
    /// A webhook target needs ``AlertDeliveryMachine/Configuration/groupBy`` (one payload per group).
    case webhookNeedsGrouping
    /// The sink's thread or loop could not be created.
    case system(SystemError)

    /// One line.
    public var description: String {
        switch self {
        case let .invalidURL(url, error): "invalid alert target \(url): \(error)"
        case .webhookNeedsGrouping: "a webhook target needs groupBy labels"
        case let .system(error): "cannot start the alert sink: \(error)"
        }
    }
}

/// The sink's loop-confined half: the HTTP client and the one pending timer.
final class HTTPAlertDriver {
    let client: HTTPClient
    private var timer: (id: TimerID, deadline: MonotonicInstant)?
    private var drainSignalled = false

    init(client: HTTPClient) { self.client = client }

    /// Runs `body` at `deadline`, replacing an earlier-scheduled wake-up for another time.
    func schedule(at deadline: MonotonicInstant, on loop: EventLoop, _ body: @escaping () -> Void) {
        if let timer {
            if timer.deadline == deadline { return }
            loop.cancelTimer(timer.id)
        }
        let id = loop.scheduleTimer(at: deadline) { [weak self] in
            self?.timer = nil
            body()
        }
        timer = (id, deadline)
    }

    /// True the first time only: the flush waiter is signalled once.
    func markDrained() -> Bool {
        defer { drainSignalled = true }
        return !drainSignalled
    }

    /// Fails requests in flight and closes connections.
    func shutdown() { client.shutdown() }
}

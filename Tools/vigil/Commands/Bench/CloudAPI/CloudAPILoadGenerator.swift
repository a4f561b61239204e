import Transport

/// A business as the load generator sees it: where to POST, with which token.
struct CloudAPIBenchBusiness: Sendable {
    /// The business's number.
    let phone: PhoneNumber
    /// Its phone-number id.
    let phoneNumberID: String
    /// Its access token.
    let accessToken: String
}

/// The directions a phase drives.
struct CloudAPIBenchDirections: OptionSet, Sendable, Hashable {
    let rawValue: Int
    /// Business → user.
    static let outbound = CloudAPIBenchDirections(rawValue: 1)
    /// User → business.
    static let inbound = CloudAPIBenchDirections(rawValue: 2)
    /// Both at once.
    static let both: CloudAPIBenchDirections = [.outbound, .inbound]

    /// "business → user", "user → business" or "both ways".
    var label: String {
        switch self {
        case .outbound: "business → user"
        case .inbound: "user → business"
        default: "both ways"
        }
    }
}

/// What one measurement window saw, per direction.
struct CloudAPIWindow: Sendable {
    /// Business → user: messages the phones decrypted, latency from the POST being issued.
    var outbound = WindowFigures()
    /// User → business: messages in webhooks, latency from the phone encrypting it.
    var inbound = WindowFigures()
    /// `POST /messages` round trips answered 200 (issue → response).
    var api = LatencyHistogram()
    /// Status entries (`sent`) in webhooks.
    var statuses = 0
    /// Process CPU seconds (user + system) over the window, every thread.
    var cpuSeconds = 0.0
    /// CPU seconds over the window by thread role (``ProcessCPU/roles``): the endpoint's loop
    /// thread is the one that saturates first.
    var threadCPUSeconds: [String: Double] = [:]
    /// The share of the machine's CPU time the hypervisor stole over the window (`/proc/stat`),
    /// `nil` where the kernel does not count it.
    var stealFraction: Double?

    /// End-to-end messages per second over both directions.
    var throughput: Double { outbound.throughput + inbound.throughput }

    /// Both directions' end-to-end latencies together.
    var latency = LatencyHistogram()
}

/// The load side of `vigil bench cloudapi`, on its own event loop: K phones (one flow each, with
/// business `flow % B`), the businesses' HTTP client (keep-alive, C connections) and the webhook
/// server. Saturating (each flow keeps W messages in flight per direction) or paced (open loop,
/// 1 ms ticks, flows staggered). Every text carries its send time on the monotonic clock; the
/// phone's decryption (business → user) or the webhook's arrival (user → business) reads the
/// clock again. Loop-confined.
final class CloudAPILoadGenerator {
    /// How messages are issued.
    enum Mode {
        case idle
        case saturating(window: Int, directions: CloudAPIBenchDirections)
        case paced(perFlowRate: Double, start: UInt64, cap: Int, directions: CloudAPIBenchDirections)
    }

    /// Counters of one flow.
    struct Flow {
        var outboundSent = 0
        var outboundDelivered = 0
        var inboundSent = 0
        var inboundDelivered = 0
        var scheduled = 0
        var primed = false
        /// Which sequence numbers arrived, per direction (duplicates are counted, not delivered).
        var outboundSeen: [Bool] = []
        var inboundSeen: [Bool] = []
        var outboundOutstanding: Int { outboundSent - outboundDelivered }
        var inboundOutstanding: Int { inboundSent - inboundDelivered }

        /// Marks `sequence` seen; false if it already was (a duplicate) or was never sent.
        static func mark(_ sequence: Int, in seen: inout [Bool], sent: Int) -> Bool {
            guard sequence >= 0, sequence < sent else { return false }
            if seen.count < sent { seen.append(contentsOf: repeatElement(false, count: sent - seen.count)) }
            guard !seen[sequence] else { return false }
            seen[sequence] = true
            return true
        }
    }

    let loop: EventLoop
    private(set) var businesses: [CloudAPIBenchBusiness] = []
    let textLength: Int
    private(set) var phones: [CloudAPIBenchPhone] = []
    private(set) var flows: [Flow]
    private var client: HTTPClient?
    private var urls: [HTTPURL] = []
    private var headers: [HTTPHeaders] = []
    private var bodyPrefixes: [[UInt8]] = []
    private(set) var webhooks: CloudAPIBenchWebhooks?
    private(set) var mode = Mode.idle
    private(set) var readyPhones = 0
    private(set) var primedFlows = 0
    /// Status entries received since the start.
    private(set) var totalStatuses = 0
    /// Webhook POSTs received since the start.
    private(set) var totalWebhooks = 0
    /// `POST /messages` answered 200 since the start.
    private(set) var totalAccepted = 0
    /// The first failure.
    private(set) var failure: String?
    /// Messages that arrived a second time (a phone decrypting one again; a webhook repeated).
    private(set) var duplicates = (outbound: 0, inbound: 0)
    private(set) var isClosing = false
    private var window = CloudAPIWindow()
    private var windowStart: UInt64 = 0
    private var pacingTimer: TimerID?

    /// Sets up K phones (not yet connected) for the businesses `numbers` and the webhook server;
    /// `configure(api:businesses:connections:)` adds the HTTP client once the endpoint runs.
    init(loop: EventLoop, businessNumbers numbers: [PhoneNumber], phones count: Int, textLength: Int, verifyToken: String) throws(CLIError) {
        self.loop = loop
        self.textLength = textLength
        flows = Array(repeating: Flow(), count: count)
        for index in 0..<count {
            guard let number = PhoneNumber(digits: 15_553_000_000 + UInt64(index)) else { throw CLIError("bench: too many phones") }
            phones.append(try CloudAPIBenchPhone(number: number, flow: index, business: numbers[index % numbers.count], generator: self))
            bodyPrefixes.append(Array((#"{"messaging_product":"whatsapp","recipient_type":"individual","to":""#
                + String(number.digits) + #"","type":"text","text":{"preview_url":false,"body":""#).utf8))
        }
        webhooks = try CloudAPIBenchWebhooks(on: loop, verifyToken: verifyToken) { [weak self] body in self?.webhook(body) }
    }

    /// The businesses' HTTP client: keep-alive, at most `connections` connections to `api`.
    func configure(api: SocketAddress, businesses: [CloudAPIBenchBusiness], connections: Int) throws(CLIError) {
        self.businesses = businesses
        var configuration = HTTPClientConfiguration()
        configuration.maximumConnectionsPerHost = connections
        configuration.requestTimeout = .seconds(120)
        configuration.idleConnectionTimeout = .seconds(30)
        configuration.retriesOnStaleConnection = false
        client = HTTPClient(on: loop, configuration: configuration)
        for business in businesses {
            do throws(HTTPURLError) {
                urls.append(try HTTPURL(parsing: "http://\(api)/v22.0/\(business.phoneNumberID)/messages"))
            } catch {
                throw CLIError("bench: bad API URL: \(error)")
            }
            var fields = HTTPHeaders()
            fields.add(name: "Authorization", value: "Bearer \(business.accessToken)")
            fields.add(name: "Content-Type", value: "application/json")
            headers.append(fields)
        }
    }

    /// Connects and registers every phone.
    func connectPhones(relay: SocketAddress) throws(CLIError) {
        for phone in phones { try phone.start(relay: relay, on: loop) }
    }

    /// Every phone sends its first message to its business (session and 24-hour window).
    func prime() {
        for phone in phones {
            phone.prime(text: CloudAPIBenchText.make(.priming, flow: phone.flow, sequence: 0, stamp: BenchClock.now(), length: textLength))
        }
    }

    var allPhonesReady: Bool { readyPhones == phones.count }
    var allPrimed: Bool { primedFlows == phones.count }
    /// Messages sent and not yet seen at the other end.
    var outstanding: Int { flows.reduce(0) { $0 + $1.outboundOutstanding + $1.inboundOutstanding } }
    var totalSent: (outbound: Int, inbound: Int) {
        flows.reduce((0, 0)) { ($0.0 + $1.outboundSent, $0.1 + $1.inboundSent) }
    }
    var connectedPhones: Int { phones.count { $0.isConnected } }

    // MARK: Phases

    func startSaturating(window: Int, directions: CloudAPIBenchDirections) {
        stopSending()
        mode = .saturating(window: window, directions: directions)
        for flow in flows.indices { refill(flow) }
    }

    func startPaced(totalRate: Double, cap: Int, directions: CloudAPIBenchDirections) {
        stopSending()
        for index in flows.indices { flows[index].scheduled = 0 }
        let streams = Double(flows.count * (directions == .both ? 2 : 1))
        mode = .paced(perFlowRate: totalRate / streams, start: BenchClock.now(), cap: cap, directions: directions)
        tick()
    }

    func stopSending() {
        mode = .idle
        if let pacingTimer { loop.cancelTimer(pacingTimer) }
        pacingTimer = nil
    }

    func beginWindow() {
        window = CloudAPIWindow()
        windowStart = BenchClock.now()
    }

    func endWindow() -> CloudAPIWindow {
        var figures = window
        let elapsed = BenchClock.now() - windowStart
        figures.outbound.nanoseconds = elapsed
        figures.inbound.nanoseconds = elapsed
        return figures
    }

    func closeAll(completion: @escaping () -> Void) {
        stopSending()
        isClosing = true
        for phone in phones { phone.close() }
        client?.shutdown()
        client = nil
        if let webhooks {
            webhooks.shutdown(completion: completion)
        } else {
            completion()
        }
    }

    // MARK: Events

    func phoneBecameReady() { readyPhones += 1 }

    func fail(_ message: String) {
        if failure == nil { failure = message }
        stopSending()
    }

    func endpointClosed(_ who: String, reason: String) {
        if !isClosing { fail("\(who): link closed: \(reason)") }
    }

    /// A phone decrypted a business message.
    func outboundDelivered(_ text: CloudAPIBenchText.Parsed, to phoneFlow: Int) {
        let flow = text.flow
        guard flow == phoneFlow, flows.indices.contains(flow) else {
            fail("a message of flow \(flow) reached phone \(phoneFlow)")
            return
        }
        guard Flow.mark(text.sequence, in: &flows[flow].outboundSeen, sent: flows[flow].outboundSent) else {
            duplicates.outbound += 1
            return
        }
        let now = BenchClock.now()
        window.outbound.latency.record(now >= text.stamp ? now - text.stamp : 0)
        window.latency.record(now >= text.stamp ? now - text.stamp : 0)
        window.outbound.delivered += 1
        flows[flow].outboundDelivered += 1
        if case let .saturating(_, directions) = mode, directions.contains(.outbound) { refill(flow) }
    }

    /// A webhook POST arrived.
    private func webhook(_ body: [UInt8]) {
        let (texts, statuses) = CloudAPIBenchText.scanWebhook(body)
        totalWebhooks += 1
        window.statuses += statuses
        totalStatuses += statuses
        let now = BenchClock.now()
        for text in texts where flows.indices.contains(text.flow) {
            switch text.direction {
            case .priming:
                if !flows[text.flow].primed {
                    flows[text.flow].primed = true
                    primedFlows += 1
                }
            case .inbound:
                guard Flow.mark(text.sequence, in: &flows[text.flow].inboundSeen, sent: flows[text.flow].inboundSent) else {
                    duplicates.inbound += 1
                    continue
                }
                window.inbound.latency.record(now >= text.stamp ? now - text.stamp : 0)
                window.latency.record(now >= text.stamp ? now - text.stamp : 0)
                window.inbound.delivered += 1
                flows[text.flow].inboundDelivered += 1
                if case let .saturating(_, directions) = mode, directions.contains(.inbound) { refill(text.flow) }
            case .outbound:
                fail("a business's own message came back in a webhook")
            }
        }
        if texts.isEmpty && statuses == 0 {
            fail("a webhook without a benchmark message or status: \(String(decoding: body.prefix(200), as: UTF8.self))")
        }
    }

    // MARK: Sending

    private func sendOutbound(_ flow: Int, stamp: UInt64) {
        guard let client else { return }
        let business = flow % businesses.count
        var body = bodyPrefixes[flow]
        body.append(contentsOf: CloudAPIBenchText.make(.outbound, flow: flow, sequence: flows[flow].outboundSent, stamp: stamp, length: textLength))
        body.append(contentsOf: #""}}"#.utf8)
        flows[flow].outboundSent += 1
        client.execute(HTTPClientRequest(method: .post, url: urls[business], headers: headers[business], body: body)) { [weak self] result in
            guard let self else { return }
            switch result {
            case let .success(response) where response.status.code == 200:
                let now = BenchClock.now()
                window.api.record(now >= stamp ? now - stamp : 0)
                window.outbound.accepted += 1
                totalAccepted += 1
            case let .success(response):
                fail("POST /messages answered \(response.status.code): \(String(decoding: response.body.prefix(300), as: UTF8.self))")
            case let .failure(error):
                if !isClosing { fail("POST /messages failed: \(error)") }
            }
        }
    }

    private func sendInbound(_ flow: Int, stamp: UInt64) {
        let text = CloudAPIBenchText.make(.inbound, flow: flow, sequence: flows[flow].inboundSent, stamp: stamp, length: textLength)
        flows[flow].inboundSent += 1
        window.inbound.accepted += 1
        phones[flow].send(text)
    }

    private func refill(_ flow: Int) {
        guard case let .saturating(limit, directions) = mode else { return }
        if directions.contains(.outbound) {
            while flows[flow].outboundOutstanding < limit { sendOutbound(flow, stamp: BenchClock.now()) }
        }
        if directions.contains(.inbound) {
            while flows[flow].inboundOutstanding < limit { sendInbound(flow, stamp: BenchClock.now()) }
        }
    }

    /// One pacing tick: each flow sends what its schedule says is due by now, in each direction.
    private func tick() {
        pacingTimer = nil
        guard case let .paced(rate, start, cap, directions) = mode else { return }
        let now = BenchClock.now()
        let elapsed = Double(now - start) / 1e9
        let count = Double(flows.count)
        for flow in flows.indices {
            // Flow i's messages are due at (n + i/K) / rate: the flows are spread over the interval.
            let due = Int(elapsed * rate + Double(flow) / count) - flows[flow].scheduled
            guard due > 0 else { continue }
            for _ in 0..<due {
                flows[flow].scheduled += 1
                if directions.contains(.outbound) {
                    if flows[flow].outboundOutstanding >= cap { window.outbound.skipped += 1 } else { sendOutbound(flow, stamp: now) }
                }
                if directions.contains(.inbound) {
                    if flows[flow].inboundOutstanding >= cap { window.inbound.skipped += 1 } else { sendInbound(flow, stamp: now) }
                }
            }
        }
        pacingTimer = loop.scheduleTimer(after: .milliseconds(1)) { [weak self] in self?.tick() }
    }
}

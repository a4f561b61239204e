import Transport

/// The businesses' own servers, all on one loop: a webhook receiver (an HTTP server on
/// 127.0.0.1:0) per business, each business's driver, and the HTTP client they call the Graph
/// API with. Loop-confined; the main thread reaches it through a `LoopBound`.
final class DemoBusinessSide {
    /// The loop.
    let loop: EventLoop
    /// The run's shared facts.
    let context: DemoContext
    /// The receivers, by business index.
    private(set) var receivers: [DemoWebhookReceiver] = []
    /// The drivers, by business index (empty until ``attach(accounts:cloudAPI:)``).
    private(set) var drivers: [DemoBusinessDriver] = []
    private var servers: [HTTPServer] = []
    private let client: HTTPClient
    private let transcript: DemoTranscript
    private var messageURLs: [String: HTTPURL] = [:]
    private var cloudAPI: SocketAddress?
    private var probesSent = 0
    private var probesRejected = 0
    private var serversRunning = 0

    /// Starts a webhook server per entry of `secrets` (on the loop).
    init(loop: EventLoop, context: DemoContext, secrets: [DemoWebhookSecrets], transcriptPath: String) throws(DemoError) {
        self.loop = loop
        self.context = context
        transcript = try DemoTranscript(path: transcriptPath)
        var configuration = HTTPClientConfiguration(requestTimeout: .seconds(60), maximumConnectionsPerHost: 64)
        configuration.userAgent = "vigil-demo-business/1"
        client = HTTPClient(on: loop, configuration: configuration)
        for (index, secret) in secrets.enumerated() {
            let receiver = DemoWebhookReceiver(
                business: index, appSecret: secret.appSecret, verifyToken: secret.verifyToken, transcript: transcript, canary: context.canary)
            do throws(SystemError) {
                let server = try HTTPServer(configuration: HTTPServerConfiguration(listenAddress: .loopbackIPv4(port: 0)), on: loop) { [weak receiver] request, responder in
                    guard let receiver else { return responder.respond(.text(.serviceUnavailable, "stopping\n")) }
                    receiver.handle(request, responder)
                }
                servers.append(server)
            } catch {
                throw DemoError("cannot start the webhook server of business \(index + 1): \(error)")
            }
            receivers.append(receiver)
        }
        serversRunning = servers.count
    }

    /// Each business's webhook URL, by index.
    var webhookURLs: [String] { servers.map { "http://\($0.address)/webhook" } }

    /// Creates the drivers once the businesses are registered and the Cloud API listens.
    func attach(accounts: [DemoAccount], cloudAPI: SocketAddress) {
        self.cloudAPI = cloudAPI
        drivers = zip(context.scenario.businesses, accounts).map { plan, account in
            DemoBusinessDriver(plan: plan, phoneNumberID: account.phoneNumberID, accessToken: account.accessToken, side: self)
        }
        for (receiver, driver) in zip(receivers, drivers) {
            receiver.onMessage = { [weak driver] user, text in driver?.received(from: user, text: text) }
        }
    }

    /// The negative control for signatures: one forged notification to every receiver, which
    /// must answer 401.
    func probeSignatures() {
        let forged = Array(#"{"object":"whatsapp_business_account","entry":[{"id":"0","changes":[]}]}"#.utf8)
        for url in webhookURLs {
            guard let parsed = try? HTTPURL(parsing: url) else { continue }
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "application/json")
            headers.add(name: "X-Hub-Signature-256", value: "sha256=" + String(repeating: "0", count: 64))
            probesSent += 1
            client.execute(HTTPClientRequest(method: .post, url: parsed, headers: headers, body: forged)) { [weak self] result in
                if case let .success(response) = result, response.status.code == 401 { self?.probesRejected += 1 }
            }
        }
    }

    /// Starts every driver's plan from `start`.
    func startTraffic(at start: MonotonicInstant) {
        for driver in drivers { driver.start(at: start) }
    }

    /// POSTs a Graph `messages` request for `phoneNumberID`; `completion` gets the HTTP status and body.
    func postMessage(
        phoneNumberID: String, accessToken: String, body: [UInt8], completion: @escaping (Result<(status: Int, body: [UInt8]), DemoError>) -> Void
    ) {
        guard let url = messageURL(phoneNumberID) else {
            loop.enqueueLocalTask { completion(.failure(DemoError("no Graph API address for \(phoneNumberID)"))) }
            return
        }
        var headers = HTTPHeaders()
        headers.add(name: "Authorization", value: "Bearer " + accessToken)
        headers.add(name: "Content-Type", value: "application/json")
        client.execute(HTTPClientRequest(method: .post, url: url, headers: headers, body: body)) { result in
            switch result {
            case let .success(response): completion(.success((response.status.code, response.body)))
            case let .failure(error): completion(.failure(DemoError("\(error)")))
            }
        }
    }

    private func messageURL(_ phoneNumberID: String) -> HTTPURL? {
        if let url = messageURLs[phoneNumberID] { return url }
        guard let cloudAPI, let url = try? HTTPURL(parsing: "http://\(cloudAPI)/v22.0/\(phoneNumberID)/messages") else { return nil }
        messageURLs[phoneNumberID] = url
        return url
    }

    /// A copy of every counter.
    func snapshot() -> DemoBusinessSnapshot {
        DemoBusinessSnapshot(
            receivers: receivers.map(\.counters), drivers: drivers.map(\.counters),
            probesSent: probesSent, probesRejected: probesRejected)
    }

    /// Whether ``shutdown()`` has finished.
    var isShutDown: Bool { serversRunning == 0 }

    /// Stops the servers (in-flight requests get a second), the client and the transcript.
    func shutdown() {
        transcript.close()
        client.shutdown()
        for server in servers {
            server.shutdown(gracePeriod: .seconds(1)) { [weak self] in self?.serversRunning -= 1 }
        }
    }
}

/// A business's webhook secrets, shared with the Cloud API at registration.
struct DemoWebhookSecrets: Sendable {
    /// Signs notifications.
    let appSecret: String
    /// Echoed in the GET handshake.
    let verifyToken: String
}

/// A registered business's Graph credentials.
struct DemoAccount: Sendable {
    /// Its phone-number id.
    let phoneNumberID: String
    /// Its access token.
    let accessToken: String
}

/// Every business-side counter at one moment.
struct DemoBusinessSnapshot: Sendable {
    /// The receivers', by business index.
    let receivers: [DemoWebhookCounters]
    /// The drivers', by business index.
    let drivers: [DemoDriverCounters]
    /// Forged notifications sent.
    let probesSent: Int
    /// … answered 401.
    let probesRejected: Int

    /// Distinct user messages notified to every business.
    var webhookMessages: Int { receivers.reduce(0) { $0 + $1.messages } }
    /// Distinct statuses notified.
    var webhookStatuses: Int { receivers.reduce(0) { $0 + $1.statusCount } }
    /// Sends queued or outstanding.
    var pending: Int { drivers.reduce(0) { $0 + $1.pending } }
    /// Sends the Cloud API accepted.
    var accepted: Int { drivers.reduce(0) { $0 + $1.accepted } }
    /// `sent` statuses notified.
    var sentStatuses: Int { receivers.reduce(0) { $0 + ($1.statuses["sent"] ?? 0) } }
}

extension DemoBusinessSide {
    /// The scalar counters only (see ``DemoPhoneShard/progress()``).
    func progress() -> DemoBusinessProgress {
        var progress = DemoBusinessProgress()
        for receiver in receivers {
            progress.webhookMessages += receiver.counters.messages
            progress.webhookStatuses += receiver.counters.statusCount
            progress.verified += receiver.counters.verifications > 0 ? 1 : 0
            for (kind, count) in receiver.counters.statuses {
                switch kind {
                case "sent": progress.sentStatuses += count
                case "delivered": progress.deliveredStatuses += count
                case "read": progress.readStatuses += count
                default: break
                }
            }
        }
        for driver in drivers {
            progress.accepted += driver.counters.accepted
            progress.pending += driver.counters.pending
        }
        return progress
    }
}

/// The business side's scalar counters.
struct DemoBusinessProgress: Sendable {
    /// Distinct user messages the webhooks received.
    var webhookMessages = 0
    /// Distinct statuses.
    var webhookStatuses = 0
    /// … of which `sent`.
    var sentStatuses = 0
    /// … `delivered`.
    var deliveredStatuses = 0
    /// … `read`.
    var readStatuses = 0
    /// Receivers that answered the verification handshake.
    var verified = 0
    /// Graph sends accepted.
    var accepted = 0
    /// Graph sends queued or outstanding.
    var pending = 0
}

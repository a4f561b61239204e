import Glibc
public import Transport

/// Webhook delivery over Transport's `HTTPClient` (keep-alive, a bounded pool per host), run on
/// a thread of its own: the HTTP client's parsing and the webhook connections' system calls stay
/// off the endpoint's loop, which only hands requests over and gets completions back — on the
/// loop that made the request, in the order they finish.
public final class HTTPWebhookTransport: WebhookTransport {
    private let callerLoop: EventLoop
    private let thread: EventLoopThread
    private let client: LoopBound<HTTPClient>
    private let urls: LoopBound<ParsedURLs>

    /// A transport whose completions run on `loop` (the caller's; must be called there).
    ///
    /// - Parameters:
    ///   - requestTimeout: How long one request may take, connection included.
    ///   - connectionsPerHost: Keep-alive connections per webhook host (the endpoint passes its
    ///     webhook concurrency, so every delivery in flight has a connection).
    /// - Throws: `SystemError` if the delivery thread cannot start.
    public init(on loop: EventLoop, requestTimeout: Duration = .seconds(10), connectionsPerHost: Int = 8) throws(SystemError) {
        loop.preconditionConfined()
        var configuration = HTTPClientConfiguration()
        configuration.requestTimeout = requestTimeout
        configuration.maximumConnectionsPerHost = max(1, connectionsPerHost)
        configuration.userAgent = "Vigil-CloudAPI/1"
        let thread = try EventLoopThread(name: "vigil-webhooks")
        let clientLoop = thread.loop
        let settings = configuration
        guard let client = clientLoop.executeAndWaitReturning({ LoopBound(HTTPClient(on: clientLoop, configuration: settings), on: clientLoop) }),
              let urls = clientLoop.executeAndWaitReturning({ LoopBound(ParsedURLs(), on: clientLoop) })
        else {
            thread.stopAndJoin()
            throw SystemError(call: "starting the webhook delivery loop", errno: Errno(rawValue: ECANCELED))
        }
        self.callerLoop = loop
        self.thread = thread
        self.client = client
        self.urls = urls
    }

    /// `POST url` with `headers` and `body`; `completion` runs on the caller's loop.
    public func post(url: String, headers: [(String, String)], body: [UInt8], completion: @escaping (Result<WebhookResponse, WebhookFailure>) -> Void) {
        execute(.post, url: url, prepare: { WebhookRequest(headers: headers, body: body) }, completion: completion)
    }

    /// `POST url` with the request `prepare` makes on the delivery thread (the endpoint writes and
    /// signs webhook bodies there); `completion` runs on the caller's loop.
    public func post(url: String, prepare: @escaping @Sendable () throws(WebhookFailure) -> WebhookRequest,
                     completion: @escaping (Result<WebhookResponse, WebhookFailure>) -> Void) {
        execute(.post, url: url, prepare: prepare, completion: completion)
    }

    /// `GET url` (the verification handshake); `completion` runs on the caller's loop.
    public func get(url: String, completion: @escaping (Result<WebhookResponse, WebhookFailure>) -> Void) {
        execute(.get, url: url, prepare: { WebhookRequest(headers: [], body: []) }, completion: completion)
    }

    /// Closes every connection and stops the delivery thread; requests in flight never complete.
    /// Call on the caller's loop.
    public func shutdown() {
        let client = self.client
        _ = thread.loop.executeAndWait { client.value.shutdown() }
        thread.stopAndJoin()
    }

    /// Hands the request over to the delivery thread, which makes it (`prepare`, then the URL's
    /// parse) and runs it; the outcome, a failure to make it included, comes back on the caller's
    /// loop.
    private func execute(
        _ method: HTTPMethod, url: String, prepare: @escaping @Sendable () throws(WebhookFailure) -> WebhookRequest,
        completion: @escaping (Result<WebhookResponse, WebhookFailure>) -> Void
    ) {
        let reply = LoopBound(completion, on: callerLoop)
        let client = self.client
        let urls = self.urls
        let handedOver = thread.loop.execute {
            let request: HTTPClientRequest
            do throws(WebhookFailure) {
                let made = try prepare()
                request = Self.request(method, url: try urls.value.parsed(url), headers: made.headers, body: made.body)
            } catch {
                _ = reply.loop.execute { reply.value(.failure(error)) }
                return
            }
            client.value.execute(request) { result in
                let outcome: Result<WebhookResponse, WebhookFailure> = switch result {
                case let .success(response): .success(WebhookResponse(status: response.status.code, body: response.body))
                case let .failure(error): .failure(WebhookFailure("\(error)"))
                }
                _ = reply.loop.execute { reply.value(outcome) }
            }
        }
        if !handedOver { completion(.failure(WebhookFailure("the webhook delivery thread has stopped"))) }
    }

    /// The client request for `url`.
    private static func request(_ method: HTTPMethod, url: HTTPURL, headers: [(String, String)], body: [UInt8]) -> HTTPClientRequest {
        var fields = HTTPHeaders()
        for (name, value) in headers { fields.add(name: name, value: value) }
        return HTTPClientRequest(method: method, url: url, headers: fields, body: body)
    }
}

/// The webhook URLs parsed so far, on the delivery thread: every delivery to a business goes to
/// the same few URLs, and parsing one (Character by Character) cost a tenth of the thread's time
/// per `sent` status. Bounded: past `capacity` distinct URLs it starts over.
final class ParsedURLs {
    private var known: [String: HTTPURL] = [:]
    private let capacity: Int

    init(capacity: Int = 256) { self.capacity = capacity }

    /// `url` parsed; a failure naming the URL if it does not parse (failures are not kept).
    func parsed(_ url: String) throws(WebhookFailure) -> HTTPURL {
        if let cached = known[url] { return cached }
        let value: HTTPURL
        do throws(HTTPURLError) {
            value = try HTTPURL(parsing: url)
        } catch {
            throw WebhookFailure("bad webhook URL \(url): \(error)")
        }
        if known.count >= capacity { known.removeAll(keepingCapacity: true) }
        known[url] = value
        return value
    }

    /// How many URLs are kept.
    var count: Int { known.count }
}

public import Transport

/// Webhook delivery over Transport's HTTP/1.1 client (plain `http://` URLs; keep-alive per host).
public final class HTTPWebhookTransport: WebhookTransport {
    private let client: HTTPClient

    /// A transport on `loop` keeping up to `connectionsPerHost` keep-alive connections to each
    /// webhook host (the endpoint passes its webhook concurrency: with fewer, deliveries in
    /// flight queue behind one another and the webhook pipe is narrower than the endpoint).
    public init(on loop: EventLoop, requestTimeout: Duration = .seconds(10), connectionsPerHost: Int = 8) {
        var configuration = HTTPClientConfiguration()
        configuration.requestTimeout = requestTimeout
        configuration.maximumConnectionsPerHost = max(1, connectionsPerHost)
        configuration.userAgent = "Vigil-CloudAPI/1"
        client = HTTPClient(on: loop, configuration: configuration)
    }

    /// POSTs `body` to `url`.
    public func post(url: String, headers: [(String, String)], body: [UInt8], completion: @escaping (Result<WebhookResponse, WebhookFailure>) -> Void) {
        execute(.post, url: url, headers: headers, body: body, completion: completion)
    }

    /// GETs `url`.
    public func get(url: String, completion: @escaping (Result<WebhookResponse, WebhookFailure>) -> Void) {
        execute(.get, url: url, headers: [], body: [], completion: completion)
    }

    /// Closes idle connections and fails requests in flight.
    public func shutdown() { client.shutdown() }

    private func execute(
        _ method: HTTPMethod, url: String, headers: [(String, String)], body: [UInt8],
        completion: @escaping (Result<WebhookResponse, WebhookFailure>) -> Void
    ) {
        let parsed: HTTPURL
        do throws(HTTPURLError) {
            parsed = try HTTPURL(parsing: url)
        } catch {
            completion(.failure(WebhookFailure("bad webhook URL \(url): \(error)")))
            return
        }
        var fields = HTTPHeaders()
        for (name, value) in headers { fields.add(name: name, value: value) }
        client.execute(HTTPClientRequest(method: method, url: parsed, headers: fields, body: body)) { result in
            switch result {
            case let .success(response):
                completion(.success(WebhookResponse(status: response.status.code, body: response.body)))
            case let .failure(error):
                completion(.failure(WebhookFailure("\(error)")))
            }
        }
    }
}

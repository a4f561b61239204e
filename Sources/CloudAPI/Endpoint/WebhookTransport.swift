public import Crypto

/// How the endpoint reaches businesses' webhooks: HTTP requests made from the endpoint's loop,
/// answered on it. `HTTPWebhookTransport` implements it over Transport's HTTP client on a thread
/// of its own; tests use a recorder.
public protocol WebhookTransport: AnyObject {
    /// POSTs `body` with `headers` to `url`; `completion` runs on the loop.
    func post(url: String, headers: [(String, String)], body: [UInt8], completion: @escaping (Result<WebhookResponse, WebhookFailure>) -> Void)
    /// POSTs to `url` the request `prepare` makes, running `prepare` where the transport sends
    /// from — so building and signing a body can leave the caller's loop (`HTTPWebhookTransport`
    /// runs it on its delivery thread; the default, here on the loop). `completion` runs on the
    /// loop, with a failure if `prepare` throws.
    func post(url: String, prepare: @escaping @Sendable () throws(WebhookFailure) -> WebhookRequest,
              completion: @escaping (Result<WebhookResponse, WebhookFailure>) -> Void)
    /// GETs `url` (the verification handshake); `completion` runs on the loop.
    func get(url: String, completion: @escaping (Result<WebhookResponse, WebhookFailure>) -> Void)
}

extension WebhookTransport {
    /// Makes the request on the calling thread, then ``post(url:headers:body:completion:)``.
    public func post(url: String, prepare: @escaping @Sendable () throws(WebhookFailure) -> WebhookRequest,
                     completion: @escaping (Result<WebhookResponse, WebhookFailure>) -> Void) {
        let request: WebhookRequest
        do throws(WebhookFailure) { request = try prepare() } catch {
            completion(.failure(error))
            return
        }
        post(url: url, headers: request.headers, body: request.body, completion: completion)
    }
}

/// The headers and body of a webhook POST.
public struct WebhookRequest: Sendable {
    /// Header fields in order.
    public var headers: [(String, String)]
    /// The raw body (the bytes its signature covers).
    public var body: [UInt8]

    /// Creates a request.
    public init(headers: [(String, String)], body: [UInt8]) {
        self.headers = headers
        self.body = body
    }
}

/// A webhook's answer.
public struct WebhookResponse: Sendable, Hashable {
    /// The HTTP status.
    public var status: Int
    /// The body.
    public var body: [UInt8]

    /// Creates a response.
    public init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }
}

/// Why a webhook request did not get an answer.
public struct WebhookFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong (connection refused, timeout, bad URL).
    public var description: String

    /// Creates a failure.
    public init(_ description: String) { self.description = description }
}

/// Meta's webhook signature: `sha256=` and the hex HMAC-SHA-256 of the raw body under the app secret.
public enum WebhookSignature {
    /// The `X-Hub-Signature-256` value for `body`: `sha256=` and the HMAC in lowercase hex.
    public static func header(for body: [UInt8], appSecret: String) throws(CryptoError) -> String {
        try header(for: body, key: key(appSecret: appSecret))
    }

    /// The same under the app secret's key, made once by ``key(appSecret:)``.
    public static func header(for body: [UInt8], key: SymmetricKey) throws(CryptoError) -> String {
        "sha256=" + hexString(try HMAC.authenticationCode(for: body, using: key).bytes)
    }

    /// The HMAC key of an app secret (its UTF-8 bytes).
    public static func key(appSecret: String) -> SymmetricKey {
        SymmetricKey(data: Array(appSecret.utf8))
    }
}

/// One request on its way through ``HTTPClient``: the encoded bytes, the completion, the
/// deadline, and how many times it was sent. Loop-confined.
final class HTTPClientExchange {
    let method: HTTPMethod
    let bytes: [UInt8]
    let closesConnection: Bool
    let timeout: Duration
    private var completion: ((Result<HTTPClientResponse, HTTPClientError>) -> Void)?
    var deadlineTimer: TimerID?
    /// How many times it was written to a connection.
    var attempts = 0
    /// The connection it is on, while it is.
    weak var connection: HTTPClientConnection?

    init(method: HTTPMethod, bytes: [UInt8], closesConnection: Bool, timeout: Duration,
         completion: @escaping (Result<HTTPClientResponse, HTTPClientError>) -> Void) {
        self.method = method
        self.bytes = bytes
        self.closesConnection = closesConnection
        self.timeout = timeout
        self.completion = completion
    }

    /// Whether the completion was called.
    var isFinished: Bool { completion == nil }

    /// Calls the completion, once; later calls do nothing. Returns whether this call did it.
    @discardableResult
    func finish(_ result: Result<HTTPClientResponse, HTTPClientError>) -> Bool {
        guard let completion else { return false }
        self.completion = nil
        connection = nil
        completion(result)
        return true
    }
}

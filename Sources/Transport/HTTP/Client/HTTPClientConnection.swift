/// One pooled client connection: writes one exchange at a time and runs the
/// ``HTTPClientConnectionStateMachine`` on what comes back. Loop-confined.
final class HTTPClientConnection: TCPConnectionDelegate {
    let key: HTTPClient.PoolKey
    let address: SocketAddress
    weak var client: HTTPClient?
    var connection: TCPConnection?
    private var machine: HTTPClientConnectionStateMachine
    private(set) var exchange: HTTPClientExchange?
    /// Exchanges completed on this connection.
    private(set) var servedCount = 0
    private(set) var hasConnected = false
    var idleTimer: TimerID?

    init(key: HTTPClient.PoolKey, address: SocketAddress, client: HTTPClient) {
        self.key = key
        self.address = address
        self.client = client
        machine = HTTPClientConnectionStateMachine(limits: client.configuration.responseLimits)
    }

    var isIdle: Bool { machine.isIdle && exchange == nil }

    /// Writes `exchange`'s request.
    func send(_ exchange: HTTPClientExchange) {
        precondition(isIdle, "exchange given to a busy connection")
        guard let connection else { return }
        self.exchange = exchange
        exchange.connection = self
        exchange.attempts += 1
        machine.requestSent(method: exchange.method, closesAfterward: exchange.closesConnection)
        client?.noteRequestSent()
        connection.write(exchange.bytes)
    }

    // MARK: TCPConnectionDelegate

    func connectionDidConnect(_ connection: TCPConnection) {
        hasConnected = true
        machine.connected()
        client?.connectionOpened(self)
    }

    func connectionDidRead(_ connection: TCPConnection) {
        let count = connection.inputBytes.count
        let outcome = machine.receive(connection.inputBytes)
        connection.consumeInput(count)
        if let outcome { handle(outcome) }
    }

    func connection(_ connection: TCPConnection, didCloseWith reason: CloseReason) {
        let outcome = reason == .peerClosed ? machine.receiveEndOfInput() : machine.connectionClosed(reason)
        if let outcome { handle(outcome) }
        client?.connectionClosed(self, reason: reason)
    }

    // MARK: Outcomes

    private func handle(_ outcome: HTTPClientConnectionStateMachine.Outcome) {
        let exchange = self.exchange
        self.exchange = nil
        switch outcome {
        case let .response(head, body, trailers, reusable):
            let reused = servedCount > 0
            servedCount += 1
            client?.noteResponse(reused: reused)
            if let exchange {
                client?.succeed(exchange, HTTPClientResponse(head: head, body: body, trailers: trailers, reusedConnection: reused))
            }
            if reusable {
                client?.connectionBecameIdle(self)
            } else {
                connection?.close()
            }
        case let .failure(.invalidResponse(error)):
            connection?.abort()
            if let exchange { client?.fail(exchange, .invalidResponse(error)) }
        case let .failure(.closed(reason, receivedAnyByte)):
            connection?.abort()
            guard let exchange else { return }
            // A reused connection the server closed as the request went out: the request was
            // (very likely) not processed; send it once more on a fresh connection.
            if !receivedAnyByte && servedCount > 0 && exchange.attempts == 1, let client, client.configuration.retriesOnStaleConnection {
                client.retry(exchange, key: key)
            } else {
                client?.fail(exchange, .connectionClosed(reason))
            }
        }
    }
}

/// Answers one request: the handler gets it with the request and calls ``respond(_:)`` once,
/// at once or later (after a relay round trip), from the loop or any other thread.
///
/// Responses go out in request order whatever the timing: the server reads the next request
/// only after this one is answered. Calls after the first, and calls after the connection
/// closed or the server's response timeout answered 503, are ignored.
public struct HTTPResponder: Sendable {
    /// The loop the connection lives on.
    public let loop: EventLoop
    private let target: LoopBound<WeakConnection>
    private let sequence: UInt64

    init(connection: HTTPServerConnection, sequence: UInt64) {
        self.loop = connection.connection.loop
        self.target = LoopBound(WeakConnection(connection), on: connection.connection.loop)
        self.sequence = sequence
    }

    /// Sends `response` (hops to the connection's loop if called elsewhere).
    public func respond(_ response: HTTPResponse) {
        let target = self.target
        let sequence = self.sequence
        if loop.inEventLoop {
            target.value.connection?.deliver(response, sequence: sequence)
        } else {
            loop.execute { target.value.connection?.deliver(response, sequence: sequence) }
        }
    }

    /// Holds the connection without keeping it alive.
    final class WeakConnection {
        weak var connection: HTTPServerConnection?

        init(_ connection: HTTPServerConnection) {
            self.connection = connection
        }
    }
}

/// What handles requests: called on the server's loop with each complete request and the
/// responder that answers it.
public typealias HTTPHandler = (HTTPRequest, HTTPResponder) -> Void

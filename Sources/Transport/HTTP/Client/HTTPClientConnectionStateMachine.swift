/// One client connection's HTTP logic with no I/O: one request at a time, its response parsed
/// and collected, and whether the connection can be reused afterwards.
struct HTTPClientConnectionStateMachine {
    enum State {
        case connecting
        case idle
        case awaitingResponse(InProgress)
        case closed
    }

    struct InProgress {
        var closesAfterward: Bool
        var head: HTTPResponseHead?
        var body: [UInt8] = []
        /// Whether any byte of the response arrived (a stale-connection retry is safe only if not).
        var receivedAnyByte = false
    }

    /// How an exchange ended.
    enum Outcome {
        /// A complete final response; `reusable` when the connection may serve another request.
        case response(head: HTTPResponseHead, body: [UInt8], trailers: HTTPHeaders, reusable: Bool)
        /// The response could not be read; the connection must close.
        case failure(Failure)
    }

    enum Failure {
        case invalidResponse(HTTPParseError)
        /// The connection ended before the response was complete; `receivedAnyByte` tells
        /// whether the server had started answering.
        case closed(CloseReason, receivedAnyByte: Bool)
    }

    private(set) var state = State.connecting
    private var parser: HTTPResponseParser

    init(limits: HTTPParserLimits) {
        parser = HTTPResponseParser(limits: limits)
    }

    var isIdle: Bool {
        if case .idle = state { return true }
        return false
    }

    /// The handshake completed.
    mutating func connected() {
        if case .connecting = state { state = .idle }
    }

    /// A request with `method` was written.
    mutating func requestSent(method: HTTPMethod, closesAfterward: Bool) {
        precondition(isIdle, "a request was sent on a busy connection")
        parser.expectResponse(to: method)
        state = .awaitingResponse(InProgress(closesAfterward: closesAfterward))
    }

    /// Bytes arrived. Returns the exchange's outcome once it is known. Bytes on an idle
    /// connection are a protocol error (nobody asked).
    mutating func receive(_ bytes: ArraySlice<UInt8>) -> Outcome? {
        guard !bytes.isEmpty else { return nil }
        switch state {
        case .awaitingResponse(var progress):
            progress.receivedAnyByte = true
            state = .awaitingResponse(progress)
            parser.feed(bytes)
            return drain()
        case .idle:
            state = .closed
            return .failure(.invalidResponse(HTTPParseError(.unsolicitedResponse, section: .startLine)))
        case .connecting, .closed:
            return nil
        }
    }

    /// The server closed its side: ends a response delimited by the close, or fails.
    mutating func receiveEndOfInput() -> Outcome? {
        guard case .awaitingResponse = state else {
            state = .closed
            return nil
        }
        do {
            if case .end? = try parser.finish() { return complete(reusable: false) }
        } catch {
            return fail(.invalidResponse(error))
        }
        return connectionClosed(.peerClosed)
    }

    /// The connection closed; fails an exchange in progress.
    mutating func connectionClosed(_ reason: CloseReason) -> Outcome? {
        guard case let .awaitingResponse(progress) = state else {
            state = .closed
            return nil
        }
        return fail(.closed(reason, receivedAnyByte: progress.receivedAnyByte))
    }

    private mutating func drain() -> Outcome? {
        do {
            while let event = try parser.next() {
                guard case .awaitingResponse(var progress) = state else { return nil }
                switch event {
                case let .head(head):
                    // Interim responses (100 Continue, 103) are skipped.
                    if !head.status.isInformational { progress.head = head }
                    state = .awaitingResponse(progress)
                case let .body(piece):
                    state = .closed  // placeholder so the body is appended in place
                    progress.body.append(contentsOf: piece)
                    state = .awaitingResponse(progress)
                case .end:
                    guard let head = progress.head else { continue }
                    let reusable = head.isKeepAlive && !progress.closesAfterward
                    return complete(reusable: reusable, trailersFrom: event)
                }
            }
        } catch {
            return fail(.invalidResponse(error))
        }
        return nil
    }

    private mutating func complete(reusable: Bool, trailersFrom event: HTTPParserEvent<HTTPResponseHead>? = nil) -> Outcome? {
        guard case let .awaitingResponse(progress) = state, let head = progress.head else {
            return fail(.closed(.peerClosed, receivedAnyByte: true))
        }
        var trailers = HTTPHeaders()
        if case let .end(received)? = event { trailers = received }
        // Bytes after the response that nobody asked for: do not reuse.
        let clean = reusable && parser.isAtMessageBoundary && parser.pendingResponseCount == 0
        state = clean ? .idle : .closed
        return .response(head: head, body: progress.body, trailers: trailers, reusable: clean)
    }

    private mutating func fail(_ failure: Failure) -> Outcome {
        state = .closed
        return .failure(failure)
    }
}

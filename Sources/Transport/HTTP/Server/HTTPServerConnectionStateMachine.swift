/// One server connection's HTTP logic with no I/O: parse requests one at a time, hand each to
/// the handler, answer strictly in order, enforce the timeouts, and decide when to close.
///
/// The connection (`HTTPServerConnection`) feeds it bytes, delivers responses and timer ticks,
/// and runs the ``Action``s it returns; time comes in as arguments, so tests drive it with
/// made-up instants.
///
/// Pipelining is safe by construction: while a request is with the handler the machine takes
/// no input (``wantsInput`` is false, the connection stops reading) and parses nothing further,
/// so the next request is read only after this one's response was queued.
struct HTTPServerConnectionStateMachine {
    struct Timeouts: Sendable, Hashable {
        var head: Duration
        var body: Duration
        var idle: Duration
        var response: Duration?
        var linger: Duration
    }

    /// What the connection must do next.
    enum Action {
        /// Write `100 Continue` (the client waits for it before sending content).
        case sendContinue
        /// Give the request to the handler; its response must name `sequence`.
        case dispatch(HTTPRequest, sequence: UInt64)
        /// Encode and write `response`; then keep reading, or linger and close.
        case send(HTTPResponse, HTTPResponseEncoder.Context, closeAfterward: Bool)
        /// Close the connection now.
        case close
    }

    /// What the request with the handler needs for its response.
    struct InFlight: Hashable {
        var sequence: UInt64
        var method: HTTPMethod
        var version: HTTPVersion
        var keepAlive: Bool
    }

    enum State {
        /// Between requests, nothing of the next one received.
        case idle(since: MonotonicInstant)
        /// Part of a head received.
        case readingHead(deadline: MonotonicInstant)
        /// Head complete, content arriving.
        case readingBody(HTTPRequest, deadline: MonotonicInstant)
        /// The handler has the request.
        case awaitingResponse(InFlight, deadline: MonotonicInstant?)
        /// The last response is written; reading and discarding until the peer closes.
        case lingering(deadline: MonotonicInstant)
        /// Done.
        case closed
    }

    let timeouts: Timeouts
    private(set) var parser: HTTPRequestParser
    private(set) var state: State
    /// The peer shut down its sending side.
    private(set) var peerClosedInput = false
    /// Close after the current request (server stopping).
    private(set) var isShuttingDown = false
    private var nextSequence: UInt64 = 1
    /// Actions decided together, returned one per ``nextAction(at:)`` call.
    private var queued: [Action] = []

    init(limits: HTTPParserLimits, timeouts: Timeouts, now: MonotonicInstant) {
        self.timeouts = timeouts
        parser = HTTPRequestParser(limits: limits)
        state = .idle(since: now)
    }

    // MARK: Input

    /// Whether the connection should feed received bytes now (else it stops reading).
    var wantsInput: Bool {
        switch state {
        case .idle, .readingHead, .readingBody: return !peerClosedInput
        case .awaitingResponse, .lingering, .closed: return false
        }
    }

    /// Whether actions decided earlier are still to be returned by ``nextAction(at:)``.
    var hasQueuedActions: Bool { !queued.isEmpty }

    /// Whether received bytes are to be read and thrown away (while lingering).
    var discardsInput: Bool {
        if case .lingering = state { return true }
        return false
    }

    /// Bytes arrived; call only while ``wantsInput``.
    mutating func receive(_ bytes: ArraySlice<UInt8>, at now: MonotonicInstant) {
        precondition(wantsInput, "input fed while the machine does not want it")
        parser.feed(bytes)
        if case .idle = state, !bytes.isEmpty {
            state = .readingHead(deadline: now + timeouts.head)
        }
    }

    /// The peer finished sending. Buffered requests are still answered.
    mutating func receiveEndOfInput() {
        peerClosedInput = true
    }

    /// The server is stopping: close at the next boundary.
    mutating func beginShutdown() {
        isShuttingDown = true
    }

    // MARK: Progress

    /// The next thing to do, or nil when waiting for input, a response or a timer.
    mutating func nextAction(at now: MonotonicInstant) -> Action? {
        if !queued.isEmpty { return queued.removeFirst() }
        switch state {
        case .idle, .readingHead, .readingBody:
            return parse(at: now)
        case .awaitingResponse, .lingering, .closed:
            return nil
        }
    }

    private mutating func parse(at now: MonotonicInstant) -> Action? {
        do {
            while let event = try parser.next() {
                if let action = handle(event, at: now) { return action }
            }
        } catch {
            return fail(error, at: now)
        }
        switch state {
        case .idle where parser.bufferedByteCount > 0:
            // Pipelined bytes of the next request were already buffered: its head clock starts.
            state = .readingHead(deadline: now + timeouts.head)
        case .readingHead where parser.isAtMessageBoundary:
            // Only empty lines arrived (RFC 9112 §2.2 lets clients send them between requests).
            state = .idle(since: now)
        default:
            break
        }
        if peerClosedInput {
            do {
                try parser.finish()
            } catch {
                return fail(error, at: now)
            }
            state = .closed
            return .close
        }
        if isShuttingDown, case .idle = state {
            state = .closed
            return .close
        }
        return nil
    }

    private mutating func handle(_ event: HTTPParserEvent<HTTPRequestHead>, at now: MonotonicInstant) -> Action? {
        switch event {
        case let .head(head):
            state = .readingBody(HTTPRequest(head: head), deadline: now + timeouts.body)
            // RFC 9110 §10.1.1: the client may wait for 100 before sending content; a server
            // that already has some of it may skip the 100.
            if head.expectsContinue && parser.isExpectingContent && parser.bufferedByteCount == 0 {
                return .sendContinue
            }
            return nil
        case let .body(piece):
            guard case .readingBody(var request, let deadline) = state else { preconditionFailure("content outside a request") }
            state = .closed  // placeholder while the request is mutated in place (no copy of the body)
            request.body.append(contentsOf: piece)
            state = .readingBody(request, deadline: deadline)
            return nil
        case let .end(trailers):
            guard case .readingBody(var request, _) = state else { preconditionFailure("end outside a request") }
            request.trailers = trailers
            let sequence = nextSequence
            nextSequence += 1
            let keepAlive = request.head.isKeepAlive
            let deadline = timeouts.response.map { now + $0 }
            state = .awaitingResponse(
                InFlight(sequence: sequence, method: request.head.method, version: request.head.version, keepAlive: keepAlive),
                deadline: deadline)
            return .dispatch(request, sequence: sequence)
        }
    }

    /// A parse error: answer it and close.
    private mutating func fail(_ error: HTTPParseError, at now: MonotonicInstant) -> Action {
        let response = HTTPResponse.text(error.status, "\(error.status): \(error.reasonDescription)\n")
        return sendFinal(response, method: .get, version: .http1_1, at: now)
    }

    /// Sends `response` as the last one and lingers.
    /// Sends `response` as the last one, then lingers (or closes once it is flushed, if the
    /// peer already finished sending: there is nothing left to drain).
    private mutating func sendFinal(_ response: HTTPResponse, method: HTTPMethod, version: HTTPVersion, at now: MonotonicInstant) -> Action {
        let context = HTTPResponseEncoder.Context(requestMethod: method, requestVersion: version, closesConnection: true)
        if peerClosedInput {
            state = .closed
            queued.append(.close)
        } else {
            state = .lingering(deadline: now + timeouts.linger)
        }
        return .send(response, context, closeAfterward: true)
    }

    // MARK: Responses

    /// The handler answered request `sequence`. Returns false (and does nothing) if that request
    /// is no longer waiting (timed out, connection closing, answered twice).
    mutating func respond(_ response: HTTPResponse, sequence: UInt64, at now: MonotonicInstant) -> Bool {
        guard case let .awaitingResponse(inFlight, _) = state, inFlight.sequence == sequence else { return false }
        let closing = !inFlight.keepAlive || isShuttingDown || response.headers.containsToken("close", inField: "Connection")
        if closing {
            queued.append(sendFinal(response, method: inFlight.method, version: inFlight.version, at: now))
        } else {
            state = .idle(since: now)
            let context = HTTPResponseEncoder.Context(requestMethod: inFlight.method, requestVersion: inFlight.version)
            queued.append(.send(response, context, closeAfterward: false))
        }
        return true
    }

    // MARK: Time

    /// When ``timerFired(at:)`` must next be called; nil if no timeout applies.
    var deadline: MonotonicInstant? {
        switch state {
        case let .idle(since): return since + timeouts.idle
        case let .readingHead(deadline): return deadline
        case let .readingBody(_, deadline): return deadline
        case let .awaitingResponse(_, deadline): return deadline
        case let .lingering(deadline): return deadline
        case .closed: return nil
        }
    }

    /// Which timeout expired at `now`, as the action it calls for (nil if none did).
    mutating func timerFired(at now: MonotonicInstant) -> Action? {
        guard let deadline, deadline <= now else { return nil }
        switch state {
        case .idle, .lingering:
            state = .closed
            return .close
        case .readingHead, .readingBody:
            return sendFinal(HTTPResponse.text(.requestTimeout, "408 Request Timeout: the request did not arrive in time\n"),
                             method: .get, version: .http1_1, at: now)
        case let .awaitingResponse(inFlight, _):
            return sendFinal(HTTPResponse.text(.serviceUnavailable, "503 Service Unavailable: no response in time\n"),
                             method: inFlight.method, version: inFlight.version, at: now)
        case .closed:
            return nil
        }
    }

    /// The connection closed (for whatever reason); nothing more will happen.
    mutating func connectionClosed() {
        state = .closed
        queued.removeAll()
    }
}

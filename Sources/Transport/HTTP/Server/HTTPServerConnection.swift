/// One accepted connection: runs its ``HTTPServerConnectionStateMachine`` against the socket,
/// the handler and a timer. Loop-confined.
final class HTTPServerConnection: TCPConnectionDelegate {
    let connection: TCPConnection
    weak var server: HTTPServer?
    private var machine: HTTPServerConnectionStateMachine
    private var timer: (id: TimerID, deadline: MonotonicInstant)?
    /// Set while `process()` runs, so a handler answering at once does not re-enter it.
    private var processing = false
    private var isClosed = false
    private var output: [UInt8] = []

    /// The `sequence`-th connection `server` accepted (its head timeout depends on it).
    init(connection: TCPConnection, server: HTTPServer, sequence: UInt64) {
        self.connection = connection
        self.server = server
        machine = HTTPServerConnectionStateMachine(
            limits: server.configuration.limits, timeouts: server.configuration.timeouts(forConnection: sequence),
            now: connection.loop.now())
    }

    /// Starts the idle clock.
    func start() {
        process()
    }

    /// The server is stopping: finish the current request, then close.
    func beginShutdown() {
        machine.beginShutdown()
        process()
    }

    /// A handler's response for request `sequence`.
    func deliver(_ response: HTTPResponse, sequence: UInt64) {
        guard !isClosed, machine.respond(response, sequence: sequence, at: connection.loop.now()) else {
            server?.noteLateResponse()
            return
        }
        process()
    }

    // MARK: TCPConnectionDelegate

    func connectionDidRead(_ connection: TCPConnection) {
        process()
    }

    func connectionDidReceiveEOF(_ connection: TCPConnection) {
        if machine.discardsInput {
            connection.close()
            return
        }
        machine.receiveEndOfInput()
        process()
    }

    func connectionDidBecomeWritable(_ connection: TCPConnection) {
        process()
    }

    func connection(_ connection: TCPConnection, didCloseWith reason: CloseReason) {
        isClosed = true
        machine.connectionClosed()
        if let timer { connection.loop.cancelTimer(timer.id) }
        timer = nil
        server?.connectionClosed(self)
    }

    // MARK: Running the machine

    /// Feeds input, runs actions until the machine waits, then sets reading and the timer.
    private func process() {
        guard !processing, !isClosed else { return }
        processing = true
        defer { processing = false }
        let loop = connection.loop
        while !isClosed {
            if machine.discardsInput {
                connection.consumeInput(connection.inputBytes.count)
            } else if machine.wantsInput && connection.isWritable {
                feedInput()
            }
            // A client that does not read its responses gets no more requests parsed.
            if !connection.isWritable && !machine.hasQueuedActions { break }
            guard let action = machine.nextAction(at: loop.now()) else { break }
            run(action)
        }
        guard !isClosed else { return }
        if machine.wantsInput || machine.discardsInput {
            connection.resumeReading()
        } else {
            connection.pauseReading()
        }
        armTimer()
    }

    private func feedInput() {
        let count = connection.inputBytes.count
        guard count > 0 else { return }
        machine.receive(connection.inputBytes, at: connection.loop.now())
        connection.consumeInput(count)
    }

    private func run(_ action: HTTPServerConnectionStateMachine.Action) {
        switch action {
        case .sendContinue:
            connection.write(HTTPResponseEncoder.continueResponse)
        case let .dispatch(request, sequence):
            var request = request
            request.remoteAddress = connection.remoteAddress
            guard let server else { return }
            server.dispatch(request, responder: HTTPResponder(connection: self, sequence: sequence))
        case let .send(response, context, closeAfterward):
            send(response, context: context)
            if closeAfterward { connection.shutdownOutput() }
        case .close:
            connection.close()
        }
    }

    private func send(_ response: HTTPResponse, context: HTTPResponseEncoder.Context) {
        guard let server else { return }
        var context = context
        context.date = server.currentDate()
        output.removeAll(keepingCapacity: output.capacity <= 64 * 1024)
        var status = response.status
        do {
            try server.encoder.encode(response, context: context, into: &output)
        } catch {
            // The handler built a response that cannot be sent (a field with CR/LF, …).
            status = .internalServerError
            let fallback = HTTPResponse.text(.internalServerError, "500 Internal Server Error: \(error)\n")
            do {
                try server.encoder.encode(fallback, context: context, into: &output)
            } catch {
                preconditionFailure("the fallback response is always encodable: \(error)")
            }
        }
        server.noteResponse(status)
        connection.write(output)
    }

    private func armTimer() {
        let loop = connection.loop
        guard let deadline = machine.deadline else {
            if let timer { loop.cancelTimer(timer.id) }
            timer = nil
            return
        }
        if let timer {
            if timer.deadline == deadline { return }
            loop.cancelTimer(timer.id)
        }
        let id = loop.scheduleTimer(at: deadline) { [weak self] in self?.timerFired() }
        timer = (id, deadline)
    }

    private func timerFired() {
        timer = nil
        guard !isClosed else { return }
        if let action = machine.timerFired(at: connection.loop.now()) {
            if case let .send(response, _, _) = action { server?.noteTimeout(response.status) }
            processing = true
            run(action)
            processing = false
        }
        process()
    }
}

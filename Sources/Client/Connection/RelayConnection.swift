public import Transport

/// One TCP connection to the relay speaking the wire protocol (docs/wire.md): blocking calls, each
/// bounded by a timeout. The I/O edge around `ClientConnectionMachine`.
///
/// `request(_:timeout:)` sends a frame with a fresh request id and waits for the reply carrying
/// the same id, surfacing an `error` reply as `ClientError.refused`. While it waits — and in
/// `nextEvent(timeout:)` — `deliver`, `receipt` and unsolicited `error` frames are kept in arrival
/// order, and `ping`s are answered. Not thread-safe: one caller at a time.
public final class RelayConnection {
    /// The relay's address.
    public let address: SocketAddress
    private let socket: TCPClientSocket
    private var decoder = FrameDecoder()
    private let encoder = FrameEncoder()
    private var machine = ClientConnectionMachine()
    private var events: [RelayEvent] = []
    private var nextEventIndex = 0
    /// The last unsolicited `error` frame, reported if the relay then closes.
    private var lastError: (code: WireErrorCode, message: String)?

    /// Connects to the relay at `address` within `timeout`.
    ///
    /// - Throws: `ClientError.unreachable`.
    public init(connectingTo address: SocketAddress, timeout: Duration = .seconds(5)) throws(ClientError) {
        do {
            socket = try TCPClientSocket(connectingTo: address, timeout: timeout)
        } catch {
            throw .unreachable(address, error)
        }
        self.address = address
    }

    deinit { socket.close() }

    /// Whether the connection is still open.
    public var isOpen: Bool { !machine.isClosed }

    /// Events received and not yet taken by `nextEvent(timeout:)`.
    public var bufferedEventCount: Int { events.count - nextEventIndex }

    /// Closes the connection (idempotent). Buffered events can still be read.
    public func close() {
        machine.closed()
        socket.close()
    }

    /// Sends `frame` with a fresh request id and returns the relay's reply to it.
    ///
    /// - Throws: `.refused` (the relay's `error` reply), `.timedOut`, `.unexpectedReply`,
    ///   `.connectionClosed`, `.system`, `.malformedStream`, `.encoding`.
    public func request(_ frame: Frame, timeout: Duration) throws(ClientError) -> Frame {
        try requireOpen()
        let deadline = ContinuousClock.now + timeout
        let requestID = machine.startRequest(frame.type)
        do throws(ClientError) {
            try write(frame, requestID: requestID, deadline: deadline)
            while true {
                if let reply = try drain(request: frame.type) { return reply }
                guard try readChunk(until: deadline) else { throw .timedOut(request: frame.type, timeout: timeout) }
            }
        } catch {
            machine.abandonRequest()
            throw error
        }
    }

    /// Sends a frame that has no reply (`ack`, `receipt`), with request id 0.
    public func post(_ frame: Frame, timeout: Duration) throws(ClientError) {
        try requireOpen()
        try write(frame, requestID: .zero, deadline: ContinuousClock.now + timeout)
    }

    /// The next buffered event, else the next one to arrive within `timeout`; `nil` if none did.
    ///
    /// - Throws: `.connectionClosed` once the relay has closed and every buffered event was read;
    ///   `.system`, `.malformedStream`.
    public func nextEvent(timeout: Duration) throws(ClientError) -> RelayEvent? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let event = takeEvent() { return event }
            try requireOpen()
            _ = try drain(request: nil)
            if let event = takeEvent() { return event }
            guard try readChunk(until: deadline) else { return nil }
        }
    }

    // MARK: Internals

    private func takeEvent() -> RelayEvent? {
        guard nextEventIndex < events.count else { return nil }
        let event = events[nextEventIndex]
        nextEventIndex += 1
        if nextEventIndex == events.count {
            events.removeAll(keepingCapacity: true)
            nextEventIndex = 0
        }
        return event
    }

    private func requireOpen() throws(ClientError) {
        guard !machine.isClosed else { throw .connectionClosed(code: lastError?.code, message: lastError?.message) }
    }

    /// Runs the machine over every complete frame buffered; returns the outstanding request's
    /// reply if it is among them (later frames stay buffered).
    private func drain(request: FrameType?) throws(ClientError) -> Frame? {
        while !machine.isClosed {
            let action: ClientConnectionMachine.Action
            var decodingError: WireError?
            do {
                guard let decoded = try decoder.next() else { return nil }
                action = machine.receive(decoded)
            } catch {
                decodingError = error
                action = machine.decodingFailed(error)
            }
            switch action {
            case let .reply(frame):
                return frame
            case let .refused(code, message):
                throw .refused(request: request ?? .error, code: code, message: message)
            case let .unexpectedReply(type):
                throw .unexpectedReply(request: request ?? .error, reply: type)
            case let .malformedReply(error, answer, requestID):
                if let answer { try write(answer, requestID: requestID, deadline: ContinuousClock.now + .seconds(1)) }
                throw .malformedStream(error)
            case let .event(event):
                if case let .error(code, message) = event { lastError = (code, message) }
                events.append(event)
            case let .send(frame, requestID):
                try write(frame, requestID: requestID, deadline: ContinuousClock.now + .seconds(5))
            case let .close(frame, requestID):
                if let frame { try? write(frame, requestID: requestID, deadline: ContinuousClock.now + .seconds(1)) }
                close()
                if let decodingError { throw .malformedStream(decodingError) }
                throw .connectionClosed(code: nil, message: nil)
            case .ignore:
                continue
            }
        }
        return nil
    }

    /// Reads what arrives before `deadline` into the decoder; `false` if nothing did.
    private func readChunk(until deadline: ContinuousClock.Instant) throws(ClientError) -> Bool {
        let remaining = deadline - ContinuousClock.now
        guard remaining > .zero else { return false }
        let bytes: [UInt8]
        do {
            bytes = try socket.receive(maximumCount: 64 * 1024, timeout: remaining)
        } catch {
            if error.errno == .timedOut { return false }
            close()
            throw .system(error)
        }
        guard !bytes.isEmpty else {
            close()
            throw .connectionClosed(code: lastError?.code, message: lastError?.message)
        }
        decoder.feed(bytes)
        return true
    }

    private func write(_ frame: Frame, requestID: RequestID, deadline: ContinuousClock.Instant) throws(ClientError) {
        let bytes: [UInt8]
        do { bytes = try encoder.encode(frame, requestID: requestID) } catch { throw .encoding(error) }
        let remaining = deadline - ContinuousClock.now
        do {
            try socket.send(bytes, timeout: max(remaining, .milliseconds(1)))
        } catch {
            close()
            throw .system(error)
        }
    }
}

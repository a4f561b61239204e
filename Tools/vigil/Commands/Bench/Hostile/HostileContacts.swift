import Transport

/// The honest reporters' proof of contact: each business registers on the relay and sends one
/// marketing envelope to each of its reporters, who acknowledge it and send a delivery receipt,
/// so the analyzer has seen the delivery a report needs to count. Blocking, on the calling thread.
struct HostileContacts: Sendable {
    /// The businesses, known to `vigil serve` from the start (`--business`).
    let businesses: [PhoneNumber]
    /// Per business, the numbers it wrote to, in order; reporter `i` of business `b` is
    /// `reporters[b][i]`.
    let reporters: [[PhoneNumber]]
    /// The report flood's single reporter: written to by the first business only, never an
    /// honest reporter.
    let attacker: PhoneNumber

    /// `businessCount` businesses with `perBusiness` reporters each (at most 240: a new business
    /// may open 250 conversations a day, Meta's first tier).
    init(businessCount: Int, perBusiness: Int) throws(CLIError) {
        var businesses: [PhoneNumber] = []
        var reporters: [[PhoneNumber]] = []
        for business in 0..<businessCount {
            guard let number = PhoneNumber(digits: 15_557_000_000 + UInt64(business)) else { throw CLIError("bench: too many businesses") }
            businesses.append(number)
            var own: [PhoneNumber] = []
            for index in 0..<perBusiness {
                guard let reporter = PhoneNumber(digits: 15_558_000_000 + UInt64(business * 10_000 + index)) else {
                    throw CLIError("bench: too many reporters")
                }
                own.append(reporter)
            }
            reporters.append(own)
        }
        guard let attacker = PhoneNumber(digits: 15_559_000_000) else { throw CLIError("bench: invalid attacker number") }
        self.businesses = businesses
        self.reporters = reporters
        self.attacker = attacker
    }

    /// Every (business, reporter) pair, business by business: the order honest reports use.
    var pairs: [(business: PhoneNumber, reporter: PhoneNumber)] {
        zip(businesses, reporters).flatMap { business, own in own.map { (business, $0) } }
    }

    /// Envelopes per business per second: under the Cloud API's 80 messages per second.
    static let sendsPerSecond = 70

    /// Registers every reporter (the relay takes envelopes for registered numbers only) and every
    /// business on the relay at `address`, sends the businesses' envelopes, 70 per business and
    /// second, and has every reporter acknowledge its envelope and send a delivery receipt (the
    /// proof of contact); returns once that is done. Throws with the relay's error frame if it refused any.
    func establish(on address: SocketAddress) throws(CLIError) {
        do {
            let recipients = reporters.enumerated().map { index, own in index == 0 ? own + [attacker] : own }
            // Reporters stay connected until they have their envelope: proof of contact is a
            // delivery receipt, not a send.
            var inboxes: [(socket: TCPClientSocket, decoder: FrameDecoder)] = []
            defer { for inbox in inboxes { inbox.socket.close() } }
            for recipient in recipients.joined() {
                let socket = try TCPClientSocket(connectingTo: address)
                inboxes.append((socket, try register(recipient, on: socket)))
            }
            var senders: [(socket: TCPClientSocket, decoder: FrameDecoder)] = []
            defer { for sender in senders { sender.socket.close() } }
            for business in businesses {
                let socket = try TCPClientSocket(connectingTo: address)
                senders.append((socket, try register(business, on: socket)))
            }
            var sent = 0
            while sent < recipients.map(\.count).max() ?? 0 {
                let roundStart = ContinuousClock.now
                for index in senders.indices {
                    let chunk = recipients[index].dropFirst(sent).prefix(Self.sendsPerSecond)
                    try send(from: businesses[index], to: chunk, firstID: sent + 1, on: senders[index].socket, decoder: &senders[index].decoder)
                }
                sent += Self.sendsPerSecond
                let elapsed = ContinuousClock.now - roundStart
                if elapsed < .seconds(1) { sleepThread(for: .seconds(1) - elapsed) }
            }
            for index in inboxes.indices { try acknowledgeDelivery(on: inboxes[index].socket, decoder: &inboxes[index].decoder) }
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError("bench: setting up the reporters' contacts: \(error)")
        }
    }

    /// Sends one envelope from `business` to each of `recipients` and waits until each is accepted.
    private func send(
        from business: PhoneNumber, to recipients: ArraySlice<PhoneNumber>, firstID: Int, on socket: TCPClientSocket,
        decoder: inout FrameDecoder
    ) throws {
        guard !recipients.isEmpty else { return }
        let encoder = FrameEncoder()
        var batch: [UInt8] = []
        for (offset, recipient) in recipients.enumerated() {
            let envelope = OutgoingEnvelope(
                recipient: recipient, clientMessageID: UInt64(firstID + offset), kind: .business(.marketing),
                ciphertext: [UInt8](repeating: 0x5a, count: 64))
            try encoder.encode(.send(envelope), requestID: RequestID(rawValue: UInt32(firstID + offset + 1)), into: &batch)
        }
        try socket.send(batch)
        var accepted = 0
        while accepted < recipients.count {
            switch try Self.next(from: socket, decoder: &decoder) {
            case .accepted: accepted += 1
            case let .error(code, message):
                throw CLIError("bench: the relay refused a contact envelope of \(business): \(code.rawValue) \(message)")
            default: continue
            }
        }
    }

    /// Waits for the one envelope a reporter gets, acknowledges it, and sends the business its
    /// delivery receipt (the receipt is what the analyzer takes as proof of contact).
    private func acknowledgeDelivery(on socket: TCPClientSocket, decoder: inout FrameDecoder) throws {
        while true {
            if case let .deliver(envelope) = try Self.next(from: socket, decoder: &decoder) {
                let encoder = FrameEncoder()
                var frames = try encoder.encode(.ack(envelopeIDs: [envelope.id]), requestID: 2)
                try encoder.encode(.receipt(Receipt(kind: .delivered, counterpart: envelope.sender, envelopeIDs: [envelope.id])),
                                   requestID: 3, into: &frames)
                try socket.send(frames)
                return
            }
        }
    }

    /// Registers `phone` (device 1) on `socket`; returns the decoder holding what followed.
    @discardableResult
    private func register(_ phone: PhoneNumber, on socket: TCPClientSocket) throws -> FrameDecoder {
        guard let device = DeviceID(rawValue: 1) else { throw CLIError("bench: device 1 is invalid") }
        try socket.send(try FrameEncoder().encode(.register(phone: phone, device: device), requestID: 1))
        var decoder = FrameDecoder()
        guard case .registered = try Self.next(from: socket, decoder: &decoder) else {
            throw CLIError("bench: \(phone) was not registered")
        }
        return decoder
    }

    /// The next frame from `socket`, reading as needed (5 s per read).
    private static func next(from socket: TCPClientSocket, decoder: inout FrameDecoder) throws -> Frame {
        while true {
            if let decoded = try decoder.next() { return decoded.frame }
            let bytes = try socket.receive()
            guard !bytes.isEmpty else { throw CLIError("bench: the relay closed the connection") }
            decoder.feed(bytes)
        }
    }
}

@testable import Transport

/// A raw-frame exchange with the relay that did not go as the test expected.
struct RelayTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A blocking client that speaks the relay's wire protocol frame by frame over a
/// ``TCPClientSocket``: no state machine, no retries, nothing hidden — tests see every frame the
/// relay sends, in order. Every read is bounded by a timeout.
///
/// Frames read while waiting for something else (a reply with a given request id, a pong) are
/// kept in an inbox, in arrival order, and handed out first by ``nextFrame(timeout:)``.
final class RelayTestClient {
    let socket: TCPClientSocket
    private var decoder = FrameDecoder()
    private let encoder = FrameEncoder()
    private var inbox: [DecodedFrame] = []
    private var nextRequestID: UInt32 = 1
    /// Whether the relay closed the stream (end of file or reset).
    private(set) var isClosedByRelay = false

    init(_ address: SocketAddress, timeout: Duration = .seconds(5)) throws {
        socket = try TCPClientSocket(connectingTo: address, timeout: timeout)
    }

    /// Closes the connection.
    func close() { socket.close() }

    /// A request id not used before on this connection.
    func makeRequestID() -> RequestID {
        defer { nextRequestID += 1 }
        return RequestID(rawValue: nextRequestID)
    }

    // MARK: Writing

    /// Encodes and sends `frame`.
    func write(_ frame: Frame, requestID: RequestID = .zero) throws {
        try socket.send(try encoder.encode(frame, requestID: requestID))
    }

    /// Sends `bytes` as they are.
    func writeRaw(_ bytes: [UInt8], timeout: Duration = .seconds(5)) throws {
        try socket.send(bytes, timeout: timeout)
    }

    // MARK: Reading

    /// The next frame from the relay (read-ahead frames first), or nil once the relay has closed
    /// the stream. Throws on timeout, and if the relay sent bytes that do not decode.
    func nextFrame(timeout: Duration = .seconds(5)) throws -> DecodedFrame? {
        if !inbox.isEmpty { return inbox.removeFirst() }
        let deadline = SystemClock().now() + timeout
        while true {
            if let frame = try decoder.next() { return frame }
            if isClosedByRelay { return nil }
            let remaining = deadline - SystemClock().now()
            guard remaining > .zero else { throw RelayTestFailure("no frame from the relay within \(timeout)") }
            do throws(SystemError) {
                let chunk = try socket.receive(timeout: remaining)
                if chunk.isEmpty { isClosedByRelay = true } else { decoder.feed(chunk) }
            } catch {
                // A reset after the relay's last frame (it closed with our bytes unread) ends the stream too.
                guard error.errno == .connectionReset else { throw error }
                isClosedByRelay = true
            }
        }
    }

    /// The next frame; fails if the relay closed the stream instead.
    func requireFrame(timeout: Duration = .seconds(5)) throws -> DecodedFrame {
        guard let frame = try nextFrame(timeout: timeout) else { throw RelayTestFailure("the relay closed the stream") }
        return frame
    }

    /// Sends `frame` with a fresh request id and returns the frame that echoes it. Frames that
    /// arrive meanwhile (deliveries, receipts) wait in the inbox.
    func request(_ frame: Frame, timeout: Duration = .seconds(5)) throws -> Frame {
        let id = makeRequestID()
        try write(frame, requestID: id)
        return try reply(to: id, timeout: timeout)
    }

    /// The frame echoing `requestID`; other frames wait in the inbox.
    func reply(to requestID: RequestID, timeout: Duration = .seconds(5)) throws -> Frame {
        var skipped: [DecodedFrame] = []
        defer { inbox += skipped }
        let deadline = SystemClock().now() + timeout
        while true {
            let remaining = deadline - SystemClock().now()
            guard remaining > .zero else { throw RelayTestFailure("no reply to \(requestID) within \(timeout)") }
            guard let decoded = try readFromSocket(timeout: remaining) else {
                throw RelayTestFailure("the relay closed the stream before replying to \(requestID)")
            }
            if decoded.requestID == requestID { return decoded.frame }
            skipped.append(decoded)
        }
    }

    /// A barrier: sends a ping and returns every frame that arrived before its pong (the inbox
    /// included). The relay answers in order, so an empty result proves nothing else was sent.
    func framesBeforePong(timeout: Duration = .seconds(5)) throws -> [Frame] {
        let nonce = UInt64(nextRequestID) &* 0x9E37_79B9_7F4A_7C15
        let id = makeRequestID()
        try write(.ping(nonce: nonce), requestID: id)
        var before: [Frame] = []
        let deadline = SystemClock().now() + timeout
        while true {
            let remaining = deadline - SystemClock().now()
            guard remaining > .zero else { throw RelayTestFailure("no pong within \(timeout)") }
            guard let decoded = try nextFrame(timeout: remaining) else {
                throw RelayTestFailure("the relay closed the stream before the pong")
            }
            if decoded.frame == .pong(nonce: nonce), decoded.requestID == id { return before }
            before.append(decoded.frame)
        }
    }

    /// Every frame until the relay closes the stream. Throws if it stays open past `timeout`.
    func framesUntilClosed(timeout: Duration = .seconds(5)) throws -> [DecodedFrame] {
        var frames: [DecodedFrame] = []
        let deadline = SystemClock().now() + timeout
        while true {
            let remaining = deadline - SystemClock().now()
            guard remaining > .zero else {
                throw RelayTestFailure("the relay kept the stream open past \(timeout); frames so far: \(frames)")
            }
            guard let decoded = try nextFrame(timeout: remaining) else { return frames }
            frames.append(decoded)
        }
    }

    /// Reads one frame from the socket, bypassing the inbox.
    private func readFromSocket(timeout: Duration) throws -> DecodedFrame? {
        let saved = inbox
        inbox = []
        defer { inbox = saved }
        return try nextFrame(timeout: timeout)
    }

    // MARK: Requests

    /// Registers `phone` on this connection and returns the relay's token.
    func register(_ phone: PhoneNumber, device: DeviceID) throws -> RelayToken {
        let reply = try request(.register(phone: phone, device: device))
        guard case let .registered(token) = reply else { throw RelayTestFailure("register \(phone): got \(reply)") }
        return token
    }

    /// Sends `hello` and returns the reply (`welcome` or an error).
    func hello(_ phone: PhoneNumber, device: DeviceID, token: RelayToken) throws -> Frame {
        try request(.hello(phone: phone, device: device, token: token))
    }

    /// Sends an envelope and returns the reply (`accepted` or an error).
    func send(to recipient: PhoneNumber, clientMessageID: UInt64, ciphertext: [UInt8], kind: EnvelopeKind = .user) throws -> Frame {
        try request(.send(OutgoingEnvelope(recipient: recipient, clientMessageID: clientMessageID, kind: kind, ciphertext: ciphertext)))
    }

    /// Sends an envelope that must be accepted; returns its envelope id and time.
    func sendAccepted(
        to recipient: PhoneNumber, clientMessageID: UInt64, ciphertext: [UInt8], kind: EnvelopeKind = .user
    ) throws -> (id: EnvelopeID, time: UInt64) {
        let reply = try send(to: recipient, clientMessageID: clientMessageID, ciphertext: ciphertext, kind: kind)
        guard case let .accepted(echoed, id, time) = reply, echoed == clientMessageID else {
            throw RelayTestFailure("send \(clientMessageID) to \(recipient): got \(reply)")
        }
        return (id, time)
    }

    /// Acknowledges `ids` (no reply is due).
    func acknowledge(_ ids: [EnvelopeID]) throws {
        try write(.ack(envelopeIDs: ids))
    }

    /// The next `count` frames, each of which must be a `deliver` with request id 0.
    func deliveries(_ count: Int, timeout: Duration = .seconds(5)) throws -> [DeliveredEnvelope] {
        var envelopes: [DeliveredEnvelope] = []
        let deadline = SystemClock().now() + timeout
        while envelopes.count < count {
            let remaining = deadline - SystemClock().now()
            guard remaining > .zero else { throw RelayTestFailure("only \(envelopes.count) of \(count) deliveries within \(timeout)") }
            let decoded = try requireFrame(timeout: remaining)
            guard case let .deliver(envelope) = decoded.frame, decoded.requestID == .zero else {
                throw RelayTestFailure("expected a deliver, got \(decoded.frame) \(decoded.requestID)")
            }
            envelopes.append(envelope)
        }
        return envelopes
    }

    // MARK: Raw bytes

    /// A frame's bytes with any header fields and body: for frames the encoder refuses to make.
    static func rawFrame(type: UInt8, requestID: UInt32 = 0, body: [UInt8], version: UInt8 = WireFormat.version) -> [UInt8] {
        bigEndian(UInt32(6 + body.count)) + [version, type] + bigEndian(requestID) + body
    }

    /// `frame`'s encoding with the last `count` body bytes cut off and the length prefix adjusted.
    static func truncated(_ frame: Frame, requestID: RequestID, by count: Int) throws -> [UInt8] {
        let bytes = try FrameEncoder().encode(frame, requestID: requestID)
        precondition(bytes.count - count >= WireFormat.headerSize, "cannot cut into the header")
        return bigEndian(UInt32(bytes.count - count - 4)) + bytes[4..<(bytes.count - count)]
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }
}

extension Frame {
    /// The error code, if this is an `error` frame.
    var relayTestErrorCode: UInt16? {
        if case let .error(code, _) = self { return code.rawValue }
        return nil
    }
}

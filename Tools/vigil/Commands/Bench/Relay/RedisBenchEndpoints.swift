import Transport

/// What both Redis endpoints share: the connection, the turn's pending output, reading replies.
class RedisBenchEndpoint: TCPConnectionDelegate {
    /// The generator told about readiness, messages and failures.
    weak var generator: LoadGenerator?
    /// The pair this endpoint belongs to.
    weak var pair: BenchPair?
    /// The server's address.
    let address: SocketAddress
    /// The pair's channel name.
    let channel: [UInt8]
    /// The connection, nil once closed.
    var connection: TCPConnection?
    /// Connected (sender) or subscribed (receiver).
    var isReady = false
    /// Bytes to write at the end of the turn.
    var pending: [UInt8] = []

    init(generator: LoadGenerator, pair: BenchPair, address: SocketAddress, channel: [UInt8]) {
        self.generator = generator
        self.pair = pair
        self.address = address
        self.channel = channel
    }

    /// Whether the connection is open (or opening).
    var isConnected: Bool { connection != nil }

    /// Connects.
    func start() throws(SystemError) {
        guard let generator else { return }
        connection = try TCPConnection.connect(to: address, on: generator.loop, options: benchConnectionOptions, delegate: self)
    }

    /// Writes the turn's pending bytes in one call.
    func flush() {
        guard !pending.isEmpty, let connection else { return }
        connection.write(pending)
        pending.removeAll(keepingCapacity: pending.capacity <= 1 << 20)
    }

    /// Closes the connection after flushing.
    func close() { connection?.close() }

    func connectionDidConnect(_ connection: TCPConnection) {}

    func connectionDidRead(_ connection: TCPConnection) {
        do throws(RESP.Malformed) {
            connection.consumeInput(try consume(connection.inputBytes))
        } catch {
            generator?.fail("redis \(String(decoding: channel, as: UTF8.self)): \(error)")
            connection.abort()
        }
    }

    /// Handles every complete reply at the front of `bytes`; returns the bytes they took.
    func consume(_ bytes: ArraySlice<UInt8>) throws(RESP.Malformed) -> Int { 0 }

    func connection(_ connection: TCPConnection, didCloseWith reason: CloseReason) {
        self.connection = nil
        if let generator, !generator.isClosing {
            generator.fail("redis \(String(decoding: channel, as: UTF8.self)): connection \(reason)")
        }
    }
}

/// A Redis sender: `PUBLISH channel payload`; each reply is the number of subscribers reached,
/// which must be 1.
final class RedisBenchSender: RedisBenchEndpoint, BenchEndpoint {
    private let template: [UInt8]
    private let payloadOffset: Int

    init(generator: LoadGenerator, pair: BenchPair, address: SocketAddress, channel: [UInt8], payloadSize: Int) {
        var payload = [UInt8](repeating: 0, count: payloadSize)
        for index in 16..<payloadSize { payload[index] = UInt8(truncatingIfNeeded: index &* 31) }
        template = RESP.command([Array("PUBLISH".utf8), channel, payload])
        payloadOffset = template.count - 2 - payloadSize
        super.init(generator: generator, pair: pair, address: address, channel: channel)
    }

    override func connectionDidConnect(_ connection: TCPConnection) {
        isReady = true
        generator?.endpointBecameReady()
    }

    func queueMessage(sequence: UInt64, stamp: UInt64) {
        let offset = pending.count + payloadOffset
        pending.append(contentsOf: template)
        pending.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: stamp.littleEndian, toByteOffset: offset, as: UInt64.self)
            raw.storeBytes(of: sequence.littleEndian, toByteOffset: offset + 8, as: UInt64.self)
        }
    }

    override func consume(_ bytes: ArraySlice<UInt8>) throws(RESP.Malformed) -> Int {
        var index = bytes.startIndex
        var replies = 0
        defer { if replies > 0 { generator?.accepted(replies) } }
        while case let (value, next)? = try RESP.parse(bytes, at: index) {
            switch value {
            case .integer(1):
                replies += 1
            case let .integer(count):
                throw RESP.Malformed(description: "PUBLISH reached \(count) subscribers, expected 1")
            case let .error(text):
                throw RESP.Malformed(description: "PUBLISH failed: \(String(decoding: bytes[text], as: UTF8.self))")
            default:
                throw RESP.Malformed(description: "unexpected reply to PUBLISH: \(value)")
            }
            index = next
        }
        return index - bytes.startIndex
    }
}

/// A Redis receiver: `SUBSCRIBE channel`, then a `message` push per publish.
final class RedisBenchReceiver: RedisBenchEndpoint, BenchEndpoint {
    override func start() throws(SystemError) {
        try super.start()
        connection?.write(RESP.command([Array("SUBSCRIBE".utf8), channel]))
    }

    func queueMessage(sequence: UInt64, stamp: UInt64) {}

    override func consume(_ bytes: ArraySlice<UInt8>) throws(RESP.Malformed) -> Int {
        var index = bytes.startIndex
        while case let (head, first)? = try RESP.parse(bytes, at: index) {
            guard case .array(count: 3) = head else {
                throw RESP.Malformed(description: "unexpected push \(head) on a subscribed connection")
            }
            // Three scalar elements: kind, channel, then the payload (message) or a count (subscribe).
            guard case let (kind, second)? = try RESP.parse(bytes, at: first),
                  case let (_, third)? = try RESP.parse(bytes, at: second),
                  case let (payload, next)? = try RESP.parse(bytes, at: third) else { break }
            guard case let .bulk(kindRange?) = kind else { throw RESP.Malformed(description: "push without a kind") }
            if RESP.equals(bytes, kindRange, "message") {
                guard case let .bulk(range?) = payload, range.count >= 8 else {
                    throw RESP.Malformed(description: "message push without a stamped payload")
                }
                if let pair { generator?.delivered(on: pair, stamp: RelayBenchWire.readUInt64LittleEndian(bytes, at: range.lowerBound)) }
            } else if RESP.equals(bytes, kindRange, "subscribe") {
                guard !isReady else { throw RESP.Malformed(description: "subscribed twice") }
                isReady = true
                generator?.endpointBecameReady()
            } else {
                throw RESP.Malformed(description: "unexpected push kind \(String(decoding: bytes[kindRange], as: UTF8.self))")
            }
            index = next
        }
        return index - bytes.startIndex
    }
}

import Transport

/// Connection settings of the benchmark's client connections: large input and output buffers so
/// the client is never the one pushing back.
let benchConnectionOptions = TCPConnection.Options(
    inputLimit: 256 * 1024, outputLimit: 256 << 20, outputHighWaterMark: 64 << 20, outputLowWaterMark: 1 << 20,
    writeStallTimeout: .seconds(30), idleTimeout: nil
)

/// What both relay endpoints share: the connection, registration, and the rare frames.
class RelayBenchEndpoint: TCPConnectionDelegate {
    /// The generator told about readiness, messages and failures.
    weak var generator: LoadGenerator?
    /// The pair this endpoint belongs to.
    weak var pair: BenchPair?
    /// The relay's address.
    let address: SocketAddress
    /// The number this endpoint registers.
    let phone: PhoneNumber
    /// The connection, nil once closed.
    var connection: TCPConnection?
    /// Registered.
    private(set) var isReady = false
    /// Bytes to write at the end of the turn.
    var pending: [UInt8] = []

    init(generator: LoadGenerator, pair: BenchPair, address: SocketAddress, phone: PhoneNumber) {
        self.generator = generator
        self.pair = pair
        self.address = address
        self.phone = phone
    }

    /// Whether the connection is open (or opening).
    var isConnected: Bool { connection != nil }

    /// Connects and registers (device 1).
    func start() throws(SystemError) {
        guard let generator, let device = DeviceID(rawValue: 1) else { return }
        let connection = try TCPConnection.connect(to: address, on: generator.loop, options: benchConnectionOptions, delegate: self)
        self.connection = connection
        do throws(WireError) {
            connection.write(try FrameEncoder().encode(.register(phone: phone, device: device), requestID: 1))
        } catch {
            generator.fail("cannot encode register: \(error)")
        }
    }

    /// Writes the turn's pending bytes in one call.
    func flush() {
        guard !pending.isEmpty, let connection else { return }
        connection.write(pending)
        pending.removeAll(keepingCapacity: pending.capacity <= 1 << 20)
    }

    /// Closes the connection after flushing.
    func close() { connection?.close() }

    func connectionDidRead(_ connection: TCPConnection) {
        do throws(RelayBenchWire.Malformed) {
            let consumed = try RelayBenchWire.forEachFrame(in: connection.inputBytes) { type, frame throws(RelayBenchWire.Malformed) in
                try handle(type: type, frame: frame)
            }
            connection.consumeInput(consumed)
        } catch {
            generator?.fail("\(phone): \(error)")
            connection.abort()
        }
    }

    /// One complete frame; subclasses take their hot frame and pass the rest here.
    func handle(type: UInt8, frame: ArraySlice<UInt8>) throws(RelayBenchWire.Malformed) {
        let decoded = try RelayBenchWire.decode(frame)
        switch decoded.frame {
        case .registered:
            guard !isReady else { throw RelayBenchWire.Malformed(description: "registered twice") }
            isReady = true
            generator?.endpointBecameReady()
        case let .ping(nonce):
            if let bytes = try? FrameEncoder().encode(.pong(nonce: nonce), requestID: decoded.requestID) { pending += bytes }
        case let .error(code, message):
            throw RelayBenchWire.Malformed(description: "relay error \(code.rawValue): \(message)")
        default:
            throw RelayBenchWire.Malformed(description: "unexpected \(decoded.frame.type) frame")
        }
    }

    func connection(_ connection: TCPConnection, didCloseWith reason: CloseReason) {
        self.connection = nil
        if let generator, !generator.isClosing { generator.fail("\(phone): connection \(reason)") }
    }
}

/// A relay sender: `send`s to its pair's receiver, counting the `accepted` replies.
final class RelayBenchSender: RelayBenchEndpoint, BenchEndpoint {
    private let template: RelayBenchWire.SendTemplate
    private var nextClientMessageID: UInt64 = 1

    init(generator: LoadGenerator, pair: BenchPair, address: SocketAddress, phone: PhoneNumber,
         recipient: PhoneNumber, payloadSize: Int) throws(WireError) {
        template = try RelayBenchWire.SendTemplate(recipient: recipient, payloadSize: payloadSize)
        super.init(generator: generator, pair: pair, address: address, phone: phone)
    }

    func queueMessage(sequence: UInt64, stamp: UInt64) {
        template.append(to: &pending, clientMessageID: nextClientMessageID, stamp: stamp, sequence: sequence)
        nextClientMessageID += 1
    }

    override func handle(type: UInt8, frame: ArraySlice<UInt8>) throws(RelayBenchWire.Malformed) {
        if type == RelayBenchWire.acceptedType {
            generator?.accepted(1)
        } else {
            try super.handle(type: type, frame: frame)
        }
    }
}

/// A relay receiver: takes `deliver`s, records their latency, and acknowledges them in batches
/// (one `ack` frame per 256 ids, written once per loop turn).
final class RelayBenchReceiver: RelayBenchEndpoint, BenchEndpoint {
    /// Envelope ids received this turn, 16 bytes each.
    private var unacknowledged: [UInt8] = []

    func queueMessage(sequence: UInt64, stamp: UInt64) {}

    override func handle(type: UInt8, frame: ArraySlice<UInt8>) throws(RelayBenchWire.Malformed) {
        guard type == RelayBenchWire.deliverType else {
            try super.handle(type: type, frame: frame)
            return
        }
        let (id, stamp) = try RelayBenchWire.parseDeliver(frame)
        unacknowledged.append(contentsOf: frame[id])
        if let pair { generator?.delivered(on: pair, stamp: stamp) }
    }

    override func flush() {
        if !unacknowledged.isEmpty {
            RelayBenchWire.appendAcks(ids: unacknowledged, to: &pending)
            unacknowledged.removeAll(keepingCapacity: true)
        }
        super.flush()
    }
}

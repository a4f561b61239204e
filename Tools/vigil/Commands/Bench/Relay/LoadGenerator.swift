import Transport

/// Which system the load generator drives.
enum BenchSystem: Sendable, Equatable {
    /// Vigil's relay (docs/wire.md): `register`, `send` → `accepted`, `deliver` → `ack`.
    case relay(SocketAddress)
    /// Redis pub/sub: `SUBSCRIBE` on receivers, `PUBLISH` on senders.
    case redis(SocketAddress)
}

/// One connection of a benchmark pair, speaking the relay's wire or RESP. Loop-confined.
protocol BenchEndpoint: AnyObject {
    /// Whether it may carry messages: registered (relay), subscribed or connected (Redis).
    var isReady: Bool { get }
    /// Whether its connection is open (or opening).
    var isConnected: Bool { get }
    /// Opens the connection and starts the protocol's set-up (registration, subscription).
    func start() throws(SystemError)
    /// Queues one message (senders only); `stamp` is the send time on the monotonic clock.
    func queueMessage(sequence: UInt64, stamp: UInt64)
    /// Writes what this turn queued (messages, acknowledgements) in one call.
    func flush()
    /// Closes the connection.
    func close()
}

/// A sender and its receiver, and how many messages went each way.
final class BenchPair {
    /// The pair's number, 0 ..< K (its pacing offset and its numbers / channel).
    let index: Int
    /// The sending connection.
    var sender: (any BenchEndpoint)?
    /// The receiving connection.
    var receiver: (any BenchEndpoint)?
    /// Messages queued by the sender.
    var sent = 0
    /// Messages the receiver got.
    var delivered = 0
    /// Messages the pacing schedule has issued (sent or skipped) in the current paced phase.
    var scheduled = 0

    init(index: Int) { self.index = index }

    /// Messages sent and not yet received.
    var outstanding: Int { sent - delivered }
}

/// What one measurement window saw.
struct WindowFigures: Sendable {
    /// Messages received in the window.
    var delivered = 0
    /// Sends acknowledged by the system in the window (`accepted` / `PUBLISH` replies).
    var accepted = 0
    /// Paced sends skipped because a pair already had its cap outstanding (the system fell behind).
    var skipped = 0
    /// The window's length in nanoseconds.
    var nanoseconds: UInt64 = 0
    /// Delivery latencies of the messages received in the window.
    var latency = LatencyHistogram()
    /// CPU seconds spent in the window, by role (``ProcessCPU``): relay threads, the load
    /// generator, the reference server.
    var cpuSeconds: [String: Double] = [:]

    /// Messages per second.
    var throughput: Double { nanoseconds == 0 ? 0 : Double(delivered) / (Double(nanoseconds) / 1e9) }
}

/// The client side of the benchmark: K sender connections and K receiver connections on one
/// event loop (not the relay's), either saturating (each sender keeps a window of messages in
/// flight, from send to receipt) or paced (open loop: every sender on a fixed schedule, 1 ms
/// ticks, pairs staggered within the tick). Every message carries its send time from the
/// monotonic clock in its payload; the receiver's clock reading minus that is its latency.
/// Sends and acknowledgements are gathered per connection and written once per loop turn.
///
/// Loop-confined: create and use it on its loop (through a `LoopBound`).
final class LoadGenerator {
    /// How messages are issued.
    enum Mode {
        /// Not sending.
        case idle
        /// Every pair keeps `window` messages in flight.
        case saturating(window: Int)
        /// Every pair sends `perPairRate` messages per second from `start` (monotonic ns), at
        /// most `cap` in flight.
        case paced(perPairRate: Double, start: UInt64, cap: Int)
    }

    /// The loop everything runs on.
    let loop: EventLoop
    /// The system driven.
    let system: BenchSystem
    /// Payload bytes per message.
    let payloadSize: Int
    /// The pairs.
    private(set) var pairs: [BenchPair] = []
    /// How messages are issued now.
    private(set) var mode = Mode.idle
    /// Endpoints that finished their set-up.
    private(set) var readyCount = 0
    /// The first failure (an error frame or reply, an unexpected close, a malformed stream).
    private(set) var failure: String?
    /// Set while closing on purpose, so closes are not failures.
    private(set) var isClosing = false
    private var window = WindowFigures()
    private var windowStart: UInt64 = 0
    private var hook: EndOfTurnHookID?
    private var pacingTimer: TimerID?

    /// Builds the pairs' endpoints (without connecting). Must run on `loop`.
    init(loop: EventLoop, system: BenchSystem, pairs count: Int, payloadSize: Int) throws(CLIError) {
        self.loop = loop
        self.system = system
        self.payloadSize = payloadSize
        for index in 0..<count {
            let pair = BenchPair(index: index)
            switch system {
            case let .relay(address):
                guard let receiverPhone = PhoneNumber(digits: 15_551_000_000 + UInt64(index)),
                      let senderPhone = PhoneNumber(digits: 15_552_000_000 + UInt64(index)) else {
                    throw CLIError("bench: too many pairs for the test numbers")
                }
                pair.receiver = RelayBenchReceiver(generator: self, pair: pair, address: address, phone: receiverPhone)
                do throws(WireError) {
                    pair.sender = try RelayBenchSender(
                        generator: self, pair: pair, address: address, phone: senderPhone,
                        recipient: receiverPhone, payloadSize: payloadSize)
                } catch {
                    throw CLIError("bench: cannot encode a \(payloadSize)-byte send: \(error)")
                }
            case let .redis(address):
                let channel = Array("vigil-bench-\(index)".utf8)
                pair.receiver = RedisBenchReceiver(generator: self, pair: pair, address: address, channel: channel)
                pair.sender = RedisBenchSender(generator: self, pair: pair, address: address, channel: channel, payloadSize: payloadSize)
            }
            pairs.append(pair)
        }
        hook = loop.addEndOfTurnHook { [weak self] in self?.flushAll() }
    }

    /// Connects every endpoint; readiness follows as the set-up replies arrive.
    func connect() throws(SystemError) {
        for pair in pairs {
            try pair.receiver?.start()
            try pair.sender?.start()
        }
    }

    /// Whether every endpoint is ready.
    var allReady: Bool { readyCount == 2 * pairs.count }

    /// Messages sent and not yet received, over all pairs.
    var outstanding: Int { pairs.reduce(0) { $0 + $1.outstanding } }

    /// Messages sent over all pairs since the start.
    var totalSent: Int { pairs.reduce(0) { $0 + $1.sent } }

    /// Endpoints whose connection is still open.
    var connectedCount: Int {
        pairs.reduce(0) { $0 + ($1.sender?.isConnected == true ? 1 : 0) + ($1.receiver?.isConnected == true ? 1 : 0) }
    }

    // MARK: Phases

    /// Every sender keeps `window` messages in flight from now on.
    func startSaturating(window: Int) {
        stopSending()
        mode = .saturating(window: window)
        for pair in pairs { refill(pair) }
    }

    /// Senders issue `totalRate` messages per second between them, on a schedule that does not
    /// wait for replies; a pair already `cap` messages behind skips (counted) instead of queueing.
    func startPaced(totalRate: Double, cap: Int) {
        stopSending()
        for pair in pairs { pair.scheduled = 0 }
        mode = .paced(perPairRate: totalRate / Double(pairs.count), start: BenchClock.now(), cap: cap)
        tick()
    }

    /// Stops issuing messages; those in flight still arrive.
    func stopSending() {
        mode = .idle
        if let timer = pacingTimer { loop.cancelTimer(timer) }
        pacingTimer = nil
    }

    /// Starts a measurement window: counters and latencies from now on.
    func beginWindow() {
        window = WindowFigures()
        windowStart = BenchClock.now()
    }

    /// The figures of the window begun last, up to now.
    func endWindow() -> WindowFigures {
        var figures = window
        figures.nanoseconds = BenchClock.now() - windowStart
        return figures
    }

    /// Closes every connection (on purpose) and removes the flush hook.
    func closeAll() {
        stopSending()
        isClosing = true
        for pair in pairs {
            pair.sender?.close()
            pair.receiver?.close()
        }
        if let hook { loop.removeEndOfTurnHook(hook) }
        hook = nil
    }

    // MARK: Events from the endpoints

    /// An endpoint finished its set-up.
    func endpointBecameReady() { readyCount += 1 }

    /// The system acknowledged `count` sends.
    func accepted(_ count: Int) { window.accepted += count }

    /// A receiver got the message stamped `stamp`.
    func delivered(on pair: BenchPair, stamp: UInt64) {
        let now = BenchClock.now()
        window.latency.record(now >= stamp ? now - stamp : 0)
        window.delivered += 1
        pair.delivered += 1
        if case .saturating = mode { refill(pair) }
    }

    /// Something went wrong; the first message is kept and the run stops at the next check.
    func fail(_ message: String) {
        if failure == nil { failure = message }
        stopSending()
    }

    // MARK: Sending

    private func refill(_ pair: BenchPair) {
        guard case let .saturating(limit) = mode, let sender = pair.sender else { return }
        while pair.outstanding < limit {
            sender.queueMessage(sequence: UInt64(pair.sent), stamp: BenchClock.now())
            pair.sent += 1
        }
    }

    /// One pacing tick: each pair sends what its schedule says is due by now.
    private func tick() {
        pacingTimer = nil
        guard case let .paced(rate, start, cap) = mode else { return }
        let now = BenchClock.now()
        let elapsedSeconds = Double(now - start) / 1e9
        let pairCount = Double(pairs.count)
        for pair in pairs {
            guard let sender = pair.sender else { continue }
            // Pair i's messages are due at (n + i/K) / rate: the pairs are spread over the interval.
            let due = Int(elapsedSeconds * rate + Double(pair.index) / pairCount) - pair.scheduled
            guard due > 0 else { continue }
            for _ in 0..<due {
                pair.scheduled += 1
                if pair.outstanding >= cap {
                    window.skipped += 1
                    continue
                }
                sender.queueMessage(sequence: UInt64(pair.sent), stamp: now)
                pair.sent += 1
            }
        }
        pacingTimer = loop.scheduleTimer(after: .milliseconds(1)) { [weak self] in self?.tick() }
    }

    private func flushAll() {
        for pair in pairs {
            pair.sender?.flush()
            pair.receiver?.flush()
        }
    }
}

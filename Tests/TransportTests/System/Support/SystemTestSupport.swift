import Glibc
@testable import Transport

/// Helpers shared by the System tests: polling with a deadline, threads, seeded bytes.
enum SystemTestSupport {
    /// Polls `condition` every millisecond until it holds or `timeout` passes; returns whether
    /// it held. Tests use it instead of fixed sleeps.
    static func waitUntil(timeout: Duration = .seconds(5), _ condition: () -> Bool) -> Bool {
        let deadline = SystemClock().now() + timeout
        while !condition() {
            if SystemClock().now() >= deadline { return false }
            usleep(1_000)
        }
        return true
    }

    /// Runs `body(i)` for `0..<count` on `count` threads of their own and waits for all.
    /// (Dedicated threads, not a dispatch queue: the bodies block on sockets and must all run
    /// at once, whatever the machine's core count.)
    static func concurrently(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        final class Context: Sendable {
            let run: @Sendable () -> Void
            init(_ run: @escaping @Sendable () -> Void) { self.run = run }
        }
        var threads: [pthread_t] = []
        for index in 0..<count {
            let context = Unmanaged.passRetained(Context { body(index) }).toOpaque()
            var thread = pthread_t()
            let result = pthread_create(&thread, nil, { raw in
                guard let raw else { return nil }
                Unmanaged<Context>.fromOpaque(raw).takeRetainedValue().run()
                return nil
            }, context)
            precondition(result == 0, "pthread_create failed: \(result)")
            threads.append(thread)
        }
        for thread in threads { pthread_join(thread, nil) }
    }

    /// Deterministic bytes from a seed (SplitMix64), so failures reproduce.
    static func bytes(count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        var words = [UInt64](repeating: 0, count: (count + 7) / 8)
        for index in words.indices {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            words[index] = z ^ (z >> 31)
        }
        return words.withUnsafeBytes { Array($0.prefix(count)) }
    }
}

/// A thread-safe box for what the loop thread records and the test thread checks.
final class Recorded<Value: Sendable>: Sendable {
    private let storage: LockedValue<Value>

    init(_ value: Value) {
        storage = LockedValue(value)
    }

    var value: Value { storage.withLock { $0 } }

    func update(_ body: (inout Value) -> Void) {
        storage.withLock { body(&$0) }
    }
}

/// Accepts every connection and gives it the handler `makeHandler` builds.
final class ClosureListenerDelegate: TCPListenerDelegate {
    let makeHandler: (TCPConnection) -> (any TCPConnectionDelegate)?
    let accepted: Recorded<Int>

    init(accepted: Recorded<Int>, makeHandler: @escaping (TCPConnection) -> (any TCPConnectionDelegate)?) {
        self.makeHandler = makeHandler
        self.accepted = accepted
    }

    func listener(_ listener: TCPListener, didAccept connection: TCPConnection) -> (any TCPConnectionDelegate)? {
        accepted.update { $0 += 1 }
        return makeHandler(connection)
    }
}

/// Echoes whatever it reads and records how its connection closed.
final class EchoHandler: TCPConnectionDelegate {
    let closes: Recorded<[CloseReason]>

    init(closes: Recorded<[CloseReason]>) {
        self.closes = closes
    }

    func connectionDidRead(_ connection: TCPConnection) {
        let bytes = connection.inputBytes
        connection.write(bytes)
        connection.consumeInput(bytes.count)
    }

    func connection(_ connection: TCPConnection, didCloseWith reason: CloseReason) {
        closes.update { $0.append(reason) }
    }
}

/// A server on its own loop thread: a listener whose connections get `makeHandler`'s delegates.
final class ServerFixture {
    let thread: EventLoopThread
    let address: SocketAddress
    let accepted = Recorded(0)
    let closes = Recorded<[CloseReason]>([])

    var loop: EventLoop { thread.loop }

    /// - Parameters:
    ///   - makeHandler: builds each connection's delegate; nil means echo.
    ///   - setUp: runs on this thread before the loop starts (hooks, timers).
    init(
        bindingTo bindAddress: SocketAddress = .loopbackIPv4(),
        clock: any MonotonicClock = SystemClock(),
        options: TCPConnection.Options = TCPConnection.Options(),
        makeHandler: ((TCPConnection, Recorded<[CloseReason]>) -> any TCPConnectionDelegate)? = nil,
        setUp: (EventLoop) -> Void = { _ in }
    ) throws {
        let loop = try EventLoop(clock: clock)
        let closes = self.closes
        let delegate = ClosureListenerDelegate(accepted: accepted) { connection in
            makeHandler?(connection, closes) ?? EchoHandler(closes: closes)
        }
        // Set up before the loop's thread starts (allowed: the loop is not running yet).
        let listener = try TCPListener(bindingTo: bindAddress, on: loop, connectionOptions: options, delegate: delegate)
        address = listener.localAddress
        setUp(loop)
        thread = try EventLoopThread(loop: loop)
    }

    deinit {
        thread.stopAndJoin()
    }
}

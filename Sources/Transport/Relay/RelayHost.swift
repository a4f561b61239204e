import Glibc

/// A relay on its own event-loop thread: the one-call way to run it (the CLI, tests, the demo).
///
/// ```swift
/// let relay = try RelayHost.start(RelayConfiguration(listenAddress: address, dataDirectory: dir, tokenHasher: hasher))
/// print(relay.address)      // the bound address (port 0 → the ephemeral port)
/// relay.stop()              // 501 to every client, final commit, store closed, thread joined
/// ```
public final class RelayHost: Sendable {
    /// The bound address.
    public let address: SocketAddress
    private let thread: EventLoopThread
    private let server: LoopBound<RelayServer>
    private let stopped = LockedValue(false)

    private init(address: SocketAddress, thread: EventLoopThread, server: LoopBound<RelayServer>) {
        self.address = address
        self.thread = thread
        self.server = server
    }

    /// Starts a relay with `configuration`; `plugIns` is called on the loop thread to build the
    /// sink and policy. Throws if the store cannot be opened or the address bound.
    public static func start(
        _ configuration: RelayConfiguration,
        plugIns: @escaping @Sendable () throws -> RelayPlugIns = { .defaults() }
    ) throws -> RelayHost {
        let directory = configuration.dataDirectory
        let hasher = configuration.tokenHasher
        return try start(configuration, plugIns: plugIns) { () throws(RelayError) -> any RelayBatchStore in
            try RelayStore(directory: directory, tokenHasher: hasher, checkpointsInline: false)
        }
    }

    /// As the public `start`, with the store made by `makeStore` on the storage thread (tests
    /// pass a store whose commits they can hold back or fail).
    static func start(
        _ configuration: RelayConfiguration,
        plugIns: @escaping @Sendable () throws -> RelayPlugIns = { .defaults() },
        makeStore: @escaping @Sendable () throws(RelayError) -> any RelayBatchStore
    ) throws -> RelayHost {
        let thread = try EventLoopThread(name: "vigil-relay")
        let outcome = LockedValue<Result<LoopBound<RelayServer>, SendableError>?>(nil)
        _ = thread.loop.executeAndWait {
            do {
                let server = try RelayServer(configuration: configuration, plugIns: plugIns(), on: thread.loop, makeStore: makeStore)
                outcome.withLock { $0 = .success(LoopBound(server, on: thread.loop)) }
            } catch {
                outcome.withLock { $0 = .failure(SendableError(description: "\(error)")) }
            }
        }
        switch outcome.withLock({ $0 }) {
        case let .success(server)?:
            let address = server.loop.executeAndWaitReturning { server.value.address }
            return RelayHost(address: address ?? configuration.listenAddress, thread: thread, server: server)
        case let .failure(error)?:
            thread.stopAndJoin()
            throw error
        case nil:
            thread.stopAndJoin()
            throw SendableError(description: "relay loop did not start")
        }
    }

    /// Runs `body` with the server on its loop and returns its result (statistics, the sink).
    public func withServer<Result: Sendable>(_ body: @escaping @Sendable (RelayServer) -> Result) -> Result? {
        let server = self.server
        return thread.loop.executeAndWaitReturning { body(server.value) }
    }

    /// Stops the relay cleanly (error 501 to every client, final commit, store closed) and joins
    /// its thread. Idempotent; safe from any thread but the relay's own.
    public func stop() {
        let first = stopped.withLock { state -> Bool in
            defer { state = true }
            return !state
        }
        guard first else { return }
        let server = self.server
        let done = LockedValue(false)
        _ = thread.loop.execute {
            server.value.shutdown { done.withLock { $0 = true } }
        }
        while !done.withLock({ $0 }) {
            var request = timespec(tv_sec: 0, tv_nsec: 2_000_000)
            nanosleep(&request, nil)
        }
        thread.stopAndJoin()
    }

    deinit { stop() }
}

/// An error carried across threads as its description.
public struct SendableError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public let description: String

    /// An error described by `description`.
    public init(description: String) {
        self.description = description
    }
}

extension EventLoop {
    /// Runs `body` on the loop, waits, and returns its result; nil if the loop is stopped.
    public func executeAndWaitReturning<Result: Sendable>(_ body: @escaping @Sendable () -> Result) -> Result? {
        let box = LockedValue<Result?>(nil)
        _ = executeAndWait { box.withLock { $0 = body() } }
        return box.withLock { $0 }
    }
}

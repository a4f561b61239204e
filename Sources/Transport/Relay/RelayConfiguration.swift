/// How a relay host runs: where it listens and keeps its data, and its limits.
public struct RelayConfiguration: Sendable {
    /// The address to listen on (port 0: an ephemeral port, see `RelayHost.address`).
    public var listenAddress: SocketAddress
    /// The directory holding `relay.sqlite` (created with mode 0700 if missing).
    public var dataDirectory: String
    /// Digests relay tokens: the store keeps digests, never tokens (`vigil` passes SHA-256).
    /// Must stay the same over the life of a data directory.
    public var tokenHasher: TokenHasher
    /// The core's limits (TTL, idempotency window, queue and delivery windows).
    public var limits: RelayLimits
    /// The largest frame accepted (docs/wire.md: 1 KiB … 16 MiB, default 256 KiB).
    public var maximumFrameSize: Int
    /// Options of each accepted connection (buffers, output limit, stall and idle timeouts).
    public var connectionOptions: TCPConnection.Options
    /// How long a connection may take to authenticate (default 10 s), at least; see
    /// ``authenticationTimeoutSpread``.
    public var authenticationTimeout: Duration
    /// Each connection's authentication deadline is `authenticationTimeout × (1 + spread × f)`
    /// with `f` in [0, 1) spread evenly over consecutive connections (default 0.5), so a flood of
    /// connections opened together and never authenticated does not expire — and reconnect — in
    /// one loop turn, stalling everyone else's traffic for it.
    public var authenticationTimeoutSpread: Double
    /// How often expired envelopes and idempotency keys are swept (default 60 s).
    public var housekeepingInterval: Duration
    /// How long `stop()` waits for goodbye frames to drain before closing hard (default 2 s).
    public var shutdownGrace: Duration
    /// Whether writes are committed durably (`synchronous=FULL`, the default and the only safe
    /// choice); `false` keeps the queue in memory only — for the benchmark's non-durable run.
    public var durable: Bool

    /// A configuration with the defaults above.
    public init(
        listenAddress: SocketAddress,
        dataDirectory: String,
        tokenHasher: TokenHasher,
        limits: RelayLimits = RelayLimits(),
        maximumFrameSize: Int = WireFormat.defaultMaximumFrameSize,
        connectionOptions: TCPConnection.Options = TCPConnection.Options(
            outputLimit: 8 << 20, idleTimeout: .seconds(300)
        ),
        authenticationTimeout: Duration = .seconds(10),
        authenticationTimeoutSpread: Double = 0.5,
        housekeepingInterval: Duration = .seconds(60),
        shutdownGrace: Duration = .seconds(2),
        durable: Bool = true
    ) {
        self.listenAddress = listenAddress
        self.dataDirectory = dataDirectory
        self.tokenHasher = tokenHasher
        self.limits = limits
        self.maximumFrameSize = maximumFrameSize
        self.connectionOptions = connectionOptions
        precondition(authenticationTimeoutSpread >= 0 && authenticationTimeoutSpread.isFinite, "authenticationTimeoutSpread must be ≥ 0")
        self.authenticationTimeout = authenticationTimeout
        self.authenticationTimeoutSpread = authenticationTimeoutSpread
        self.housekeepingInterval = housekeepingInterval
        self.shutdownGrace = shutdownGrace
        self.durable = durable
    }
}

extension RelayConfiguration {
    /// The authentication deadline of the `sequence`-th connection: ``authenticationTimeout``
    /// stretched by the fraction of ``authenticationTimeoutSpread`` that the golden-ratio (Weyl)
    /// sequence gives `sequence`, so the deadlines of consecutive connections fall evenly over
    /// the whole spread.
    public func authenticationDeadline(forConnection sequence: UInt64) -> Duration {
        SpreadTimeout.timeout(authenticationTimeout, spread: authenticationTimeoutSpread, forConnection: sequence)
    }
}

/// The relay's plug-ins, built on its loop thread: the metadata sink and the admission policy.
public struct RelayPlugIns {
    /// Receives every metadata event after its turn commits.
    public var sink: any MetadataSink
    /// Decides on business envelopes.
    public var policy: any AdmissionPolicy

    /// Plug-ins from a sink and a policy.
    public init(sink: any MetadataSink, policy: any AdmissionPolicy = AllowAllPolicy()) {
        self.sink = sink
        self.policy = policy
    }

    /// No sink (events are dropped) and allow-all.
    public static func defaults() -> RelayPlugIns {
        RelayPlugIns(sink: DiscardingSink(), policy: AllowAllPolicy())
    }
}

/// A sink that drops every event.
public final class DiscardingSink: MetadataSink {
    /// Creates the sink.
    public init() {}
    /// Drops `event`.
    public func record(_ event: MetadataEvent) {}
}

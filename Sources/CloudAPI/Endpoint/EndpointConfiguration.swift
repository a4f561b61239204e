public import Transport

/// How the Cloud API endpoint runs.
public struct EndpointConfiguration: Sendable {
    /// The relay to connect businesses to.
    public var relayAddress: SocketAddress
    /// The data directory (`cloudapi.sqlite`, `regions/na|eu/…`).
    public var dataDirectory: String
    /// One-time prekeys published per batch; a new batch goes out after half are used.
    public var preKeyBatchSize: Int
    /// The customer-service window for free-form messages (24 h).
    public var serviceWindowMilliseconds: Int64
    /// First webhook retry delay; doubled per attempt up to `webhookMaximumBackoffMilliseconds`.
    public var webhookInitialBackoffMilliseconds: Int64
    /// The longest delay between webhook attempts.
    public var webhookMaximumBackoffMilliseconds: Int64
    /// Webhook requests in flight at once, over all businesses.
    public var webhookConcurrency: Int
    /// How often pending webhooks, new businesses and expiry are checked.
    public var housekeepingIntervalMilliseconds: Int64
    /// Delay before reconnecting a business's relay link.
    public var reconnectDelayMilliseconds: Int64
    /// How long a send whose link closed before the relay answered is resent (the same bytes,
    /// on each reconnect) before its request gets 503.
    public var unconfirmedSendTimeoutMilliseconds: Int64 = 10_000
    /// Send requests a second per number (Meta's default throughput, 80), checked before any
    /// work on a send; a burst of one second's worth is allowed.
    public var sendsPerSecond: Int
    /// The same once the number reached `TIER_UNLIMITED` (Meta's upgraded throughput, 1 000).
    public var upgradedSendsPerSecond: Int
    /// How long a messaging-limit refusal (131048) from the relay holds its user before the
    /// relay is asked again.
    public var messagingLimitHoldMilliseconds: Int64

    /// Send requests a second for a number at messaging-limit tier `tier` (Meta's name):
    /// ``upgradedSendsPerSecond`` at `TIER_UNLIMITED`, else ``sendsPerSecond``.
    public func sendsPerSecond(atTier tier: String) -> Int {
        tier == "TIER_UNLIMITED" ? upgradedSendsPerSecond : sendsPerSecond
    }

    /// A configuration with defaults.
    public init(
        relayAddress: SocketAddress, dataDirectory: String, preKeyBatchSize: Int = 50,
        serviceWindowMilliseconds: Int64 = 86_400_000, webhookInitialBackoffMilliseconds: Int64 = 1_000,
        webhookMaximumBackoffMilliseconds: Int64 = 300_000, webhookConcurrency: Int = 32,
        housekeepingIntervalMilliseconds: Int64 = 250, reconnectDelayMilliseconds: Int64 = 500,
        sendsPerSecond: Int = 80, upgradedSendsPerSecond: Int = 1_000, messagingLimitHoldMilliseconds: Int64 = 60_000
    ) {
        self.relayAddress = relayAddress
        self.dataDirectory = dataDirectory
        self.preKeyBatchSize = preKeyBatchSize
        self.serviceWindowMilliseconds = serviceWindowMilliseconds
        self.webhookInitialBackoffMilliseconds = webhookInitialBackoffMilliseconds
        self.webhookMaximumBackoffMilliseconds = webhookMaximumBackoffMilliseconds
        self.webhookConcurrency = webhookConcurrency
        self.housekeepingIntervalMilliseconds = housekeepingIntervalMilliseconds
        self.reconnectDelayMilliseconds = reconnectDelayMilliseconds
        self.sendsPerSecond = sendsPerSecond
        self.upgradedSendsPerSecond = upgradedSendsPerSecond
        self.messagingLimitHoldMilliseconds = messagingLimitHoldMilliseconds
    }
}

/// The endpoint's wall clock (milliseconds since the epoch); injectable for retention tests.
public protocol EndpointClock: AnyObject {
    /// Now.
    func now() -> Int64
}

/// The system's real-time clock.
public final class SystemWallClock: EndpointClock {
    /// Creates the clock.
    public init() {}
    /// `clock_gettime(CLOCK_REALTIME)` in milliseconds.
    public func now() -> Int64 { RelayServer.wallClock() }
}

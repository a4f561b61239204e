public import Transport

/// How many report items each connection may submit to `POST /v1/reports`: a GCRA per remote
/// address (one address and port: one connection) over the loop's monotonic clock, as a pure
/// value — ``wait(for:at:)`` before a request's body is parsed, ``charge(_:to:at:)`` after.
///
/// A connection may run up to ``burst`` items ahead of its rate, then submits at
/// ``itemsPerSecond``. It is charged after its batch was parsed (the count is not known before),
/// so one batch may take it past the burst; until it is back under, its requests are answered
/// 429 without being parsed. This bounds what one closed-loop client takes of the event loop it
/// shares with the relay; it does not stop a client that opens a new connection per batch (the
/// HTTP server's connection limit and the reporters' own buckets in ``ReportIntake`` still hold).
public struct ReportConnectionBudget: Sendable {
    /// Items per second each connection may submit.
    public let itemsPerSecond: Int
    /// Items a rested connection may submit at once.
    public let burst: Int
    /// Connections whose debt is kept; past it, rested ones (owing nothing) are dropped.
    public let trackedConnections: Int
    /// Each connection's theoretical arrival time: when it owes nothing, in nanoseconds.
    private(set) var owedUntil: [SocketAddress: UInt64] = [:]

    /// A budget of `itemsPerSecond` with `burst` (both ≥ 1), for up to `trackedConnections` at once.
    public init(itemsPerSecond: Int, burst: Int, trackedConnections: Int = 10_000) {
        precondition(itemsPerSecond >= 1 && burst >= 1 && trackedConnections >= 1, "the report budget needs positive values")
        self.itemsPerSecond = itemsPerSecond
        self.burst = burst
        self.trackedConnections = trackedConnections
    }

    /// Nanoseconds of budget one item costs.
    private var itemCost: UInt64 { max(1, 1_000_000_000 / UInt64(itemsPerSecond)) }

    /// How long `connection` must wait before it may submit again at `now`; nil if it may now.
    public func wait(for connection: SocketAddress, at now: MonotonicInstant) -> Duration? {
        guard let owed = owedUntil[connection] else { return nil }
        // May submit while it owes less than the burst minus one item.
        let allowance = UInt64(burst - 1) * itemCost
        guard owed > now.nanoseconds + allowance else { return nil }
        return .nanoseconds(Int64(owed - now.nanoseconds - allowance))
    }

    /// Charges `items` to `connection` at `now`.
    public mutating func charge(_ items: Int, to connection: SocketAddress, at now: MonotonicInstant) {
        guard items > 0 else { return }
        if owedUntil.count >= trackedConnections, owedUntil[connection] == nil {
            owedUntil = owedUntil.filter { $0.value > now.nanoseconds }
        }
        let start = max(owedUntil[connection] ?? 0, now.nanoseconds)
        owedUntil[connection] = start + UInt64(items) * itemCost
    }

    /// Connections whose debt is held.
    public var trackedConnectionCount: Int { owedUntil.count }
}

/// What ``HTTPAlertSink`` posts, when: a bounded queue of alert transitions, one request in
/// flight at a time, retries with exponential backoff, periodic re-posting of firing alerts, and a
/// draining close. A pure value — no I/O, no clock: every event method takes the time
/// (milliseconds on a monotonic clock), and ``next(now:)`` says what the edge should do.
///
/// - Bounded memory: at most ``Configuration/capacity`` queued transitions (the oldest is dropped
///   and counted when a new one arrives at a full queue, as Prometheus' notifier does) and at most
///   as many firing alerts remembered for resending.
/// - Retries: a 5xx, 408, 429 or transport failure retries the same batch after
///   `initialBackoff × 2^(attempt − 1)`, capped at ``Configuration/maximumBackoff``; other 4xx
///   answers reject the batch (resending the same bytes cannot succeed).
/// - Resending: Alertmanager resolves an alert whose `endsAt` passes, so firing alerts are posted
///   again every ``Configuration/resendInterval`` until a resolved transition arrives.
public struct AlertDeliveryMachine: Sendable {
    /// Limits and timings.
    public struct Configuration: Sendable, Hashable {
        /// The most transitions queued (and firing alerts remembered for resending).
        public var capacity: Int
        /// The most alerts in one request (Prometheus' notifier sends 64).
        public var batchSize: Int
        /// How often firing alerts are posted again (ms); nil never (webhook receivers want each
        /// transition once). Default one minute, Prometheus' resend delay.
        public var resendInterval: Int64?
        /// The first retry's wait (ms).
        public var initialBackoff: Int64
        /// The longest wait between retries (ms).
        public var maximumBackoff: Int64
        /// Attempts per batch before it is abandoned; 0 retries until delivered or closed.
        public var maximumAttempts: Int
        /// When set, a batch holds alerts of one group only (the values of these labels) — one
        /// webhook payload per aggregation group.
        public var groupBy: [String]?

        /// A configuration; the defaults suit an Alertmanager.
        public init(capacity: Int = 10_000, batchSize: Int = 64, resendInterval: Int64? = 60_000,
                    initialBackoff: Int64 = 500, maximumBackoff: Int64 = 30_000, maximumAttempts: Int = 0,
                    groupBy: [String]? = nil) {
            precondition(capacity > 0 && batchSize > 0, "capacity and batchSize must be positive")
            precondition(initialBackoff > 0 && maximumBackoff >= initialBackoff, "backoffs must be positive and ordered")
            self.capacity = capacity
            self.batchSize = batchSize
            self.resendInterval = resendInterval
            self.initialBackoff = initialBackoff
            self.maximumBackoff = maximumBackoff
            self.maximumAttempts = maximumAttempts
            self.groupBy = groupBy
        }
    }

    /// Alerts for one request.
    public struct Batch: Sendable, Hashable {
        /// The transitions, in queue order.
        public var alerts: [Alert]
        /// 1 for the first try.
        public var attempt: Int
    }

    /// How a request ended.
    public enum Outcome: Sendable, Hashable {
        /// 2xx.
        case delivered
        /// Worth retrying: 5xx, 408, 429, or no response at all.
        case retryable(reason: String)
        /// The receiver refused it for good (other 4xx).
        case rejected(reason: String)
    }

    /// What the edge does next.
    public enum Action: Sendable, Hashable {
        /// POST this batch, then report with ``completed(_:now:)``.
        case send(Batch)
        /// Call ``next(now:)`` again at this time (a retry or a resend is due).
        case wake(at: Int64)
        /// Nothing to do until more alerts arrive or the request in flight completes.
        case none
    }

    private enum Phase: Sendable, Hashable {
        case idle
        case sending(Batch)
        case backingOff(Batch, until: Int64)
    }

    /// The configuration.
    public let configuration: Configuration
    /// Counters so far.
    public private(set) var statistics = AlertDeliveryStatistics()
    private var queue: [Alert] = []
    private var head = 0
    private var phase = Phase.idle
    /// Firing alerts by Alertmanager fingerprint, for resending.
    private var active: [String: Alert] = [:]
    private var nextResend: Int64?
    private var wakeRequested = false
    /// Set by ``close()``: no more alerts, no resends, retries at the initial backoff.
    public private(set) var isClosed = false

    /// An empty machine.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Transitions waiting to be sent (the batch in flight or backing off excluded).
    public var queuedCount: Int { queue.count - head }
    /// Firing alerts remembered for resending.
    public var activeCount: Int { active.count }
    /// Nothing queued, nothing in flight.
    public var isDrained: Bool { phase == .idle && queuedCount == 0 }

    /// Queues `alerts`. Returns true when the edge must call ``next(now:)`` (nothing is in flight
    /// or scheduled that would); false otherwise, so a burst wakes the edge once.
    public mutating func enqueue(_ alerts: [Alert], now: Int64) -> Bool {
        guard !isClosed else {
            statistics.droppedAfterClose += alerts.count
            return false
        }
        for alert in alerts {
            remember(alert)
            append(alert)
            statistics.enqueued += 1
        }
        if nextResend == nil, let interval = configuration.resendInterval, !active.isEmpty {
            nextResend = now + interval
        }
        guard !alerts.isEmpty, phase == .idle, !wakeRequested else { return false }
        wakeRequested = true
        return true
    }

    /// What to do at `now`.
    public mutating func next(now: Int64) -> Action {
        wakeRequested = false
        switch phase {
        case .sending:
            return .none
        case let .backingOff(batch, until):
            guard now >= until else { return .wake(at: until) }
            phase = .sending(batch)
            statistics.requests += 1
            return .send(batch)
        case .idle:
            if let due = nextResend, now >= due, !isClosed { requeueFiring(now: now) }
            if let batch = takeBatch() {
                phase = .sending(batch)
                statistics.requests += 1
                return .send(batch)
            }
            if let due = nextResend, !isClosed { return .wake(at: due) }
            return .none
        }
    }

    /// The request for the batch in flight ended with `outcome`.
    public mutating func completed(_ outcome: Outcome, now: Int64) {
        guard case let .sending(batch) = phase else { return }
        switch outcome {
        case .delivered:
            statistics.delivered += batch.alerts.count
            phase = .idle
        case .rejected:
            statistics.rejected += batch.alerts.count
            phase = .idle
        case .retryable:
            statistics.failedAttempts += 1
            if configuration.maximumAttempts > 0, batch.attempt >= configuration.maximumAttempts {
                statistics.abandoned += batch.alerts.count
                phase = .idle
                return
            }
            let wait = isClosed ? configuration.initialBackoff : backoff(afterAttempt: batch.attempt)
            phase = .backingOff(Batch(alerts: batch.alerts, attempt: batch.attempt + 1), until: now + wait)
        }
    }

    /// Accepts no more alerts and stops resending; what is queued is still sent, retries wait
    /// only the initial backoff so a flush with a deadline gets as many tries as it can.
    public mutating func close() {
        isClosed = true
        nextResend = nil
    }

    /// The wait after failed attempt `attempt` (1-based): doubling from the initial backoff.
    public func backoff(afterAttempt attempt: Int) -> Int64 {
        let shift = min(max(attempt - 1, 0), 32)
        let (grown, overflow) = configuration.initialBackoff.multipliedReportingOverflow(by: Int64(1) << shift)
        return overflow ? configuration.maximumBackoff : min(grown, configuration.maximumBackoff)
    }

    /// Transitions not delivered: queued, in flight or backing off (for a close past its deadline).
    public var undeliveredCount: Int {
        switch phase {
        case .idle: queuedCount
        case let .sending(batch), let .backingOff(batch, _): queuedCount + batch.alerts.count
        }
    }

    // MARK: Queue

    private mutating func remember(_ alert: Alert) {
        let fingerprint = alert.fingerprintHex
        switch alert.status {
        case .firing:
            if active[fingerprint] != nil || active.count < configuration.capacity {
                active[fingerprint] = alert
            } else {
                statistics.untrackedFiring += 1
            }
        case .resolved:
            active.removeValue(forKey: fingerprint)
        }
    }

    private mutating func append(_ alert: Alert) {
        if queuedCount >= configuration.capacity {
            head += 1
            statistics.dropped += 1
        }
        queue.append(alert)
        if head > 1024, head * 2 > queue.count {
            queue.removeFirst(head)
            head = 0
        }
    }

    /// Queues every remembered firing alert again (oldest start first), as far as room allows.
    private mutating func requeueFiring(now: Int64) {
        let firing = active.values.sorted { ($0.startsAt, $0.fingerprintHex) < ($1.startsAt, $1.fingerprintHex) }
        for alert in firing where queuedCount < configuration.capacity {
            queue.append(alert)
            statistics.resent += 1
        }
        nextResend = active.isEmpty ? nil : configuration.resendInterval.map { now + $0 }
    }

    /// Up to `batchSize` queued alerts — of the first alert's group when grouping.
    private mutating func takeBatch() -> Batch? {
        guard head < queue.count else { return nil }
        guard let groupBy = configuration.groupBy else {
            let end = min(head + configuration.batchSize, queue.count)
            let alerts = Array(queue[head..<end])
            head = end
            compactIfEmpty()
            return Batch(alerts: alerts, attempt: 1)
        }
        let key = groupBy.map { queue[head].labelValue($0) }
        var taken: [Alert] = []
        var rest: [Alert] = []
        for alert in queue[head...] {
            if taken.count < configuration.batchSize, groupBy.map({ alert.labelValue($0) }) == key {
                taken.append(alert)
            } else {
                rest.append(alert)
            }
        }
        queue = rest
        head = 0
        return Batch(alerts: taken, attempt: 1)
    }

    private mutating func compactIfEmpty() {
        if head == queue.count {
            queue.removeAll(keepingCapacity: true)
            head = 0
        }
    }
}

/// What an alert sink did so far.
public struct AlertDeliveryStatistics: Sendable, Hashable {
    /// Transitions accepted into the queue.
    public var enqueued = 0
    /// Transitions dropped because the queue was full (oldest first).
    public var dropped = 0
    /// Transitions handed in after the sink closed.
    public var droppedAfterClose = 0
    /// Firing alerts not remembered for resending (too many active at once).
    public var untrackedFiring = 0
    /// Requests started (retries included).
    public var requests = 0
    /// Requests that failed in a retryable way.
    public var failedAttempts = 0
    /// Transitions delivered (2xx), resends included.
    public var delivered = 0
    /// Transitions the receiver refused (4xx).
    public var rejected = 0
    /// Transitions given up after the maximum attempts.
    public var abandoned = 0
    /// Firing alerts queued again by the resend timer.
    public var resent = 0

    /// All zero.
    public init() {}
}

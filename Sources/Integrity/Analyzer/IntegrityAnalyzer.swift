public import Transport

/// The integrity analyzer: the relay's `MetadataSink` and `AdmissionPolicy`, and the replay path
/// for event files — the same code on the live tap and on a file.
///
/// Every event passes the door (``Pseudonymizer``): the consumer's number becomes a pseudonym
/// under the current epoch's key and is never stored. The rest — per-business signals, policy,
/// admission — is a pure core driven by event time.
///
/// Not `Sendable`: it lives on the relay's event-loop thread (or the replaying thread).
public final class IntegrityAnalyzer: MetadataSink, AdmissionPolicy {
    /// The rules in force.
    public let rules: Rules
    /// The door.
    public let pseudonymizer: Pseudonymizer
    /// Businesses learned from the relay's business-kind envelopes (the tap's directory).
    public private(set) var directory: BusinessDirectory
    /// Counters of what came in and what was dropped.
    public internal(set) var statistics = AnalyzerStatistics()
    /// Watchers of every applied event (detectors); called in order on the analyzer's thread.
    public var observers: [any IntegrityObserver] = []
    // The pure core. Every event reaches it two or three times (the clock, the entry, the
    // apply), and each access to a class's stored `var` is checked for exclusivity at run time —
    // ~3 % of a grouped replay in `perf`. Not checked, soundly: the analyzer is confined to one
    // thread, and `IntegrityCore` is a value holding no reference back to the analyzer and
    // calling no closure of its users, so no access to it can begin while another is under way
    // (observers are called after `core.ingest` has returned).
    @exclusivity(unchecked) var core: IntegrityCore
    /// Events ``ingest(contentsOf:)-(ArraySlice<IntegrityEvent>)`` looks ahead at — loading what
    /// they will touch, together, before applying them (1…64, clamped; 1: no look-ahead).
    public var lookahead: Int {
        get { lookaheadDepth }
        set { lookaheadDepth = min(max(newValue, 1), IntegrityCore.lookaheadLimit) }
    }
    private var lookaheadDepth = 32
    /// The most events ``ingest(contentsOf:)-(ArraySlice<IntegrityEvent>)`` enters before applying
    /// them business by business (1…2^22, clamped; 1 applies them in arrival order; default
    /// 2^21: at 10⁷ events a day over 10⁵ businesses, ~5 hours of event time, ~20 events per
    /// business on average, each business's state read once for all of them; 3 of 3 alternated
    /// runs faster than 2^20, +8 % median, BENCHMARKS.md). The batch's buffers (52 bytes per
    /// event: the entered event packed in 32, its position, the sort's two pairs; 104 MiB at the
    /// default; 16 more per event for previous pseudonyms, touched only during a key's grace
    /// period) are allocated by the first large call and kept.
    public var grouping: Int {
        get { groupingLimit }
        set { groupingLimit = min(max(newValue, 1), 1 << 22) }
    }
    private var groupingLimit = 1 << 21
    let groupingBuffers = GroupingBuffers()
    /// What the look-ahead loaded, mixed (kept so that its loads are not optimized away).
    var lookaheadMix: UInt64 = 0

    /// An analyzer with `rules`, pseudonymizing through `pseudonymizer` (default: ephemeral keys
    /// from the OS), knowing `businesses` in advance for the relay's tap.
    public init(rules: Rules = Rules(), pseudonymizer: Pseudonymizer? = nil, businesses: some Sequence<PhoneNumber> = []) throws(RulesError) {
        try rules.validate()
        self.rules = rules
        if let pseudonymizer {
            self.pseudonymizer = pseudonymizer
        } else {
            self.pseudonymizer = Pseudonymizer.ephemeral(schedule: try rules.keySchedule())
        }
        directory = BusinessDirectory(businesses)
        core = IntegrityCore(rules: rules)
    }

    /// The latest event time seen, or nil before the first event.
    public var now: Int64? { core.now == .min ? nil : core.now }

    /// Active (non-dormant) businesses.
    public var activeBusinessCount: Int { core.activeBusinessCount }

    /// Applies one event (the replay path, and where converted tap events land). Returns what was
    /// made of it, or nil when it was dropped (time out of range, key destroyed, key store failure;
    /// counted in ``statistics``).
    @discardableResult
    public func ingest(_ event: IntegrityEvent) -> EventOutcome? {
        guard let pseudonymized = pseudonymize(event) else { return nil }
        return apply(pseudonymized)
    }

    /// The event after the door, or nil when it is dropped (counted in ``statistics``).
    @inline(__always)
    func pseudonymize(_ event: IntegrityEvent) -> PseudonymizedEvent? {
        guard IntegrityEvent.timeRange.contains(event.time) else {
            statistics.outOfRange += 1
            return nil
        }
        let pair: PseudonymPair
        do {
            pair = try pseudonymizer.pseudonyms(for: event.user, at: event.time)
        } catch {
            count(error)
            return nil
        }
        return PseudonymizedEvent(time: event.time, business: event.business, user: pair, kind: event.kind)
    }

    /// Applies an event that passed the door, and tells the observers.
    @inline(__always)
    func apply(_ pseudonymized: PseudonymizedEvent) -> EventOutcome {
        let outcome = core.ingest(pseudonymized)
        statistics.events += 1
        if !observers.isEmpty, let counters = core.liveCounters(for: pseudonymized.business) {
            for observer in observers { observer.observe(pseudonymized, outcome: outcome, counters: counters) }
        }
        return outcome
    }

    /// `MetadataSink`: converts the relay's event to the schema (learning businesses from
    /// business-kind envelopes) and applies it, as many times as a receipt acknowledges.
    public func record(_ event: MetadataEvent) {
        guard let (converted, count) = IntegrityEvent.converting(event, directory: &directory) else {
            statistics.withoutEvent += 1
            return
        }
        for _ in 0..<count { ingest(converted) }
    }

    /// `AdmissionPolicy`: the refusal's Meta code leads the deny text (``AdmissionRefusal``).
    public func admit(sender: PhoneNumber, recipient: PhoneNumber, category: MessageCategory, time: Int64) -> AdmissionDecision {
        admission(sender: sender, recipient: recipient, category: category, time: time)?.decision ?? .allow
    }

    /// The typed admission decision: nil to admit (rate-limit tokens are then taken), else why
    /// not. The sender becomes a known business.
    ///
    /// `rateTime` (default: `time`) is the clock the per-second limits — pair rate and throughput
    /// — run on, in milliseconds; their retry-after waits are in its unit. When event time is
    /// warped (``TimeWarp``), pass wall time there: the windows, tiers and timers then follow
    /// event time while a business still sends at most so many messages per real second.
    public func admission(
        sender: PhoneNumber, recipient: PhoneNumber, category: MessageCategory, time: Int64, rateTime: Int64? = nil
    ) -> AdmissionRefusal? {
        directory.insert(sender)
        guard IntegrityEvent.timeRange.contains(time) else { return nil }
        let pair: PseudonymPair
        do {
            pair = try pseudonymizer.pseudonyms(for: recipient, at: time)
        } catch {
            count(error)
            return nil
        }
        statistics.admissions += 1
        let refusal = core.admit(business: sender, recipient: pair, category: category, time: time, rateTime: rateTime)
        if refusal != nil { statistics.refusals += 1 }
        return refusal
    }

    /// Moves event time to `time` with no event: evicts idle businesses, fires due policy timers,
    /// and lets every observer catch up (open alerts of silent businesses may resolve).
    public func advance(to time: Int64) {
        core.advance(to: time)
        for observer in observers { observer.advance(to: max(time, core.now)) }
    }

    /// The signals of `business` at `time` (default: the latest event time), or nil if unknown.
    public func signals(for business: PhoneNumber, at time: Int64? = nil) -> BusinessSignals? {
        core.signals(for: business, at: time ?? max(core.now, 0))
    }

    /// Every active business with its business-initiated users of the last 24 hours (as of its
    /// latest event): O(1) per business, unlike ``snapshot(at:)``, which scans every table — for
    /// choosing which few businesses to look at closely (the dashboard's charts).
    public func initiatedVolumes() -> [(business: PhoneNumber, users: Double)] { core.initiatedVolumes() }

    /// The signals of every business, sorted by number, at `time` (default: the latest event time).
    public func snapshot(at time: Int64? = nil) -> [BusinessSignals] {
        core.snapshot(at: time ?? max(core.now, 0))
    }

    /// O(1) figures of `business` after its latest event.
    public func liveCounters(for business: PhoneNumber) -> LiveCounters? { core.liveCounters(for: business) }

    /// The policy state of `business` (nil if never seen).
    public func policy(of business: PhoneNumber) -> NumberPolicy? { core.policy(of: business) }

    /// Imposes a policy block (368) on `business` until `until` — for detectors and operators.
    public func block(_ business: PhoneNumber, until: Int64, at time: Int64) {
        core.block(business, until: until, at: time)
    }

    /// The policy changes since the last call, in order (for webhooks).
    public func drainPolicyChanges() -> [PolicyChange] {
        defer { core.changes.removeAll(keepingCapacity: true) }
        return core.changes
    }

    /// Bytes held for `business` (nil if not active).
    public func memoryFootprint(of business: PhoneNumber) -> Int? { core.memoryFootprint(of: business) }

    private func count(_ error: PseudonymKeyError) {
        if case .keyDestroyed = error {
            statistics.tooOld += 1
        } else {
            statistics.keyFailures += 1
            statistics.lastKeyError = error
        }
    }
}

/// Watches every event the analyzer applies — the hook detectors plug into.
public protocol IntegrityObserver: AnyObject {
    /// One applied event, what the analyzer made of it, and the business's O(1) figures after it.
    func observe(_ event: PseudonymizedEvent, outcome: EventOutcome, counters: LiveCounters)
    /// Event time moved to `time` with no event (``IntegrityAnalyzer/advance(to:)``).
    func advance(to time: Int64)
}

extension IntegrityObserver {
    /// Observers without timers ignore time passing.
    public func advance(to time: Int64) {}
}

/// What the analyzer took in and what it dropped.
public struct AnalyzerStatistics: Sendable, Hashable {
    /// Events applied.
    public var events = 0
    /// Events with a time outside ``IntegrityEvent/timeRange``.
    public var outOfRange = 0
    /// Events older than every pseudonym key still held (their epoch's key was destroyed).
    public var tooOld = 0
    /// Events dropped because the key store or the random source failed.
    public var keyFailures = 0
    /// The latest such failure.
    public var lastKeyError: PseudonymKeyError?
    /// Relay events the schema has no event for (consumer-to-consumer, control).
    public var withoutEvent = 0
    /// Admission questions answered.
    public var admissions = 0
    /// Refusals among them.
    public var refusals = 0

    /// Empty counters.
    public init() {}
}

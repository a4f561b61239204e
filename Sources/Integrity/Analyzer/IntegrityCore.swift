import Stats
import Transport

/// The analyzer's pure core: per-business state keyed by number, the global count of active
/// users, housekeeping on event time, and the stream of policy changes. A value with no I/O and
/// no clock — the ``IntegrityAnalyzer`` shell pseudonymizes and feeds it.
struct IntegrityCore {
    let parameters: SignalParameters
    /// Active businesses, densely stored; `index` maps a number to its position.
    var businesses = BusinessStates()
    var index = BusinessIndex()
    /// Businesses idle past the eviction period: only their policy state and totals remain.
    var dormant: [PhoneNumber: DormantBusiness] = [:]
    /// Distinct users seen anywhere over the last 24 hours (24 hourly HLL sketches, lgK 14).
    var activeUsers: SlidingDistinctCounter
    /// Policy changes not yet drained.
    var changes: [PolicyChange] = []
    /// The latest event time seen.
    var now: Int64 = .min
    var nextSweep: Int64 = .min
    /// Counters.
    var evictions = 0

    /// What is left of an evicted business.
    struct DormantBusiness {
        var policy: NumberPolicy
        var totals: BusinessTotals
        var firstSeen: Int64
        var lastSeen: Int64
    }

    init(rules: Rules) {
        parameters = SignalParameters(rules: rules)
        // 24 buckets of one hour at lgK 14 are valid arguments.
        guard let counter = try? SlidingDistinctCounter(bucketCount: 24, bucketMilliseconds: 3_600_000, lgK: 14) else {
            preconditionFailure("the active-user window's configuration is valid")
        }
        activeUsers = counter
    }

    /// Number of active (non-dormant) businesses.
    var activeBusinessCount: Int { businesses.count }

    /// Applies one event.
    @inline(__always)
    mutating func ingest(_ event: PseudonymizedEvent) -> EventOutcome {
        if moveClock(to: event.time) { sweep() }
        let position = enter(event)
        return businesses[position].apply(event, parameters: parameters, changes: &changes)
    }

    /// The first step of applying an event: moves the core's clock to `time`; true when the daily
    /// housekeeping (``sweep()``) is due before the event is entered.
    @inline(__always)
    mutating func moveClock(to time: Int64) -> Bool {
        if time > now { now = time }
        return now >= nextSweep
    }

    /// The second step: everything an event changes outside its business's state — the count of
    /// active users, and the business's position (its state created or woken here). What is
    /// left is `businesses[position].apply`, which touches that one state and `changes` only.
    @inline(__always)
    mutating func enter(_ event: PseudonymizedEvent) -> Int {
        let (h1, h2) = event.user.current.sketchHash
        activeUsers.update(hash: MurmurHash3.Hash128(h1: h1, h2: h2), at: event.time)
        return position(of: event.business, at: event.time)
    }

    /// The admission decision for a message from `business` to the user of `pair` at `time`, its
    /// rate limits measured at `rateTime` (nil: at `time`).
    mutating func admit(
        business: PhoneNumber, recipient pair: PseudonymPair, category: MessageCategory, time: Int64, rateTime: Int64?
    ) -> AdmissionRefusal? {
        let position = position(of: business, at: time)
        return businesses[position].admit(pair, category: category, time: time, rateTime: rateTime, parameters: parameters, changes: &changes)
    }

    /// The position of `business`, creating (or waking) its state.
    @inline(__always)
    mutating func position(of business: PhoneNumber, at time: Int64) -> Int {
        if let position = index[business] { return position }
        var policy = NumberPolicy(tier: parameters.rules.limits.initialTier)
        var state: BusinessState
        if let sleeping = dormant.removeValue(forKey: business) {
            policy = sleeping.policy
            state = BusinessState(business: business, policy: policy, time: time, parameters: parameters)
            state.totals = sleeping.totals
            state.firstSeen = sleeping.firstSeen
        } else {
            state = BusinessState(business: business, policy: policy, time: time, parameters: parameters)
        }
        businesses.append(state)
        index.set(business, to: businesses.count - 1)
        return businesses.count - 1
    }

    /// Moves the core's clock to `time` and runs the housekeeping now: evicts idle businesses,
    /// runs due policy timers.
    mutating func advance(to time: Int64) {
        if time > now { now = time }
        sweep()
    }

    /// Daily housekeeping on event time: evicts idle businesses (which moves other businesses'
    /// positions), runs due policy timers of silent ones (a business with traffic runs its own
    /// on its next event).
    mutating func sweep() {
        nextSweep = now + 86_400_000
        var position = 0
        while position < businesses.count {
            if now - businesses[position].lastSeen >= parameters.idleEviction {
                evict(at: position)
                continue
            }
            if businesses[position].policy.hasPendingTimer, now >= businesses[position].nextEvaluation {
                businesses[position].evaluatePolicy(at: now, parameters: parameters, rescore: true, changes: &changes)
            }
            position += 1
        }
    }

    /// Replaces the business at `position` by the last one.
    private mutating func evict(at position: Int) {
        let state = businesses[position]
        dormant[state.business] = DormantBusiness(policy: state.policy, totals: state.totals,
                                                  firstSeen: state.firstSeen, lastSeen: state.lastSeen)
        index.remove(state.business)
        let last = businesses.count - 1
        if position != last {
            businesses.swapAt(position, last)
            index.set(businesses[position].business, to: position)
        }
        businesses.removeLast()
        evictions += 1
    }

    /// The signals of `business` at `time` (after evaluating its policy there), or nil if never seen.
    mutating func signals(for business: PhoneNumber, at time: Int64) -> BusinessSignals? {
        let active = activeUsers.estimate(at: time)
        if let position = index[business] {
            businesses[position].evaluatePolicy(at: max(time, businesses[position].lastSeen), parameters: parameters,
                                                rescore: true, changes: &changes)
            return businesses[position].signals(at: time, activeUsers: active, parameters: parameters)
        }
        guard let sleeping = dormant[business] else { return nil }
        return dormantSignals(business, sleeping, at: time, activeUsers: active)
    }

    /// Every active business with its business-initiated users of the last 24 hours as of its
    /// latest event — O(1) each, no table scan: a ranking key for choosing a few businesses.
    func initiatedVolumes() -> [(business: PhoneNumber, users: Double)] {
        businesses.map { ($0.business, $0.businessInitiated24h) }
    }

    /// The signals of every business (active and dormant) at `time`, sorted by number.
    mutating func snapshot(at time: Int64) -> [BusinessSignals] {
        let active = activeUsers.estimate(at: time)
        var result: [BusinessSignals] = []
        result.reserveCapacity(businesses.count + dormant.count)
        for position in businesses.indices {
            businesses[position].evaluatePolicy(at: max(time, businesses[position].lastSeen), parameters: parameters,
                                                rescore: true, changes: &changes)
            result.append(businesses[position].signals(at: time, activeUsers: active, parameters: parameters))
        }
        for (business, sleeping) in dormant {
            result.append(dormantSignals(business, sleeping, at: time, activeUsers: active))
        }
        result.sort { $0.business.digits < $1.business.digits }
        return result
    }

    /// Quick per-event figures of one business (O(1)), for detectors. `mutating` only so that the
    /// analyzer reaches the core in place: the fields are read through the array, never by copying
    /// the business's state (a copy retains and releases its tables on every event).
    mutating func liveCounters(for business: PhoneNumber) -> LiveCounters? {
        guard let position = index[business] else { return nil }
        let time = businesses[position].lastSeen
        let tier = businesses[position].policy.tier
        return LiveCounters(
            time: time, firstSeen: businesses[position].firstSeen, tier: tier,
            messagingLimitUsers: parameters.rules.limit(of: tier),
            qualityRating: businesses[position].policy.rating, status: businesses[position].policy.status,
            businessInitiated24h: businesses[position].businessInitiated24h, burst15s: businesses[position].burst.total,
            messagesSent: businesses[position].totals.messagesSent, countedBlocks: businesses[position].totals.countedBlocks,
            countedReports: businesses[position].totals.countedReports, unprovenFeedback: businesses[position].totals.unprovenFeedback
        )
    }

    /// Memory of one business's state, or nil.
    func memoryFootprint(of business: PhoneNumber) -> Int? {
        index[business].map { businesses[$0].memoryFootprint }
    }

    private func dormantSignals(_ business: PhoneNumber, _ sleeping: DormantBusiness, at time: Int64, activeUsers: Double) -> BusinessSignals {
        let rules = parameters.rules
        let policy = sleeping.policy
        let totals = sleeping.totals
        return BusinessSignals(
            business: business, time: max(time, sleeping.lastSeen), qualityRating: policy.rating, status: policy.status,
            messagingLimit: policy.tier, messagingLimitUsers: rules.limit(of: policy.tier),
            throughputPerSecond: policy.throughputUpgraded ? rules.admission.upgradedThroughputPerSecond : rules.admission.throughputPerSecond,
            qualityScore: nil, flaggedSince: policy.flaggedSince, spamRestrictedUntil: policy.spamRestrictedUntil,
            policyBlockedUntil: policy.policyBlockedUntil, sendRate1m: 0, sendRate1h: 0, burst15s: 0, peakBurst15s24h: 0,
            uniqueRecipients24h: 0, businessInitiated24h: 0, peakBusinessInitiated7d: 0, coldRecipients24h: 0,
            coldRecipientShare: 0, recentWriters24h: 0, activeUsers24h: activeUsers, reach24h: 0, deliveredRate24h: 0,
            readRate24h: 0, replyRate24h: 0, deliveredUsers7d: 0, blockRate7d: 0, reportRate7d: 0, blockReasons: [:],
            reportReasons: [:], unprovenBlocks7d: 0, unprovenReports7d: 0, messagesSent: totals.messagesSent,
            messagesReceived: totals.messagesReceived, delivered: totals.delivered, read: totals.read, blocks: totals.blocks,
            reports: totals.reports, countedBlocks: totals.countedBlocks, countedReports: totals.countedReports,
            serviceOutsideWindow: totals.serviceOutsideWindow,
            refusals: [368: totals.refusedPolicyBlock, 131048: totals.refusedSpamOrLimit,
                       131056: totals.refusedPairRate, 130429: totals.refusedThroughput],
            samplingLevel24h: 0, samplingLevel7d: 0, writerFilterFill: 0, memoryBytes: 0,
            firstSeen: sleeping.firstSeen, lastSeen: sleeping.lastSeen, dormant: true
        )
    }
}

/// O(1) figures of one business after its latest event, for detectors that run per event. Only
/// stored counters: the decayed send rates (an `exp` each) are left to ``BusinessSignals``, which
/// nothing per event needs.
public struct LiveCounters: Sendable, Hashable {
    /// The business's latest event time.
    public var time: Int64
    /// Its first event time (the closest Vigil has to "registered N minutes ago").
    public var firstSeen: Int64
    /// Messaging-limit tier.
    public var tier: MessagingTier
    /// The tier's limit (nil: unlimited).
    public var messagingLimitUsers: Int?
    /// Quality rating.
    public var qualityRating: QualityRating
    /// Number status.
    public var status: NumberStatus
    /// Business-initiated users in the last 24 hours (estimate).
    public var businessInitiated24h: Double
    /// Business-to-user messages in the last 15 seconds.
    public var burst15s: Int
    /// Business-to-user messages, lifetime.
    public var messagesSent: Int
    /// Counted blocks, lifetime.
    public var countedBlocks: Int
    /// Counted reports, lifetime.
    public var countedReports: Int
    /// Blocks and reports ignored for lack of proof of contact.
    public var unprovenFeedback: Int
}

extension IntegrityCore {
    /// The policy state of `business`, active or dormant.
    func policy(of business: PhoneNumber) -> NumberPolicy? {
        if let position = index[business] { return businesses[position].policy }
        return dormant[business]?.policy
    }

    /// Imposes a policy block on `business` (creating or waking its state).
    mutating func block(_ business: PhoneNumber, until: Int64, at time: Int64) {
        let position = position(of: business, at: time)
        for kind in businesses[position].policy.block(until: until, at: time) {
            changes.append(PolicyChange(time: time, business: business, kind: kind))
        }
    }
}

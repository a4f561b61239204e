import Stats
import Transport

/// The detectors' pure core: per-business ``BusinessDetection`` states (densely stored, looked
/// up through a ``BusinessIndex``), the platform's population estimate, and the sweeps that let
/// open alerts resolve on businesses that fell silent. A value with no I/O and no clock; it
/// returns alert transitions and the ``AlertEngine`` shell hands them to sinks.
struct DetectionCore {
    let parameters: DetectionParameters
    private var index = BusinessIndex()
    private(set) var businesses: [BusinessDetection] = []
    /// Positions of businesses with an open (pending or firing) alert, evaluated on every sweep.
    private var watched: [Int] = []
    /// Distinct users in message events over 24 hours (8 buckets of 3 hours, lgK 12: 32 KiB),
    /// fed one user in ``populationSampling`` chosen by pseudonym (a hash-sampled subset: its
    /// distinct count times the rate estimates the whole at a fraction of the per-event cost).
    private var population: SlidingDistinctCounter
    private(set) var populationEstimate = 0.0
    private var nextPopulationRefresh: Int64 = .min
    private var nextSweep: Int64 = .min
    private var nextEviction: Int64 = .min
    private let idleEviction: Int64
    /// The latest event time seen.
    private(set) var now: Int64 = .min

    /// How often open alerts of silent businesses are re-evaluated, and the population refreshed.
    static let sweepInterval: Int64 = 60_000
    static let populationInterval: Int64 = 3_600_000
    /// Users whose pseudonym's sampling rank is at least this feed the population sketch (1 in 8).
    static let populationSamplingRank = 3
    static let populationSampling = 8.0

    init(rules: Rules) {
        parameters = DetectionParameters(rules: rules)
        idleEviction = Int64(rules.analyzer.idleEvictionDays * 86_400_000)
        // 8 buckets of 3 hours at lgK 12 are valid arguments.
        guard let counter = try? SlidingDistinctCounter(bucketCount: 8, bucketMilliseconds: 10_800_000, lgK: 12) else {
            preconditionFailure("the population window's configuration is valid")
        }
        population = counter
    }

    /// Businesses with state.
    var businessCount: Int { businesses.count }

    /// The state of `business`, if any.
    func state(of business: PhoneNumber) -> BusinessDetection? { index[business].map { businesses[$0] } }

    /// Folds one applied event in; evaluates its business when due, sweeps when due.
    @inline(__always)
    mutating func observe(_ event: PseudonymizedEvent, outcome: EventOutcome, counters: LiveCounters, into alerts: inout [Alert]) {
        let time = event.time
        if time > now { now = time }
        let mayBreach: Bool
        switch event.kind {
        case .message(.businessToUser, _, _):
            mayBreach = true
            countInPopulation(event.user, at: time)
        case .message(.userToBusiness, _, _):
            mayBreach = false
            countInPopulation(event.user, at: time)
        case .block, .report:
            mayBreach = true
        case .delivered, .read:
            mayBreach = false
        }
        if now >= nextPopulationRefresh { refreshPopulation() }
        let position = position(of: event.business, firstSeen: counters.firstSeen)
        businesses[position].record(event, outcome: outcome, counters: counters, parameters: parameters)
        // Only business messages, blocks and reports can push a quiet business over a threshold
        // (deliveries only lower the feedback rate); a business with an open alert is evaluated on
        // any event, so that it can resolve.
        if time >= businesses[position].nextEvaluation && (mayBreach || businesses[position].watched) {
            evaluate(position, at: time, into: &alerts)
        }
        if now >= nextSweep { sweep(into: &alerts) }
    }

    /// Moves to `time` with no event: evaluates there every business with an open alert or with
    /// events since its latest evaluation (O(businesses): for the end of a stream and timers, not
    /// per event), and evicts idle state when due.
    mutating func advance(to time: Int64, into alerts: inout [Alert]) {
        if time > now { now = time }
        if now >= nextPopulationRefresh { refreshPopulation() }
        for position in businesses.indices where !businesses[position].watched && businesses[position].hasUnevaluatedEvents {
            evaluate(position, at: max(now, businesses[position].lastSeen), into: &alerts)
        }
        sweep(into: &alerts)
    }

    /// Resolves every firing alert at `time`, whatever its condition.
    mutating func resolveAll(at time: Int64, into alerts: inout [Alert]) {
        for position in watched {
            businesses[position].resolveAll(at: time, into: &alerts)
            businesses[position].watched = false
        }
        watched.removeAll()
    }

    private mutating func refreshPopulation() {
        populationEstimate = population.estimate(at: now) * Self.populationSampling
        nextPopulationRefresh = now + Self.populationInterval
    }

    @inline(__always)
    private mutating func countInPopulation(_ user: PseudonymPair, at time: Int64) {
        guard user.current.samplingRank >= Self.populationSamplingRank else { return }
        let (h1, h2) = user.current.sketchHash
        population.update(hash: MurmurHash3.Hash128(h1: h1, h2: h2), at: time)
    }

    @inline(__always)
    private mutating func position(of business: PhoneNumber, firstSeen: Int64) -> Int {
        if let position = index[business] { return position }
        businesses.append(BusinessDetection(business: business, firstSeen: firstSeen))
        index.set(business, to: businesses.count - 1)
        return businesses.count - 1
    }

    private mutating func evaluate(_ position: Int, at time: Int64, into alerts: inout [Alert]) {
        businesses[position].evaluate(at: time, population: populationEstimate, parameters: parameters, into: &alerts)
        if !businesses[position].watched && businesses[position].hasOpenAlerts {
            businesses[position].watched = true
            watched.append(position)
        }
    }

    /// Evaluates the watched businesses at `now`, forgets those with nothing open; once a day of
    /// event time, evicts businesses idle past the analyzer's eviction period.
    private mutating func sweep(into alerts: inout [Alert]) {
        nextSweep = now + Self.sweepInterval
        var kept = 0
        for position in watched {
            businesses[position].evaluate(at: max(now, businesses[position].lastSeen), population: populationEstimate,
                                          parameters: parameters, into: &alerts)
            if businesses[position].hasOpenAlerts {
                watched[kept] = position
                kept += 1
            } else {
                businesses[position].watched = false
            }
        }
        watched.removeLast(watched.count - kept)
        if now >= nextEviction { evictIdle() }
    }

    /// Drops the state of businesses silent for the eviction period with no open alert.
    private mutating func evictIdle() {
        nextEviction = now + 86_400_000
        var position = 0
        var evicted = false
        while position < businesses.count {
            let state = businesses[position]
            guard now - state.lastSeen >= idleEviction, !state.watched else {
                position += 1
                continue
            }
            index.remove(state.business)
            let last = businesses.count - 1
            if position != last {
                businesses.swapAt(position, last)
                index.set(businesses[position].business, to: position)
            }
            businesses.removeLast()
            evicted = true
        }
        if evicted {
            watched = businesses.indices.filter { businesses[$0].watched }
        }
    }
}

public import Transport

/// A bounded time series per business for the dashboard: a ring of ``SignalSample``s for each of
/// at most ``maximumBusinesses`` businesses.
///
/// **Memory bound**: `maximumBusinesses × samplesPerBusiness × MemoryLayout<SignalSample>.stride`
/// bytes of samples (``sampleBytesBound``; 24 × 240 × 64 B = 360 KiB at the defaults) plus one
/// dictionary entry per tracked business — whatever the number of businesses the analyzer knows.
///
/// **Which businesses**: at every ``record(_:at:alerting:)`` the tracked set is chosen afresh
/// among the snapshot's businesses — those with an active alert first, then the ones that messaged
/// the most users in the last 24 hours (``BusinessSignals/uniqueRecipients24h``). A 24-hour volume
/// rather than the 1-hour send rate: rates fall to nothing every night in each business's time
/// zone, so ranking by rate swaps the set, and loses its histories, twice a day; a blaster still
/// enters within minutes. A tracked business counts its volume 1.5 times in that ranking
/// (hysteresis), so businesses of similar volume do not trade places at every sample, and a tie
/// keeps the tracked one. A business that leaves the set loses its samples; one that enters starts
/// with none.
///
/// A value type with no clock: the caller samples (the serve loop on a timer, a replay every so
/// many minutes of event time).
public struct SignalHistory: Sendable {
    /// Samples kept per business (the oldest are overwritten).
    public let samplesPerBusiness: Int
    /// Businesses tracked at most.
    public let maximumBusinesses: Int
    private var rings: [PhoneNumber: RingBuffer<SignalSample>] = [:]
    /// The latest sampling moment, or nil before the first.
    public private(set) var latestTime: Int64?

    /// An empty history: `samplesPerBusiness` (≥ 2) samples for each of at most
    /// `maximumBusinesses` (≥ 1) businesses.
    public init(samplesPerBusiness: Int = 240, maximumBusinesses: Int = 24) {
        precondition(samplesPerBusiness >= 2 && maximumBusinesses >= 1, "a history needs two samples and one business")
        self.samplesPerBusiness = samplesPerBusiness
        self.maximumBusinesses = maximumBusinesses
    }

    /// The most bytes the samples can take (see the type's memory bound).
    public var sampleBytesBound: Int { maximumBusinesses * samplesPerBusiness * MemoryLayout<SignalSample>.stride }

    /// The tracked businesses, by number.
    public var businesses: [PhoneNumber] { rings.keys.sorted { $0.digits < $1.digits } }

    /// The samples of `business`, oldest first (empty if it is not tracked).
    public func samples(for business: PhoneNumber) -> [SignalSample] { rings[business]?.elements ?? [] }

    /// The newest sample of `business`.
    public func latest(for business: PhoneNumber) -> SignalSample? { rings[business]?.last }

    /// Samples `signals` (one snapshot of the analyzer) at `time`, tracking the businesses in
    /// `alerting` first, then the largest senders (see the type's notes). Returns false, recording
    /// nothing, unless `time` is later than ``latestTime``. O(n log n) in the snapshot's size.
    @discardableResult
    public mutating func record(_ signals: [BusinessSignals], at time: Int64, alerting: Set<PhoneNumber> = []) -> Bool {
        if let latestTime, time <= latestTime { return false }
        latestTime = time
        let chosen = choose(from: signals, alerting: alerting)
        let chosenNumbers = Set(chosen.map(\.business))
        for business in rings.keys where !chosenNumbers.contains(business) { rings[business] = nil }
        for business in chosen {
            rings[business.business, default: RingBuffer(capacity: samplesPerBusiness)].append(SignalSample(business, at: time))
        }
        return true
    }

    /// How much more a newcomer must have sent to displace a tracked business.
    static let hysteresis = 1.5

    /// The at most ``maximumBusinesses`` businesses to track among `signals`.
    private func choose(from signals: [BusinessSignals], alerting: Set<PhoneNumber>) -> [BusinessSignals] {
        guard signals.count > maximumBusinesses else { return signals }
        let volumes = signals.map { ($0.business, $0.uniqueRecipients24h) }
        let chosen = Set(choose(volumes: volumes, alerting: alerting))
        return signals.filter { chosen.contains($0.business) }
    }

    /// The at most ``maximumBusinesses`` businesses to track, from each candidate's volume (any
    /// measure of its size, e.g. users reached in 24 hours): those in `alerting` first, then the
    /// largest — a tracked business counting ``hysteresis`` times its volume, so that the charts
    /// do not flap between businesses of similar size. Lets a caller rank on figures cheaper than
    /// full signals and compute those only for the chosen few.
    public func choose(volumes: [(business: PhoneNumber, users: Double)], alerting: Set<PhoneNumber>) -> [PhoneNumber] {
        guard volumes.count > maximumBusinesses else { return volumes.map(\.business) }
        struct Rank {
            let alerting: Bool
            let volume: Double
            let tracked: Bool
            let digits: UInt64
            /// Whether `self` goes before `other`: alerting first, then the larger volume, then the
            /// tracked one, then the lower number (a total order, so the choice is deterministic).
            func precedes(_ other: Rank) -> Bool {
                if alerting != other.alerting { return alerting }
                if volume != other.volume { return volume > other.volume }
                if tracked != other.tracked { return tracked }
                return digits < other.digits
            }
        }
        let ranked = volumes.map { business, users -> (Rank, PhoneNumber) in
            let volume = users.isFinite ? max(users, 0) : 0
            let tracked = rings[business] != nil
            let rank = Rank(alerting: alerting.contains(business), volume: tracked ? Self.hysteresis * volume : volume,
                            tracked: tracked, digits: business.digits)
            return (rank, business)
        }
        return ranked.sorted { $0.0.precedes($1.0) }.prefix(maximumBusinesses).map(\.1)
    }
}

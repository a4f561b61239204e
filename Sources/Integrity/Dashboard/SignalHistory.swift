public import Transport

/// A bounded time series per business for the dashboard: a ring of ``SignalSample``s for each of
/// at most ``maximumBusinesses`` businesses.
///
/// **Memory bound**: `maximumBusinesses × samplesPerBusiness × MemoryLayout<SignalSample>.stride`
/// bytes of samples (``sampleBytesBound``; 24 × 240 × 64 B = 360 KiB at the defaults) plus one
/// dictionary entry per tracked business — whatever the number of businesses the analyzer knows.
///
/// **Which businesses**: at every ``record(_:at:alerting:)`` the tracked set is chosen afresh
/// among the snapshot's businesses — those with an active alert first, then by 1-hour send rate.
/// A tracked business counts its rate twice in that ranking (hysteresis), so two businesses of
/// similar rates do not trade places, and their histories, at every sample. A business that leaves
/// the set loses its samples; one that enters starts with none.
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
    /// `alerting` first, then the fastest senders. Returns false, recording nothing, unless `time`
    /// is later than ``latestTime``.
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

    /// The at most ``maximumBusinesses`` businesses to track among `signals`.
    private func choose(from signals: [BusinessSignals], alerting: Set<PhoneNumber>) -> [BusinessSignals] {
        guard signals.count > maximumBusinesses else { return signals }
        struct Rank {
            let alerting: Bool
            let rate: Double
            let digits: UInt64
            /// Whether `self` goes before `other`: alerting first, then the higher rate, then the
            /// lower number (a total order, so the choice is deterministic).
            func precedes(_ other: Rank) -> Bool {
                if alerting != other.alerting { return alerting }
                if rate != other.rate { return rate > other.rate }
                return digits < other.digits
            }
        }
        let ranked = signals.map { signals -> (Rank, BusinessSignals) in
            let rate = signals.sendRate1h.isFinite ? max(signals.sendRate1h, 0) : 0
            let rank = Rank(alerting: alerting.contains(signals.business),
                            rate: rings[signals.business] == nil ? rate : 2 * rate, digits: signals.business.digits)
            return (rank, signals)
        }
        return ranked.sorted { $0.0.precedes($1.0) }.prefix(maximumBusinesses).map(\.1)
    }
}

public import Transport

/// The keys held at one moment and what the schedule wants done with them — a pure state machine
/// on event time: ``plan(at:)`` returns the keys to create and destroy, the shell
/// (``Pseudonymizer``) performs them against the store and the random source and reports back
/// with ``install(_:)`` and ``remove(epoch:)``.
public struct PseudonymKeyRing: Sendable {
    /// The rotation schedule.
    public let schedule: KeySchedule
    /// The keys held, by epoch (at most the current and the previous one).
    public private(set) var keys: [Int64: PseudonymKey] = [:]
    /// The latest event time seen; time never moves the ring backwards.
    public private(set) var now: Int64 = .min

    /// Fast path: the span of time for which `cachedCurrent` / `cachedPrevious` are the right keys.
    private var cachedSpan: Range<Int64> = 0..<0
    private var cachedCurrent: PseudonymKey?
    private var cachedPrevious: PseudonymKey?

    /// What the shell must do.
    public enum Action: Sendable, Hashable {
        /// Create, persist and ``install(_:)`` a fresh key for this epoch.
        case create(epoch: Int64)
        /// Destroy this epoch's key in the store, then ``remove(epoch:)`` it.
        case destroy(epoch: Int64)
    }

    /// A ring holding `keys` (loaded from the store).
    public init(schedule: KeySchedule, keys: [PseudonymKey] = []) {
        self.schedule = schedule
        for key in keys { self.keys[key.epoch] = key }
    }

    /// The actions that make the ring right for `time`: a key for the current epoch, and no key
    /// older than the schedule allows (epochs before the previous one, and the previous one once
    /// its grace is over). Keys of later epochs are left alone (time does not run backwards).
    public func plan(at time: Int64) -> [Action] {
        let effective = max(time, now)
        let live = schedule.liveEpochs(at: effective)
        var actions: [Action] = keys.keys.filter { $0 < live.lowerBound }.sorted().map { .destroy(epoch: $0) }
        if keys[live.upperBound] == nil { actions.append(.create(epoch: live.upperBound)) }
        return actions
    }

    /// Adds a key (after the shell created and persisted it).
    public mutating func install(_ key: PseudonymKey) {
        keys[key.epoch] = key
        cachedSpan = 0..<0
    }

    /// Drops a key (after the shell destroyed it in the store).
    public mutating func remove(epoch: Int64) {
        keys[epoch] = nil
        cachedSpan = 0..<0
    }

    /// Moves the ring's clock to `time` (never backwards) and refreshes the fast path.
    public mutating func advance(to time: Int64) {
        now = max(now, time)
        let epoch = schedule.epoch(at: now)
        let start = schedule.start(of: epoch)
        let graceEnd = start + schedule.graceMilliseconds
        cachedCurrent = keys[epoch]
        if now < graceEnd {
            cachedPrevious = keys[epoch - 1]
            cachedSpan = start..<graceEnd
        } else {
            cachedPrevious = nil
            cachedSpan = graceEnd..<(start + schedule.rotationMilliseconds)
        }
    }

    /// The pseudonyms of `number` at `time`, or nil when the ring must be planned and advanced
    /// first (a new epoch, the end of a grace period, or an event earlier than ``now``).
    ///
    /// An event from the previous epoch that arrives late but while its key is still held is
    /// pseudonymized under that key (then there is no previous pseudonym).
    @inline(__always)
    public func pseudonyms(for number: PhoneNumber, at time: Int64) -> PseudonymPair? {
        if cachedSpan.contains(time), let current = cachedCurrent {
            return PseudonymPair(current: current.pseudonym(for: number), previous: cachedPrevious?.pseudonym(for: number),
                                 epoch: current.epoch)
        }
        guard time < now else { return nil }
        let epoch = schedule.epoch(at: time)
        guard let key = keys[epoch] else { return nil }
        return PseudonymPair(current: key.pseudonym(for: number), previous: nil, epoch: epoch)
    }
}

public import Transport

/// Pseudonymizes consumer numbers at the door, rotating keys on event time: the thin shell around
/// ``PseudonymKeyRing`` that creates keys from a ``KeyMaterialSource``, persists them in a
/// ``PseudonymKeyStore`` before first use, and destroys them in the store when the schedule says.
///
/// Not `Sendable`: it belongs to the analyzer's thread.
public final class Pseudonymizer {
    /// The keys and the schedule.
    // Read for every event at the door, so not checked for exclusivity at run time. Sound: the
    // pseudonymizer is confined to one thread, and the ring is a value whose methods call out to
    // nothing (the store and the random source are called between its accesses, not inside them).
    @exclusivity(unchecked) public private(set) var ring: PseudonymKeyRing
    /// Keys created so far by this process.
    public private(set) var keysCreated = 0
    /// The epochs whose keys this process destroyed, in order.
    public private(set) var destroyedEpochs: [Int64] = []
    private let store: any PseudonymKeyStore
    private var source: any KeyMaterialSource

    /// A pseudonymizer over the keys already in `store`.
    public init(schedule: KeySchedule = .standard, store: any PseudonymKeyStore, source: any KeyMaterialSource) throws(PseudonymKeyError) {
        self.store = store
        self.source = source
        ring = PseudonymKeyRing(schedule: schedule, keys: try store.loadKeys())
    }

    /// Keys in memory only, from the operating system's random source: for a one-off analysis
    /// whose pseudonyms need not survive the process.
    public static func ephemeral(schedule: KeySchedule = .standard) -> Pseudonymizer {
        // An in-memory store cannot fail to load.
        guard let made = try? Pseudonymizer(schedule: schedule, store: InMemoryKeyStore(), source: SystemRandomSource()) else {
            preconditionFailure("an in-memory key store never fails")
        }
        return made
    }

    /// The pseudonyms of `number` at `time`, rotating keys first when `time` starts a new epoch
    /// or ends a grace period.
    /// - Throws: ``PseudonymKeyError/keyDestroyed(epoch:)`` for an event older than every key
    ///   held; a store or random-source error while rotating.
    @inline(__always)
    public func pseudonyms(for number: PhoneNumber, at time: Int64) throws(PseudonymKeyError) -> PseudonymPair {
        if let pair = ring.pseudonyms(for: number, at: time) { return pair }
        try rotate(to: time)
        guard let pair = ring.pseudonyms(for: number, at: time) else {
            throw .keyDestroyed(epoch: ring.schedule.epoch(at: time))
        }
        return pair
    }

    /// Performs the ring's plan for `time` and advances it: destroys expired keys, creates the
    /// current epoch's key if missing.
    public func rotate(to time: Int64) throws(PseudonymKeyError) {
        for action in ring.plan(at: time) {
            switch action {
            case let .destroy(epoch):
                try store.destroy(epoch: epoch)
                ring.remove(epoch: epoch)
                destroyedEpochs.append(epoch)
            case let .create(epoch):
                let key = try PseudonymKey(epoch: epoch, bytes: try source.makeKeyBytes())
                try store.save(key)
                ring.install(key)
                keysCreated += 1
            }
        }
        ring.advance(to: time)
    }
}

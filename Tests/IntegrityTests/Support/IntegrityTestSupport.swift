@testable import Integrity
import Transport

/// Numbers, events and analyzers for the Integrity tests. Times are on a virtual clock: plain
/// milliseconds chosen by each test.
enum Fixture {
    /// 2023-11-29T00:00:00Z, 10 days into pseudonym-key epoch 656 (epochs are 30 days from the
    /// Unix epoch): streams of up to 20 days cross no key rotation unless a test wants one.
    static let t0: Int64 = 1_701_216_000_000
    /// The start of the epoch after t0's.
    static let nextRotation: Int64 = 1_702_944_000_000
    static let second: Int64 = 1000
    static let minute: Int64 = 60_000
    static let hour: Int64 = 3_600_000
    static let day: Int64 = 86_400_000

    static let business = PhoneNumber("+14155550100")!
    static let otherBusiness = PhoneNumber("+14155550199")!

    /// The `index`-th test consumer, +4477009NNNNNN.
    static func user(_ index: Int) -> PhoneNumber {
        PhoneNumber(digits: 447_700_900_000_000 + UInt64(index) % 100_000_000)!
    }

    static func b2u(_ time: Int64, _ user: PhoneNumber, category: MessageCategory? = .marketing, business: PhoneNumber = business) -> IntegrityEvent {
        IntegrityEvent(time: time, business: business, user: user, kind: .message(.businessToUser, bytes: 512, category: category))
    }

    static func u2b(_ time: Int64, _ user: PhoneNumber, business: PhoneNumber = business) -> IntegrityEvent {
        IntegrityEvent(time: time, business: business, user: user, kind: .message(.userToBusiness, bytes: 128, category: nil))
    }

    static func delivered(_ time: Int64, _ user: PhoneNumber, business: PhoneNumber = business) -> IntegrityEvent {
        IntegrityEvent(time: time, business: business, user: user, kind: .delivered)
    }

    static func read(_ time: Int64, _ user: PhoneNumber, business: PhoneNumber = business) -> IntegrityEvent {
        IntegrityEvent(time: time, business: business, user: user, kind: .read)
    }

    static func block(_ time: Int64, _ user: PhoneNumber, _ reason: BlockReason = .spam, business: PhoneNumber = business) -> IntegrityEvent {
        IntegrityEvent(time: time, business: business, user: user, kind: .block(reason))
    }

    static func report(_ time: Int64, _ user: PhoneNumber, _ reason: ReportReason = .spam, business: PhoneNumber = business) -> IntegrityEvent {
        IntegrityEvent(time: time, business: business, user: user, kind: .report(reason))
    }

    /// A pseudonymizer with seeded keys in memory (reproducible).
    static func pseudonymizer(seed: UInt64 = 7, schedule: KeySchedule = .standard, store: InMemoryKeyStore = InMemoryKeyStore()) -> Pseudonymizer {
        // An in-memory store and a seeded source cannot fail.
        try! Pseudonymizer(schedule: schedule, store: store, source: SeededKeySource(seed: seed))
    }

    /// An analyzer with seeded keys.
    static func analyzer(rules: Rules = Rules(), seed: UInt64 = 7) -> IntegrityAnalyzer {
        try! IntegrityAnalyzer(rules: rules, pseudonymizer: pseudonymizer(seed: seed, schedule: try! rules.keySchedule()))
    }

    /// Applies every event, expecting none to be dropped.
    static func feed(_ analyzer: IntegrityAnalyzer, _ events: [IntegrityEvent]) {
        for event in events { _ = analyzer.ingest(event) }
    }
}

/// `a` and `b` within `tolerance` of each other.
func close(_ a: Double, _ b: Double, _ tolerance: Double = 1e-9) -> Bool { abs(a - b) <= tolerance }

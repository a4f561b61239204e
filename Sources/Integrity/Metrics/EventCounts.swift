/// Events counted by kind and by how feedback was treated — fixed label sets, never a number.
public struct EventCounts: Sendable, Hashable {
    /// The `kind` label of an event.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A business-to-user message.
        case messageBusinessToUser = "message_b2u"
        /// A user-to-business message.
        case messageUserToBusiness = "message_u2b"
        /// A delivered receipt.
        case delivered
        /// A read receipt.
        case read
        /// A block.
        case block
        /// A report.
        case report

        /// The label of `kind`.
        public init(_ kind: IntegrityEvent.Kind) {
            switch kind {
            case .message(.businessToUser, _, _): self = .messageBusinessToUser
            case .message(.userToBusiness, _, _): self = .messageUserToBusiness
            case .delivered: self = .delivered
            case .read: self = .read
            case .block: self = .block
            case .report: self = .report
            }
        }
    }

    /// The `treatment` label of a block or report (``EventOutcome/Feedback``).
    public enum Treatment: String, Sendable, Hashable, CaseIterable {
        /// Counted against the business.
        case counted
        /// Already counted from this user within 7 days.
        case duplicate
        /// No delivery to this user in the last 7 days: ignored.
        case withoutProofOfContact = "without_proof_of_contact"
        /// The user is outside the business's sample.
        case notSampled = "not_sampled"

        /// The label of `feedback`.
        public init(_ feedback: EventOutcome.Feedback) {
            switch feedback {
            case .counted: self = .counted
            case .duplicate: self = .duplicate
            case .withoutProofOfContact: self = .withoutProofOfContact
            case .notSampled: self = .notSampled
            }
        }
    }

    private var kinds = [Int](repeating: 0, count: Kind.allCases.count)
    private var blocks = [Int](repeating: 0, count: Treatment.allCases.count)
    private var reports = [Int](repeating: 0, count: Treatment.allCases.count)

    /// All zero.
    public init() {}

    /// Events of `kind`.
    public func count(of kind: Kind) -> Int { kinds[Self.position(of: kind)] }

    /// Blocks (`block` true) or reports treated as `treatment`.
    public func feedback(block: Bool, _ treatment: Treatment) -> Int {
        (block ? blocks : reports)[Self.position(of: treatment)]
    }

    /// Counts one applied event.
    public mutating func record(_ kind: IntegrityEvent.Kind, outcome: EventOutcome) {
        let label = Kind(kind)
        kinds[Self.position(of: label)] += 1
        guard let feedback = outcome.feedback else { return }
        let slot = Self.position(of: Treatment(feedback))
        switch label {
        case .block: blocks[slot] += 1
        case .report: reports[slot] += 1
        default: break
        }
    }

    private static func position(of kind: Kind) -> Int {
        switch kind {
        case .messageBusinessToUser: 0
        case .messageUserToBusiness: 1
        case .delivered: 2
        case .read: 3
        case .block: 4
        case .report: 5
        }
    }

    private static func position(of treatment: Treatment) -> Int {
        switch treatment {
        case .counted: 0
        case .duplicate: 1
        case .withoutProofOfContact: 2
        case .notSampled: 3
        }
    }
}

/// Counts every event the analyzer applies, for `/metrics`: register it with
/// `analyzer.observers.append(observer)`. O(1) per event, a few integers of memory.
public final class EventCountingObserver: IntegrityObserver {
    /// The counts so far.
    public private(set) var counts = EventCounts()

    /// A fresh counter.
    public init() {}

    /// Counts `event` by kind and, for feedback, by treatment.
    public func observe(_ event: PseudonymizedEvent, outcome: EventOutcome, counters: LiveCounters) {
        counts.record(event.kind, outcome: outcome)
    }
}

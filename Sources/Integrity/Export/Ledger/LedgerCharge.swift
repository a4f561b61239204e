public import Storage

/// What one release asks of the ledger: ε and δ on each UTC day it covers (the privacy unit is
/// the user-day, so days compose in parallel and releases touching the same day add up).
public struct LedgerCharge: Sendable, Hashable {
    /// The dataset the release reads (one budget per dataset and day).
    public var dataset: String
    /// The days covered.
    public var days: ClosedRange<UTCDay>
    /// ε spent on each day.
    public var epsilon: Epsilon
    /// δ spent on each day.
    public var delta: Delta
    /// The queries, as text for the ledger (names and shares).
    public var queries: String

    /// A charge.
    public init(dataset: String, days: ClosedRange<UTCDay>, epsilon: Epsilon, delta: Delta, queries: String) {
        self.dataset = dataset
        self.days = days
        self.epsilon = epsilon
        self.delta = delta
        self.queries = queries
    }
}

/// Why the ledger refused or failed.
public enum PrivacyLedgerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The release would take a day of the dataset past its budget.
    case overBudget(dataset: String, day: UTCDay, spentEpsilon: Epsilon, spentDelta: Delta, requestedEpsilon: Epsilon,
                    requestedDelta: Delta, budget: PrivacyBudget)
    /// The ledger database failed.
    case storage(operation: String, message: String)
    /// The dataset name is empty or too long.
    case invalidDataset(String)

    /// One line for the command line.
    public var description: String {
        switch self {
        case let .overBudget(dataset, day, spentEpsilon, spentDelta, requestedEpsilon, requestedDelta, budget):
            "privacy budget exceeded for dataset '\(dataset)' on \(day): spent ε=\(spentEpsilon) δ=\(spentDelta), this release asks ε=\(requestedEpsilon) δ=\(requestedDelta), budget ε=\(budget.epsilon) δ=\(budget.delta); release refused"
        case let .storage(operation, message):
            "privacy ledger: \(operation): \(message)"
        case let .invalidDataset(name):
            "privacy ledger: dataset names are 1…200 bytes, got '\(name)'"
        }
    }
}

/// The pure decision: given what each day has spent, may `charge` go ahead under `budget`?
public enum LedgerPolicy {
    /// `nil` when every day stays within budget; else the refusal for the first day that would not.
    public static func refusal(spent: [UTCDay: (epsilon: Epsilon, delta: Delta)], charge: LedgerCharge, budget: PrivacyBudget) -> PrivacyLedgerError? {
        var day = charge.days.lowerBound
        while day <= charge.days.upperBound {
            let used = spent[day] ?? (Epsilon(units: 0), Delta(units: 0))
            if used.epsilon + charge.epsilon > budget.epsilon || used.delta + charge.delta > budget.delta {
                return .overBudget(dataset: charge.dataset, day: day, spentEpsilon: used.epsilon, spentDelta: used.delta,
                                   requestedEpsilon: charge.epsilon, requestedDelta: charge.delta, budget: budget)
            }
            day = day.advanced(by: 1)
        }
        return nil
    }

    /// What is left after `charge`: the least ε and δ remaining over its days.
    public static func remaining(spent: [UTCDay: (epsilon: Epsilon, delta: Delta)], charge: LedgerCharge, budget: PrivacyBudget) -> (Epsilon, Delta) {
        var epsilon = budget.epsilon, delta = budget.delta
        var day = charge.days.lowerBound
        while day <= charge.days.upperBound {
            let used = spent[day] ?? (Epsilon(units: 0), Delta(units: 0))
            epsilon = min(epsilon, budget.epsilon - used.epsilon - charge.epsilon)
            delta = min(delta, budget.delta - used.delta - charge.delta)
            day = day.advanced(by: 1)
        }
        return (epsilon, delta)
    }
}

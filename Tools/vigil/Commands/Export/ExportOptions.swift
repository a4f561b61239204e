import Integrity
import Storage

/// The parsed and validated options of one `vigil export` run.
struct ExportOptions {
    enum Audience: String { case platform, transport }

    let events: String
    let days: ClosedRange<UTCDay>
    let audience: Audience
    let output: String
    let csv: Bool
    let parameters: ReleaseParameters
    let ledger: String?
    let dataset: String
    let budget: PrivacyBudget
    let billing: String?
    let keys: String?
    let lgK: Int
    let noiseSeed: UInt64?
    let quiet: Bool

    init(parsing arguments: inout Arguments) throws(CLIError) {
        guard let events = try arguments.option("--events") else { throw CLIError("--events FILE|- is required") }
        guard let from = try arguments.option("--from", as: "a day YYYY-MM-DD", { UTCDay($0) }) else { throw CLIError("--from DAY is required") }
        guard let to = try arguments.option("--to", as: "a day YYYY-MM-DD", { UTCDay($0) }) else { throw CLIError("--to DAY is required") }
        guard from <= to else { throw CLIError("--from \(from) is after --to \(to)") }
        guard let audience = try arguments.option("--audience", as: "platform or transport", { Audience(rawValue: $0) }) else {
            throw CLIError("--audience platform|transport is required")
        }
        guard let output = try arguments.option("--out") else { throw CLIError("--out FILE is required") }
        let format = try arguments.option("--format") ?? "json"
        guard format == "json" || format == "csv" else { throw CLIError("--format takes json or csv, got '\(format)'") }
        if audience == .transport && format == "csv" {
            throw CLIError("transport exports are JSON (they carry sketch images); use --format json")
        }
        let epsilon = try arguments.option("--epsilon", as: "a decimal ε (a multiple of 0.000001)", { Epsilon(decimal: $0) }) ?? Epsilon(units: 1_000_000)
        let delta = try arguments.option("--delta", as: "a decimal δ (a multiple of 1e-15)", { Delta(decimal: $0) }) ?? Delta(units: 1_000_000_000)
        let k = try arguments.integer("--k", in: 1...1_000_000) ?? ReleaseParameters.defaultK
        let noise = try arguments.option("--noise", as: "laplace or gaussian", { NoiseKind(rawValue: $0) }) ?? .laplace
        let perPartition = try arguments.integer("--per-partition", in: 1...1000) ?? ContributionBounds.standard.perPartition
        let partitions = try arguments.integer("--partitions-per-dimension", in: 1...1000) ?? ContributionBounds.standard.partitionsPerDimension
        do {
            let bounds = try ContributionBounds(perPartition: perPartition, partitionsPerDimension: partitions)
            parameters = try ReleaseParameters(epsilon: epsilon, delta: delta, k: k, bounds: bounds, noise: noise)
            if audience == .platform {
                // Calibrate now, so a bad ε/δ fails before the events are read.
                let plan = try BudgetPlan(parameters)
                for query in plan.metrics {
                    _ = try NoiseMechanism.make(noise, l1: query.l1, l2: query.l2, epsilon: query.epsilon, delta: query.delta)
                }
                _ = try PartitionThreshold(epsilon: plan.selection.epsilon, delta: plan.selection.delta, maxPartitions: plan.selection.l1, k: k)
            }
        } catch {
            throw CLIError(error.description)
        }
        ledger = try arguments.option("--ledger")
        if audience == .platform && ledger == nil {
            throw CLIError("--ledger FILE.sqlite is required for the platform audience (every release is charged to the privacy budget)")
        }
        dataset = try arguments.option("--dataset") ?? (events == "-" ? "stdin" : String(events.split(separator: "/").last ?? "events"))
        let budgetEpsilon = try arguments.option("--budget-epsilon", as: "a decimal ε", { Epsilon(decimal: $0) }) ?? Epsilon(units: 3_000_000)
        let budgetDelta = try arguments.option("--budget-delta", as: "a decimal δ", { Delta(decimal: $0) }) ?? Delta(units: 10_000_000_000)
        budget = PrivacyBudget(epsilon: budgetEpsilon, delta: budgetDelta)
        billing = try arguments.option("--billing")
        keys = try arguments.option("--keys")
        lgK = try arguments.integer("--lgk", in: 4...21) ?? HLLDefaults.lgK
        // Hidden, for reproducible tests only: a seeded noise source makes the release non-private.
        noiseSeed = try arguments.option("--noise-seed", as: "an unsigned integer", { UInt64($0) })
        quiet = arguments.flag("--quiet")
        self.events = events
        days = from...to
        self.audience = audience
        self.output = output
        csv = format == "csv"
    }
}

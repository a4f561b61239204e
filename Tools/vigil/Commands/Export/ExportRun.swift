import Glibc
import Integrity
import Storage

/// One `vigil export` run: read and aggregate the events, then write the platform release
/// (after charging the ledger) or the transport export, and billing if asked.
struct ExportRun {
    let options: ExportOptions

    func run() throws {
        let ledger = try options.ledger.map { path throws(CLIError) in
            do {
                return try PrivacyLedger(path: path)
            } catch {
                throw CLIError("--ledger \(path): \(error)")
            }
        }
        let aggregator = try aggregate()
        let bytes: [UInt8]
        switch options.audience {
        case .transport:
            bytes = Array(TransportExport(from: aggregator, days: options.days).json().utf8)
        case .platform:
            guard let ledger else { throw CLIError("--ledger is required for the platform audience") }
            bytes = Array(try platformRelease(aggregator, ledger: ledger).utf8)
        }
        try FileIO.write(bytes, to: options.output)
        if let billing = options.billing {
            let text = options.csv ? aggregator.billing.csv(days: options.days) : aggregator.billing.json(days: options.days)
            try FileIO.write(Array(text.utf8), to: billing)
        }
    }

    /// Charges the ledger, then draws the release; nothing is drawn or written when refused.
    private func platformRelease(_ aggregator: StatisticsAggregator, ledger: PrivacyLedger) throws -> String {
        let plan = try BudgetPlan(options.parameters)
        let spent = plan.spent
        let charge = LedgerCharge(dataset: options.dataset, days: options.days, epsilon: spent.epsilon, delta: spent.delta, queries: plan.ledgerText)
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let status = try ledger.charge(charge, budget: options.budget, at: Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000)
        var release: PlatformRelease
        let sourceName: String
        if let seed = options.noiseSeed {
            var source = SeededNoiseSource(seed: seed)
            release = try PlatformRelease.make(from: aggregator.bounded, days: options.days, parameters: options.parameters, using: &source)
            sourceName = "seeded(\(seed)) - NOT PRIVATE, for tests only"
        } else {
            var source = SystemNoiseSource()
            release = try PlatformRelease.make(from: aggregator.bounded, days: options.days, parameters: options.parameters, using: &source)
            sourceName = "os"
        }
        release.metadata.budget = status
        if !options.quiet {
            Console.progress("export: released \(release.metadata.releasedCells) cells, suppressed \(release.metadata.suppressedCells), τ = \(release.metadata.threshold.tau); dataset '\(status.dataset)' has ε \(status.remainingEpsilon), δ \(status.remainingDelta) left on its tightest day")
        }
        return options.csv ? release.csv(noiseSource: sourceName) : release.json(noiseSource: sourceName)
    }

    /// Reads the events into an aggregator, pseudonymizing users at the door.
    private func aggregate() throws -> StatisticsAggregator {
        let pseudonymizer: Pseudonymizer
        if let keys = options.keys {
            do {
                pseudonymizer = try Pseudonymizer(store: SQLiteKeyStore(path: keys), source: SystemRandomSource())
            } catch {
                throw CLIError("--keys \(keys): \(error)")
            }
        } else {
            pseudonymizer = Pseudonymizer.ephemeral()
        }
        var aggregator = try StatisticsAggregator(configuration: .init(bounds: options.parameters.bounds,
                                                                       keepsSketches: options.audience == .transport, lgK: options.lgK))
        let reader: EventStreamReader
        do {
            reader = try EventStreamReader(path: options.events)
        } catch {
            throw CLIError("\(error)")
        }
        let start = BenchClock.now()
        var lastReport = start
        var malformed = 0
        while let item = try reader.next() {
            switch item {
            case let .malformed(error):
                malformed += 1
                if malformed <= 20 { Console.error("\(options.events): \(error)") }
            case let .event(event):
                let pair = try pseudonymizer.pseudonyms(for: event.user, at: event.time)
                aggregator.add(event, user: pair.current)
            }
            if !options.quiet, reader.linesRead & 0x3fff == 0 {
                let now = BenchClock.now()
                if now - lastReport >= 1_000_000_000 {
                    let rate = Double(aggregator.events) / (Double(now - start) / 1e9)
                    Console.progress("export: \(reader.linesRead) lines, \(Int(rate)) events/s, \(malformed) malformed")
                    lastReport = now
                }
            }
        }
        if malformed > 20 { Console.error("\(options.events): \(malformed - 20) more malformed lines not shown") }
        if !options.quiet {
            let seconds = Double(BenchClock.now() - start) / 1e9
            Console.progress("export: read \(reader.linesRead) lines, \(aggregator.events) events, \(malformed) malformed, \(aggregator.unmatchedReceipts) unmatched receipts, \(aggregator.bounded.lateEvents) late events in \(String(format: "%.2f", seconds)) s")
        }
        return aggregator
    }
}

import Glibc
import Integrity
import Storage

/// `vigil export`: the statistics export — a differentially private, k-thresholded release for
/// the platform, or raw mergeable sketches for the transport — plus billing per business.
struct ExportCommand: Command {
    static let help = """
        USAGE: vigil export --events FILE|- --from DAY --to DAY --audience platform|transport --out FILE
                            [--epsilon E] [--delta D] [--k K] [--noise laplace|gaussian] [--format json|csv]
                            [--per-partition C] [--partitions-per-dimension L] [--ledger FILE.sqlite]
                            [--dataset NAME] [--budget-epsilon E] [--budget-delta D] [--billing FILE]
                            [--keys FILE.sqlite] [--lgk N] [--quiet]
               vigil export merge A.json B.json … --out C.json
               vigil export --print-mechanism --sensitivity N --epsilon E [--noise laplace|gaussian]
                            [--delta D] [--samples N --seed S]

        Reads integrity events (the relay tap's JSONL schema), pseudonymizes consumers at the door and
        aggregates per UTC day and per dimension (all, country calling code, category, direction, size
        class): users, businesses, messages sent / delivered / read, blocks and reports by reason, size
        and delivery-latency quantiles. Progress goes to standard error.

        --audience platform: the non-identifying release. Each user-day is bounded (at most L cells per
        dimension, at most C per counter per cell), integer counts get discrete Laplace noise (or the
        discrete Gaussian) sampled exactly from the OS generator, a cell is released only if it has at
        least k users and its noisy user count passes τ (derived from ε, δ); suppressed cells are only
        counted. The release is charged to the privacy-budget ledger first and refused if any day of
        the dataset would exceed its budget. The metadata block names mechanism, ε, δ, k, τ, caps,
        per-query noise, suppressed cells and the budget left.
        --audience transport: exact counters and DataSketches images (HLL of pseudonyms, KLL) per
        cell, for `vigil export merge` across shards or any DataSketches engine. JSON only. Never give
        it to the platform: a pseudonym HLL is not non-identifying.

        OPTIONS:
          --events FILE|-              the events (- reads standard input)
          --from DAY, --to DAY         UTC days YYYY-MM-DD, inclusive
          --audience platform|transport
          --out FILE                   where to write the export (- for standard output)
          --format json|csv            default json (platform only for csv)
          --epsilon E                  total ε per user-day (default 1); split evenly over 9 queries
          --delta D                    total δ (default 1e-6)
          --k K                        never release a cell with fewer users (default 50)
          --noise laplace|gaussian     metric noise (default laplace; gaussian needs ε/9 < 1)
          --per-partition C            per-user cap on each counter in a cell (default 5)
          --partitions-per-dimension L per-user cap on cells per dimension per day (default 2)
          --ledger FILE.sqlite         the privacy-budget ledger (required for the platform audience)
          --dataset NAME               the ledger's dataset name (default: the events file's name)
          --budget-epsilon E           ε budget per dataset and day (default 3)
          --budget-delta D             δ budget per dataset and day (default 1e-5)
          --billing FILE               also write billing per business, day and category (same format)
          --keys FILE.sqlite           pseudonym keys (shards must share them for mergeable user HLLs);
                                       default: in memory only
          --lgk N                      HLL lgK for the transport audience (default 12)
          --print-mechanism            print the discrete Laplace scale (and samples) for --sensitivity
                                       and --epsilon as JSON, then exit (for the OpenDP interop check)
          --quiet                      no progress lines
        """

    enum Mode {
        case export(ExportOptions)
        case printMechanism(MechanismOptions)
    }

    let mode: Mode

    init(parsing arguments: inout Arguments) throws(CLIError) {
        if arguments.flag("--print-mechanism") {
            mode = .printMechanism(try MechanismOptions(parsing: &arguments))
        } else {
            mode = .export(try ExportOptions(parsing: &arguments))
        }
    }

    /// `vigil export …` and `vigil export merge …`.
    static func dispatch(_ arguments: [String]) -> Int32 {
        if arguments.first == "merge" { return ExportMergeCommand.main(Array(arguments.dropFirst())) }
        return main(arguments)
    }

    func run() throws {
        switch mode {
        case let .printMechanism(options): try options.run()
        case let .export(options): try ExportRun(options: options).run()
        }
    }
}

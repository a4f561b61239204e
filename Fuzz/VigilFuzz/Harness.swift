/// One fuzz target: a name, what it checks, and a function that must return normally for every
/// input — a crash, a trapped precondition or a failed ``FuzzCheck`` is a finding.
///
/// The same functions run under libFuzzer (the `FUZZING` build, see `FuzzEntry.swift`) and in the
/// corpus replayer of the normal build (`ReplayCommand.swift`), so a regression input found by the
/// fuzzer is replayed by `swift test` without sanitizers.
struct Harness: Sendable {
    /// The name `Fuzz/run.sh`, `VIGIL_FUZZ_TARGET` and the corpus directory use.
    let name: String
    /// What the harness feeds and which invariants it checks (printed by `vigil-fuzz list`).
    let summary: String
    /// The longest input worth trying (`-max_len`): above every limit the parser enforces.
    let maximumLength: Int
    /// Runs one input; returns whether the parser accepted it (refusals are normal: most fuzz
    /// inputs are invalid). The replayer counts acceptances so a seed that no longer parses shows.
    let run: @Sendable (UnsafeRawBufferPointer) -> Bool
    /// A handful of small valid inputs for the seed corpus, built with the encoders.
    let seeds: @Sendable () -> [[UInt8]]
}

extension Harness {
    /// Every harness, in the order `Fuzz/run.sh all` runs them.
    static let all: [Harness] = [
        .wireFrame, .httpRequest, .cloudAPISend, .eventLine, .reportBody,
        .hll, .kll, .countMin, .frequentItems,
        .sessionEnvelope, .preKeyBundle,
        .stateImage, .partyRecord, .conversationRecord,
    ]

    /// The harness called `name`, if any.
    static func named(_ name: String) -> Harness? {
        all.first { $0.name == name }
    }

    /// Runs the harness on an array's bytes; returns whether the parser accepted them.
    @discardableResult
    func run(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { run($0) }
    }
}

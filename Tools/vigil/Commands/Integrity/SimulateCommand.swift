import Glibc
import Integrity

/// `vigil simulate`: writes a labeled workload for the integrity analyzer — events as JSONL, and
/// the ground truth in a sidecar — from a seed.
struct SimulateCommand: Command {
    static let help = """
        USAGE: vigil simulate --scenario NAME --out FILE [--seed N] [--scale S] [--labels FILE]
               vigil simulate --list

        Generates one simulated week of relay metadata events (the analyzer's JSONL schema, sorted by
        "t") for a scenario over a background of honest businesses, and writes the labels — which
        businesses are abusive and should raise a critical alert — to a sidecar file. The same
        scenario, seed and scale give byte-identical files. See docs/simulation.md.

        OPTIONS:
          --scenario NAME   the workload (see --list)
          --out FILE        where to write the events ("-" for standard output, then --labels is needed)
          --seed N          random seed, an unsigned 64-bit integer (default 1)
          --scale S         size multiplier, 0.01…100 (default 1, about a million events)
          --labels FILE     where to write the labels (default: FILE with .jsonl replaced by
                            .labels.json, e.g. events.jsonl → events.labels.json)
          --list            print the scenarios with a one-line description
        """

    let list: Bool
    let parameters: SimulationParameters?
    let output: String
    let labelsPath: String

    init(parsing arguments: inout Arguments) throws(CLIError) {
        list = arguments.flag("--list")
        let scenario = try arguments.option("--scenario")
        let output = try arguments.option("--out")
        let seed = try arguments.option("--seed", as: "an unsigned 64-bit integer", { UInt64($0) }) ?? 1
        let scale = try arguments.double("--scale") ?? 1
        let labels = try arguments.option("--labels")
        if list {
            guard scenario == nil, output == nil, labels == nil else {
                throw CLIError("--list takes no other options")
            }
            parameters = nil
            self.output = ""
            labelsPath = ""
            return
        }
        guard let scenario else {
            throw CLIError("--scenario NAME is required (one of: \(SimulationScenario.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        guard let output, !output.isEmpty else { throw CLIError("--out FILE is required") }
        do {
            parameters = try SimulationParameters(scenarioName: scenario, seed: seed, scale: scale)
        } catch {
            throw CLIError("\(error)")
        }
        if let labels {
            labelsPath = labels
        } else if output == "-" {
            throw CLIError("--out - writes events to standard output; give --labels FILE for the labels")
        } else {
            labelsPath = Self.sidecarPath(for: output)
        }
        guard labelsPath != output else { throw CLIError("--labels must differ from --out") }
        self.output = output
    }

    /// A scale as typed: "1", "0.05".
    static func format(_ scale: Double) -> String {
        scale == scale.rounded() && abs(scale) < 1e15 ? String(Int64(scale)) : "\(scale)"
    }

    /// `events.jsonl` → `events.labels.json`; any other name gets `.labels.json` appended.
    static func sidecarPath(for output: String) -> String {
        output.hasSuffix(".jsonl") ? String(output.dropLast(".jsonl".count)) + ".labels.json" : output + ".labels.json"
    }

    func run() throws {
        guard let parameters else {
            let width = SimulationScenario.allCases.map(\.rawValue.count).max() ?? 0
            for scenario in SimulationScenario.allCases {
                print(scenario.rawValue + String(repeating: " ", count: width - scenario.rawValue.count + 2) + scenario.summary)
            }
            return
        }
        let file = try StreamingFile(path: output)
        var nextReport = 1_000_000
        let result: Simulation.Result
        do {
            result = try Simulation.generate(parameters, write: { (bytes: [UInt8]) throws(SimulateIOError) in
                try file.write(bytes)
            }, progress: { progress in
                guard progress.events >= nextReport else { return }
                nextReport = (progress.events / 1_000_000 + 1) * 1_000_000
                let millions = Double(progress.events / 100_000) / 10
                Console.progress("simulate: \(millions)M events, \(Int(progress.fraction * 100)) % of the week")
            })
        } catch {
            file.abandon()
            throw error
        }
        try file.commit()
        do {
            try FileIO.write(Array(result.labels.json.utf8), to: labelsPath)
        } catch {
            throw SimulateIOError(message: error.message)
        }
        let abusive = result.labels.businesses.filter(\.expectCritical).count
        Console.progress(
            "simulate: \(parameters.scenario.rawValue) seed \(parameters.seed) scale \(Self.format(parameters.scale)): \(result.events) events, "
                + "\(result.labels.businesses.count) businesses (\(abusive) abusive) → \(output == "-" ? "standard output" : output), labels → \(labelsPath)")
    }
}

/// A failure to write the output (exit status 1, unlike usage errors).
private struct SimulateIOError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// A file written chunk by chunk under a temporary name, then synced and renamed into place, so a
/// reader never sees half a workload; "-" is standard output.
private struct StreamingFile {
    private let path: String
    private let temporary: String
    private let descriptor: Int32

    /// Opens a temporary file beside `path` (or standard output for "-").
    init(path: String) throws(SimulateIOError) {
        self.path = path
        if path == "-" {
            temporary = path
            descriptor = 1
            return
        }
        temporary = path + ".tmp-\(getpid())"
        descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw SimulateIOError(message: "cannot create \(path): \(String(cString: strerror(errno)))") }
    }

    /// Writes all of `bytes`, retrying on EINTR.
    func write(_ bytes: [UInt8]) throws(SimulateIOError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw SimulateIOError(message: "cannot write \(path == "-" ? "standard output" : path): \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    /// Syncs and renames into place; on failure the temporary file is removed.
    func commit() throws(SimulateIOError) {
        guard path != "-" else { return }
        guard fsync(descriptor) == 0 else {
            let reason = String(cString: strerror(errno))
            abandon()
            throw SimulateIOError(message: "cannot sync \(path): \(reason)")
        }
        close(descriptor)
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw SimulateIOError(message: "cannot write \(path): \(reason)")
        }
    }

    /// Closes and removes the temporary file.
    func abandon() {
        guard path != "-" else { return }
        close(descriptor)
        unlink(temporary)
    }
}

import Foundation
import Testing

/// The fuzz harnesses in the normal build: `vigil-fuzz NAME PATH…` replays the committed seed
/// corpora and every regression input (each a crash the fuzzer once found) without sanitizers.
@Suite struct FuzzReplayTests {
    /// Every harness, as FUZZING.md lists them.
    static let harnesses = [
        "wire-frame", "http-request", "cloudapi-send", "event-line", "report-body", "hll", "kll", "count-min", "frequent-items",
        "session-envelope", "prekey-bundle", "state-image", "party-record", "conversation-record",
    ]

    static let fuzzDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz")

    @Test func listNamesEveryHarness() throws {
        let result = try Self.run(["list"])
        #expect(result.status == 0)
        let names = result.output.split(separator: "\n").filter { !$0.hasPrefix(" ") }.map { String($0.prefix { $0 != " " }) }
        #expect(names == Self.harnesses)
    }

    /// Seeds the parser is meant to refuse: a bare-LF request (accepted only when the input's
    /// digest turns `acceptsBareLineFeed` on), an unsupported message type and a null `to`, an
    /// empty report batch and a truncated one.
    static let refusedSeeds = ["http-request": 1, "cloudapi-send": 2, "report-body": 2]

    @Test(arguments: harnesses) func seedCorpusPasses(_ name: String) throws {
        let corpus = Self.fuzzDirectory.appendingPathComponent("corpus/\(name)")
        let count = try FileManager.default.contentsOfDirectory(atPath: corpus.path).filter { !$0.hasPrefix(".") }.count
        #expect(count >= 2, "the seed corpus of \(name) has \(count) inputs")
        let result = try Self.run([name, corpus.path])
        #expect(result.status == 0, "\(result.error)")
        let accepted = count - Self.refusedSeeds[name, default: 0]
        #expect(result.output == "\(name): \(count) inputs passed, \(accepted) accepted by the parser\n")
    }

    /// Each crash the fuzzer found, replayed through its harness: the fix must still hold.
    @Test func regressionInputsPass() throws {
        let regressions = Self.fuzzDirectory.appendingPathComponent("regressions")
        let names = try FileManager.default.contentsOfDirectory(atPath: regressions.path).filter { !$0.hasPrefix(".") }.sorted()
        #expect(!names.isEmpty)
        for name in names {
            #expect(Self.harnesses.contains(name), "regressions for an unknown harness \(name)")
            let directory = regressions.appendingPathComponent(name)
            let count = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { !$0.hasPrefix(".") }.count
            let result = try Self.run([name, directory.path])
            #expect(result.status == 0, "\(name): \(result.error)")
            #expect(result.output.hasPrefix("\(name): \(count) inputs passed, "))
        }
    }

    @Test func unknownHarnessAndMissingInputAreRefused() throws {
        let unknown = try Self.run(["no-such-parser", "/dev/null"])
        #expect(unknown.status == 1)
        #expect(unknown.error.contains("no harness named 'no-such-parser'"))
        let missing = try Self.run(["hll", "/nonexistent/input"])
        #expect(missing.status == 1)
        #expect(missing.error.contains("/nonexistent/input: no such file or directory"))
    }

    struct Result {
        let status: Int32
        let output: String
        let error: String
    }

    /// Runs the `vigil-fuzz` that `swift test` built next to the test bundle.
    static func run(_ arguments: [String]) throws -> Result {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("vigil-fuzz")
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: out, as: UTF8.self), error: String(decoding: err, as: UTF8.self))
    }
}

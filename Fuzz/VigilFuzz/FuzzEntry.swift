#if FUZZING
import Glibc

/// The libFuzzer side of `vigil-fuzz`, compiled only in the sanitizer build (`Fuzz/run.sh` passes
/// `--sanitize fuzzer -DFUZZING`): libFuzzer owns `main`, and each input goes to the harness that
/// `VIGIL_FUZZ_TARGET` names. `VIGIL_FUZZ_TARGET=list` prints `NAME MAX_LEN` lines and exits.
enum FuzzEntry {
    /// The harness of this process, chosen once from the environment.
    static let harness: Harness = {
        guard let name = getenv("VIGIL_FUZZ_TARGET").map({ String(cString: $0) }) else {
            exitListing("VIGIL_FUZZ_TARGET is not set")
        }
        if name == "list" {
            let lines = Harness.all.map { "\($0.name) \($0.maximumLength)\n" }.joined()
            lines.utf8CString.withUnsafeBufferPointer { _ = write(1, $0.baseAddress, $0.count - 1) }
            exit(0)
        }
        guard let harness = Harness.named(name) else { exitListing("no harness named '\(name)'") }
        return harness
    }()

    private static func exitListing(_ problem: String) -> Never {
        let names = Harness.all.map(\.name).joined(separator: ", ")
        let text = "vigil-fuzz: \(problem); set it to one of: \(names)\n"
        text.utf8CString.withUnsafeBufferPointer { _ = write(2, $0.baseAddress, $0.count - 1) }
        exit(2)
    }
}

/// Chooses the harness before the first input, so a bad target name fails at once, and runs its
/// seeds: they must pass, and lazily built fixtures (the crypto sessions) exist before libFuzzer
/// starts counting allocations, so they are not reported as leaks.
@_cdecl("LLVMFuzzerInitialize")
func fuzzerInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    let harness = FuzzEntry.harness
    for seed in harness.seeds() { _ = harness.run(seed) }
    return 0
}

/// Runs one input; findings abort (FuzzCheck) or trap, which libFuzzer records as crashes.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    _ = FuzzEntry.harness.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
#endif

import Foundation
import Stats

/// `vigil bench accuracy`: HLL relative standard error measured over many independent trials.
struct BenchAccuracyCommand: Command {
    static let help = """
        USAGE: vigil bench accuracy [--trials T] [--lgk 12] [--max-n 1000000]

        For n = 10^3, 10^4, … up to --max-n, builds T sketches of n distinct random keys (HIP
        estimator) and T unions of two sketches of n/2 keys each (composite estimator), and reports
        the relative standard error sqrt(mean((est/n − 1)^2)) against DataSketches' own figures for
        lgK 12 (HIP 1.30 %, merged 1.62 %; 0.8326/√k and 1.039/√k at other lgK). A measured RSE above
        the reference by more than 3 standard errors of the RSE estimate (≈ 3·RSE/√(2T)) fails.

        OPTIONS:
          --trials T     trials per point (default 1000, at least 100)
          --lgk N        sketch size (default 12)
          --max-n N      largest n (default 1000000)
        """

    let trials: Int
    let lgK: Int
    let maxN: Int

    init(parsing arguments: inout Arguments) throws(CLIError) {
        trials = try arguments.integer("--trials", in: 100...1_000_000) ?? 1000
        lgK = try arguments.integer("--lgk", in: HLLSketch.lgKRange) ?? 12
        maxN = try arguments.integer("--max-n", in: 1000...100_000_000) ?? 1_000_000
    }

    func run() throws {
        BenchClock.warnIfDebug()
        let k = Double(1 << lgK)
        let hipReference = lgK == 12 ? 0.0130 : 0.8326 / k.squareRoot()
        let mergedReference = lgK == 12 ? 0.0162 : 1.039 / k.squareRoot()
        print("HLL lgK \(lgK), \(trials) trials per point (reference: HIP \(percent(hipReference)), merged \(percent(mergedReference)))")
        print("       n   HIP RSE   merged RSE   HIP bias   verdict")
        var failed = false
        var n = 1000
        var seed: UInt64 = 1
        while n <= maxN {
            var hipSquares = 0.0, hipSum = 0.0, mergedSquares = 0.0
            for _ in 0..<trials {
                var random = SplitMix64(seed: seed)
                seed += 1
                var whole = try HLLSketch(lgK: lgK)
                var left = try HLLSketch(lgK: lgK)
                var right = try HLLSketch(lgK: lgK)
                for index in 0..<n {
                    let hash = MurmurHash3.Hash128(h1: random.next(), h2: random.next())
                    whole.update(hash: hash)
                    if index < n / 2 { left.update(hash: hash) } else { right.update(hash: hash) }
                }
                var union = try HLLUnion(lgMaxK: lgK)
                union.update(left)
                union.update(right)
                let hipError = whole.estimate / Double(n) - 1
                let mergedError = union.estimate / Double(n) - 1
                hipSquares += hipError * hipError
                hipSum += hipError
                mergedSquares += mergedError * mergedError
            }
            let hip = (hipSquares / Double(trials)).squareRoot()
            let merged = (mergedSquares / Double(trials)).squareRoot()
            let slack = 3 / (2 * Double(trials)).squareRoot()
            let ok = hip <= hipReference * (1 + slack) && merged <= mergedReference * (1 + slack)
            failed = failed || !ok
            print(String(format: "%8d   %6.3f %%    %6.3f %%   %+7.3f %%   %@", n, hip * 100, merged * 100, hipSum / Double(trials) * 100,
                         (ok ? "ok" : "FAIL") as NSString))
            n *= 10
        }
        if failed { throw CLIError("HLL accuracy is worse than DataSketches' reference") }
    }

    private func percent(_ value: Double) -> String { String(format: "%.2f %%", value * 100) }
}

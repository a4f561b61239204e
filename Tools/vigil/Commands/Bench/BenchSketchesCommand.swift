import Foundation
import Stats

/// `vigil bench sketches`: update cost per sketch, codec and merge times, peak RSS, and ratios to a
/// peer measured in the same run.
struct BenchSketchesCommand: Command {
    static let help = """
        USAGE: vigil bench sketches [--updates N] [--peer COMMAND] [--json]

        Measures ns per update for HLL (UInt64 keys and 11-byte strings, lgK 12, HLL_8), Count-Min
        (3 × 272), frequent items (lgMax 10) and KLL floats (k 200) over N updates (default 10^7),
        then serialize / deserialize / merge times of each sketch, and the process's peak RSS.
        Items are generated before timing; each figure is the best of 3 runs.

        OPTIONS:
          --updates N      updates per sketch (default 10000000)
          --peer COMMAND   a peer benchmark to run in the same session (e.g. `python3
                           Benchmarks/datasketches_peer.py`); it prints `name ns` lines that are
                           matched by name and reported as ratios
          --json           print the figures as one JSON object instead of a table
        """

    let updates: Int
    let peer: String?
    let json: Bool

    init(parsing arguments: inout Arguments) throws(CLIError) {
        updates = try arguments.integer("--updates", in: 1000...1_000_000_000) ?? 10_000_000
        peer = try arguments.option("--peer")
        json = arguments.flag("--json")
    }

    func run() throws {
        BenchClock.warnIfDebug()
        var figures: [(name: String, nanoseconds: Double)] = []
        func record(_ name: String, _ nanoseconds: Double) {
            figures.append((name, nanoseconds))
            Console.progress("  " + name.padding(toLength: 20, withPad: " ", startingAt: 0) + String(format: "%12.2f ns", nanoseconds))
        }
        Console.progress("generating \(updates) keys …")
        var random = SplitMix64(seed: 42)
        let keys = (0..<updates).map { _ in random.next() }
        var strings = [UInt8](repeating: 0, count: updates * 11)
        for index in strings.indices { strings[index] = UInt8(ascii: "a") + UInt8(random.next() % 26) }
        let floats = keys.map { Float($0 >> 40) }
        let fiItems = keys.map { "item-\($0 % 100_000)" }

        Console.progress("updates (best of 3, ns per update):")
        var hll = try HLLSketch(lgK: 12)
        let perUpdate = Double(updates)
        record("hll_update_u64", Double(BenchClock.best(of: 3) {
            var sketch = try! HLLSketch(lgK: 12)
            for key in keys { sketch.update(key) }
            hll = sketch
        }) / perUpdate)
        blackHole(hll.estimate)
        record("hll_update_str11", Double(BenchClock.best(of: 3) {
            var sketch = try! HLLSketch(lgK: 12)
            strings.withUnsafeBytes { raw in
                for offset in stride(from: 0, to: raw.count, by: 11) {
                    sketch.update(hash: MurmurHash3.hash128(UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + 11)]), seed: MurmurHash3.defaultSeed))
                }
            }
            blackHole(sketch.estimate)
        }) / perUpdate)
        var cms = try CountMinSketch(numHashes: 3, numBuckets: 272)
        record("cms_update_u64", Double(BenchClock.best(of: 3) {
            var sketch = try! CountMinSketch(numHashes: 3, numBuckets: 272)
            for key in keys { sketch.update(key) }
            cms = sketch
        }) / perUpdate)
        var fi = try FrequentItemsSketch(lgMaxMapSize: 10)
        record("fi_update_str", Double(BenchClock.best(of: 3) {
            var sketch = try! FrequentItemsSketch(lgMaxMapSize: 10)
            for item in fiItems { sketch.update(item) }
            fi = sketch
        }) / perUpdate)
        var kll = try KLLFloatsSketch(k: 200)
        record("kll_update_float", Double(BenchClock.best(of: 3) {
            var sketch = try! KLLFloatsSketch(k: 200)
            for value in floats { sketch.update(value) }
            kll = sketch
        }) / perUpdate)

        Console.progress("codecs and merges (best of 100, ns per operation):")
        let hllImage = hll.serialized()
        record("hll_serialize", Double(BenchClock.best(of: 100) { blackHole(hll.serialized()) }))
        record("hll_deserialize", Double(BenchClock.best(of: 100) { blackHole(try? HLLSketch(serialized: hllImage)) }))
        var other = try HLLSketch(lgK: 12)
        for key in keys.prefix(1_000_000) { other.update(key &+ 1) }
        record("hll_merge_lgk12", Double(BenchClock.best(of: 100) {
            var union = try! HLLUnion(lgMaxK: 12)
            union.update(hll)
            union.update(other)
            blackHole(union)
        }))
        let cmsImage = cms.serialized()
        record("cms_serialize", Double(BenchClock.best(of: 100) { blackHole(cms.serialized()) }))
        record("cms_deserialize", Double(BenchClock.best(of: 100) { blackHole(try? CountMinSketch(serialized: cmsImage)) }))
        record("cms_merge", Double(BenchClock.best(of: 100) { var copy = cms; try? copy.merge(cms); blackHole(copy) }))
        let fiImage = fi.serialized()
        record("fi_serialize", Double(BenchClock.best(of: 100) { blackHole(fi.serialized()) }))
        record("fi_deserialize", Double(BenchClock.best(of: 100) { blackHole(try? FrequentItemsSketch(serialized: fiImage)) }))
        record("fi_merge", Double(BenchClock.best(of: 100) { var copy = fi; copy.merge(fi); blackHole(copy) }))
        let kllImage = kll.serialized()
        record("kll_serialize", Double(BenchClock.best(of: 100) { blackHole(kll.serialized()) }))
        record("kll_deserialize", Double(BenchClock.best(of: 100) { blackHole(try? KLLFloatsSketch(serialized: kllImage)) }))
        record("kll_merge", Double(BenchClock.best(of: 100) { var copy = kll; copy.merge(kll); blackHole(copy) }))
        let rss = BenchClock.peakRSSMiB()

        let peerFigures = try peer.map(Self.runPeer) ?? [:]
        if json {
            var object = JSONObject()
            object.set("updates", updates)
            for figure in figures { object.set(figure.name + "_ns", figure.nanoseconds) }
            for (name, value) in peerFigures.sorted(by: { $0.key < $1.key }) { object.set("peer_" + name + "_ns", value) }
            object.set("peak_rss_mib", rss)
            print(object.text)
            return
        }
        print("Vigil sketches, \(updates) updates each, lgK 12 HLL_8, CMS 3×272, FI lgMax 10, KLL k 200")
        print(Self.row("figure", "vigil ns", "peer ns", "vigil/peer"))
        for figure in figures {
            let peerValue = peerFigures[figure.name]
            print(Self.row(figure.name, String(format: "%.2f", figure.nanoseconds),
                           peerValue.map { String(format: "%.2f", $0) } ?? "-",
                           peerValue.map { String(format: "%.3f", figure.nanoseconds / $0) } ?? "-"))
        }
        print(String(format: "peak RSS: %.1f MiB (includes the %d pre-generated keys, strings and floats)", rss, updates))
    }

    private static func row(_ name: String, _ vigil: String, _ peer: String, _ ratio: String) -> String {
        func right(_ text: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
        return name.padding(toLength: 20, withPad: " ", startingAt: 0) + right(vigil, 14) + right(peer, 14) + right(ratio, 12)
    }

    /// Runs the peer command through the shell and parses its `name ns` lines.
    static func runPeer(_ command: String) throws -> [String: Double] {
        Console.progress("running peer: \(command)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CLIError("peer command failed with status \(process.terminationStatus)") }
        var figures: [String: Double] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let value = Double(parts[1]) { figures[String(parts[0])] = value }
        }
        return figures
    }
}

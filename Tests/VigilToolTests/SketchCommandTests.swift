import Foundation
import Testing

@Suite struct SketchCommandTests {
    @Test func helpIsPrintedForEveryCommand() throws {
        for command in [[], ["sketch", "build"], ["sketch", "describe"], ["sketch", "merge"], ["bench", "sketches"], ["bench", "accuracy"], ["demo"]] {
            let result = try VigilProcess.run(command + ["--help"])
            #expect(result.status == 0, "\(command)")
            #expect(result.standardOutput.contains("USAGE: vigil"), "\(command)")
        }
    }

    @Test func buildsTheImageDataSketchesWrites() throws {
        let directory = try VigilProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("fruit.hll").path
        let build = try VigilProcess.run(["sketch", "build", "--type", "hll", "--lgk", "12", "--out", out],
                                         input: Data("apple\nbanana\ncherry\n\n".utf8))
        #expect(build.status == 0, "\(build.standardError)")
        // The compact image datasketches 5.2.0 writes for these three strings.
        #expect(try Data(contentsOf: URL(fileURLWithPath: out)).hex == "0201070c030803088414b608be4fd70aa63d4704")
        let describe = try VigilProcess.run(["sketch", "describe", out, "--json"])
        #expect(describe.status == 0)
        #expect(describe.standardOutput.hasPrefix(#"{"type":"hll","lg_k":12,"mode":"LIST","target":"HLL_8","empty":false,"estimate":3.0"#))
        #expect(describe.standardOutput.contains(#","lower_bound":[3,3,3],"upper_bound":["#))
        #expect(try #require(Self.number("estimate", in: describe.standardOutput)).rounded() == 3)
    }

    @Test func numericLinesHashLikeDataSketchesNumbers() throws {
        let directory = try VigilProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("ints.hll").path
        let lines = (0..<10000).map(String.init).joined(separator: "\n")
        let build = try VigilProcess.run(["sketch", "build", "--type", "hll", "--numeric", "int", "--out", out], input: Data(lines.utf8))
        #expect(build.status == 0)
        let image = try Data(contentsOf: URL(fileURLWithPath: out))
        #expect(image.count == 4136)
        #expect(image.prefix(16).hex == "0a01070c0008000a388366e67b77c340")
    }

    @Test func mergesShards() throws {
        let directory = try VigilProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var shards: [String] = []
        for shard in 0..<3 {
            let path = directory.appendingPathComponent("s\(shard).hll").path
            let lines = (shard * 5000..<(shard * 5000 + 10000)).map { "user-\($0)" }.joined(separator: "\n")
            #expect(try VigilProcess.run(["sketch", "build", "--type", "hll", "--out", path], input: Data(lines.utf8)).status == 0)
            shards.append(path)
        }
        let merged = directory.appendingPathComponent("all.hll").path
        #expect(try VigilProcess.run(["sketch", "merge", "--out", merged] + shards).status == 0)
        let describe = try VigilProcess.run(["sketch", "describe", merged, "--json"])
        let estimate = try #require(Self.number("estimate", in: describe.standardOutput))
        #expect(abs(estimate - 20000) < 20000 * 3 * 0.0162)
    }

    @Test func describesCountMinFrequentItemsAndKLL() throws {
        let directory = try VigilProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let cms = directory.appendingPathComponent("a.cms").path
        let input = Data("+14155550100\t5\n+14155550100\n+447700900123\t2.5\n".utf8)
        #expect(try VigilProcess.run(["sketch", "build", "--type", "cms", "--out", cms], input: input).status == 0)
        let c = try VigilProcess.run(["sketch", "describe", cms, "--json", "--item", "+14155550100"])
        #expect(Self.number("item_estimate", in: c.standardOutput) == 6)
        #expect(Self.number("total_weight", in: c.standardOutput) == 8.5)

        let fi = directory.appendingPathComponent("a.fi").path
        #expect(try VigilProcess.run(["sketch", "build", "--type", "fi", "--out", fi], input: Data("x\nx\ny\t3\n".utf8)).status == 0)
        let f = try VigilProcess.run(["sketch", "describe", fi, "--json", "--item", "x"])
        #expect(Self.number("item_estimate", in: f.standardOutput) == 2)
        #expect(Self.number("total_weight", in: f.standardOutput) == 5)

        let kll = directory.appendingPathComponent("a.kll").path
        let numbers = (1...1000).map(String.init).joined(separator: "\n")
        #expect(try VigilProcess.run(["sketch", "build", "--type", "kll", "--out", kll], input: Data(numbers.utf8)).status == 0)
        let k = try VigilProcess.run(["sketch", "describe", kll, "--json", "--rank", "0.5"])
        let median = try #require(Self.number("quantile", in: k.standardOutput))
        #expect(abs(median - 500) <= 1000 * 0.02)
        #expect(Self.number("n", in: k.standardOutput) == 1000)
    }

    @Test func mistakesGiveOneLineAndANonZeroStatus() throws {
        let directory = try VigilProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let corrupt = directory.appendingPathComponent("bad.hll")
        try Data([2, 1, 7, 12, 3]).write(to: corrupt)
        let notASketch = directory.appendingPathComponent("text.bin")
        try Data("hello world".utf8).write(to: notASketch)
        let cases: [[String]] = [
            ["sketch", "build", "--type", "hll", "--out", "/dev/null", "--bogus"],
            ["sketch", "build", "--type", "nope", "--out", "/dev/null"],
            ["sketch", "build", "--type", "hll"],
            ["sketch", "build", "--type", "hll", "--lgk", "30", "--out", "/dev/null"],
            ["sketch", "build", "--type", "hll", "--target", "HLL_4", "--out", "/dev/null"],
            ["sketch", "build", "--type", "hll", "--input", "/no/such/file", "--out", "/dev/null"],
            ["sketch", "describe", "/no/such/file"],
            ["sketch", "describe", corrupt.path],
            ["sketch", "describe", notASketch.path],
            ["sketch", "merge", "--out", "/dev/null"],
            ["sketch", "frobnicate"],
            ["nonsense"],
        ]
        for arguments in cases {
            let result = try VigilProcess.run(arguments)
            #expect(result.status != 0, "\(arguments)")
            #expect(result.errorLines.first?.hasPrefix("vigil: ") == true, "\(arguments): \(result.standardError)")
            #expect(result.errorLines.count == 1, "\(arguments): \(result.standardError)")
        }
        let numeric = try VigilProcess.run(["sketch", "build", "--type", "hll", "--numeric", "int", "--out", "/dev/null"], input: Data("1\n2\nthree\n".utf8))
        #expect(numeric.status != 0)
        #expect(numeric.standardError.contains("line 3"))
    }

    /// Reads a top-level number from our one-line JSON output.
    static func number(_ key: String, in json: String) -> Double? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return nil }
        return (object[key] as? NSNumber)?.doubleValue
    }
}

import Foundation
import Testing

/// `vigil bench integrity` on a tiny workload: every figure is printed, every event is applied on
/// both paths, the Redis peer runs (or the install hint is given), bad options are refused.
/// Figures are checked for presence and consistency, never for speed.
@Suite struct BenchIntegrityCommandTests {
    static func figures(_ output: String) throws -> [String: Double] {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        return object.compactMapValues { ($0 as? NSNumber)?.doubleValue }
    }

    static var redisServerOnPath: Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/redis-server") }
    }

    @Test func printsEveryFigureAndRunsTheRedisPeerWhenThereIsOne() throws {
        let result = try VigilBinary.run([
            "bench", "integrity", "--events", "4000", "--businesses", "20", "--users", "1000",
            "--redis-events", "1500", "--redis-pipeline", "100", "--lookahead", "8", "--json",
        ])
        #expect(result.status == 0, "\(result.standardError)")
        let figures = try Self.figures(result.standardOutput)
        #expect(figures["events"] == 4000)
        #expect(figures["lookahead"] == 8)
        #expect(figures["active_businesses"] == 20)
        for name in ["events_per_second", "events_per_cpu_second", "end_to_end_lines_per_second",
                     "parse_lines_per_second", "bytes_per_business_accounted_mean", "peak_rss_mib"] {
            #expect((figures[name] ?? 0) > 0, "\(name)")
        }
        #expect((figures["bytes_per_business_accounted_max"] ?? .infinity) <= 16_384)
        // The kernel's part of the CPU time is a part of it; what is left runs at least as fast.
        let kernel = try #require(figures["kernel_cpu_percent"])
        #expect(kernel >= 0 && kernel <= 100)
        let perUserSecond = try #require(figures["events_per_user_cpu_second"])
        let perSecond = try #require(figures["events_per_cpu_second"])
        #expect(perUserSecond == 0 || perUserSecond >= perSecond * (1 - 1e-9), "\(perUserSecond) < \(perSecond)")
        if Self.redisServerOnPath {
            #expect(figures["redis_events"] == 1500)
            let vigil = try #require(figures["events_per_second"])
            let redis = try #require(figures["redis_events_per_second"])
            #expect(abs(try #require(figures["ratio_vigil_to_redis"]) - vigil / redis) <= 1e-6 * vigil / redis)
        } else {
            #expect(figures["redis_events"] == nil)
            #expect(result.standardError.contains("apt-get install -y redis-server"))
        }
    }

    @Test func redisReplaysEveryEventOfTheRunByDefault() throws {
        let result = try VigilBinary.run([
            "bench", "integrity", "--events", "3000", "--businesses", "10", "--users", "1000",
            "--redis-pipeline", "100", "--json",
        ])
        #expect(result.status == 0, "\(result.standardError)")
        let figures = try Self.figures(result.standardOutput)
        #expect(figures["events"] == 3000)
        if Self.redisServerOnPath {
            #expect(figures["redis_events"] == 3000)
        } else {
            #expect(figures["redis_events"] == nil)
        }
    }

    /// A day that starts 12 hours before a key rotation: in its second half every event also
    /// carries its user's previous pseudonym (the grouped batch's side buffer), and every event
    /// is still applied on both paths (the command fails otherwise).
    @Test func aDayAcrossAKeyRotationIsReplayed() throws {
        let result = try VigilBinary.run([
            "bench", "integrity", "--events", "4000", "--businesses", "20", "--users", "1000",
            "--start", "1702900800000", "--no-redis", "--json",
        ])
        #expect(result.status == 0, "\(result.standardError)")
        let figures = try Self.figures(result.standardOutput)
        #expect(figures["start"] == 1_702_900_800_000)
        #expect(figures["events"] == 4000)
        #expect((figures["end_to_end_lines_per_second"] ?? 0) > 0)
        let late = try VigilBinary.run(["bench", "integrity", "--start", "4102444800001"])
        #expect(late.status != 0)
        #expect(late.standardError.contains("--start"))
    }

    @Test func refusesContradictoryOptions() throws {
        let both = try VigilBinary.run(["bench", "integrity", "--no-redis", "--redis-server", "/usr/bin/redis-server"])
        #expect(both.status != 0)
        #expect(both.standardError.contains("--no-redis and --redis-server exclude each other"))
        let passes = try VigilBinary.run(["bench", "integrity", "--passes", "2"])
        #expect(passes.status != 0)
        #expect(passes.standardError.contains("--passes needs --profile"))
        let lookahead = try VigilBinary.run(["bench", "integrity", "--lookahead", "65"])
        #expect(lookahead.status != 0)
        #expect(lookahead.standardError.contains("--lookahead"))
    }
}

import Stats

/// `vigil demo`: for now a Stats walk-through on a synthetic stream; the full relay / Cloud API /
/// integrity demonstration replaces it when those modules exist.
struct DemoCommand: Command {
    static let help = """
        USAGE: vigil demo [--users N] [--messages N]

        Runs Vigil's demonstration on embedded defaults. At this stage of the project it streams
        synthetic messaging metadata (business, user, size) through the Stats sketches and prints what
        the integrity analyzer will build on: distinct users (HLL), per-business message counts
        (Count-Min), the heaviest senders (frequent items) and message-size quantiles (KLL).

        OPTIONS:
          --users N      distinct users in the synthetic stream (default 200000)
          --messages N   messages in the stream (default 1000000)
        """

    let users: Int
    let messages: Int

    init(parsing arguments: inout Arguments) throws(CLIError) {
        users = try arguments.integer("--users", in: 1...100_000_000) ?? 200_000
        messages = try arguments.integer("--messages", in: 1...1_000_000_000) ?? 1_000_000
    }

    func run() throws {
        var random = SplitMix64(seed: 2026)
        var reach = try HLLSketch(lgK: 12)
        var perBusiness = try CountMinSketch(numHashes: 3, numBuckets: 2048)
        var heavy = try FrequentItemsSketch(lgMaxMapSize: 8)
        var sizes = try KLLFloatsSketch(k: 200)
        let businesses = (0..<500).map { "+1415555\(zeroPadded($0, width: 4))" }
        Console.progress("streaming \(messages) synthetic messages from 500 businesses to \(users) users …")
        for index in 0..<messages {
            // A few businesses send most traffic (Zipf-like), one of them messages everyone.
            let draw = random.next()
            let business = index % 10 == 0 ? businesses[0] : businesses[Int((draw >> 40) % 500 * ((draw >> 20) % 500)) / 500]
            let user = Int64(random.next() % UInt64(users))
            reach.update(user)
            perBusiness.update(business)
            heavy.update(business)
            sizes.update(Float(64 + random.next() % 4096))
            if index > 0, index % 250_000 == 0 { Console.progress("  … \(index) messages") }
        }
        print("distinct users reached: \(Int(reach.estimate)) (true \(users), ±\(Int(try reach.upperBound(standardDeviations: 2) - reach.estimate)) at 2σ)")
        print("messages from \(businesses[0]): about \(Int(perBusiness.estimate(businesses[0]))) of \(messages)")
        print("heaviest senders (no false positives):")
        for row in heavy.frequentItems(errorType: .noFalsePositives).prefix(5) {
            print("  \(row.item)  ≈ \(row.estimate)  [\(row.lowerBound), \(row.upperBound)]")
        }
        let quantiles = try sizes.quantiles(ranks: [0.5, 0.9, 0.99])
        print("message size p50 / p90 / p99: \(quantiles.map { Int($0) }) bytes")
        print("sketch images: HLL \(reach.serialized().count) B, Count-Min \(perBusiness.serialized().count) B, frequent items \(heavy.serialized().count) B, KLL \(sizes.serialized().count) B")
    }
}

/// `value` in decimal, left-padded with zeros to `width` digits.
func zeroPadded(_ value: Int, width: Int) -> String {
    let digits = String(value)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
}

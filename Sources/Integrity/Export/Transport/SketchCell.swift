public import Stats
import Transport

/// One cell's raw, mergeable state for the transport audience: exact counters plus DataSketches
/// sketches — an HLL of user pseudonyms, an HLL of business numbers, KLL sketches of message size
/// and delivery latency. Not non-identifying (a pseudonym HLL can be probed), so it never goes to
/// the platform audience.
public struct SketchCell: Sendable {
    /// Messages.
    public var sent: Int64 = 0
    /// Delivered receipts.
    public var delivered: Int64 = 0
    /// Read receipts.
    public var read: Int64 = 0
    /// Blocks by ``BlockReason`` index in `allCases`.
    public var blocks = [Int64](repeating: 0, count: BlockReason.allCases.count)
    /// Reports by ``ReportReason`` index in `allCases`.
    public var reports = [Int64](repeating: 0, count: ReportReason.allCases.count)
    /// Distinct users (fed the pseudonym's hash, so every shard under the same key agrees).
    public var users: HLLSketch
    /// Distinct businesses (fed the business number's digits as an int64, DataSketches hashing).
    public var businesses: HLLSketch
    /// Message sizes in bytes.
    public var sizes: KLLFloatsSketch
    /// Delivery latencies in milliseconds.
    public var latencies: KLLFloatsSketch

    /// An empty cell with HLL sketches of `lgK` and KLL sketches of the default k (200).
    /// - Throws: ``ExportError/invalidParameter(_:)`` for an lgK outside 4…21.
    public init(lgK: Int) throws(ExportError) {
        do {
            users = try HLLSketch(lgK: lgK)
            businesses = try HLLSketch(lgK: lgK)
        } catch {
            throw .invalidParameter("\(error)")
        }
        do {
            sizes = try KLLFloatsSketch()
            latencies = try KLLFloatsSketch()
        } catch {
            throw .invalidParameter("\(error)")
        }
    }

    /// A cell from its parts (decoded images).
    public init(sent: Int64, delivered: Int64, read: Int64, blocks: [Int64], reports: [Int64],
                users: HLLSketch, businesses: HLLSketch, sizes: KLLFloatsSketch, latencies: KLLFloatsSketch) {
        self.sent = sent
        self.delivered = delivered
        self.read = read
        self.blocks = blocks
        self.reports = reports
        self.users = users
        self.businesses = businesses
        self.sizes = sizes
        self.latencies = latencies
    }

    mutating func add(_ observation: Observation) {
        let hash = observation.user.sketchHash
        users.update(hash: MurmurHash3.Hash128(h1: hash.h1, h2: hash.h2))
        businesses.update(Int64(bitPattern: observation.business))
        switch observation.metric {
        case let .sent(bytes):
            sent += 1
            sizes.update(Float(bytes))
        case let .delivered(latency):
            delivered += 1
            if let latency { latencies.update(Float(latency)) }
        case .read:
            read += 1
        case let .block(reason):
            blocks[BlockReason.allCases.firstIndex(of: reason) ?? 0] += 1
        case let .report(reason):
            reports[ReportReason.allCases.firstIndex(of: reason) ?? 0] += 1
        }
    }

    /// The union of two shards' cells: counters add, HLLs unite (register max), KLLs merge.
    public func merged(with other: SketchCell) throws(ExportError) -> SketchCell {
        var result = self
        result.sent += other.sent
        result.delivered += other.delivered
        result.read += other.read
        result.blocks = zip(blocks, other.blocks).map(+)
        result.reports = zip(reports, other.reports).map(+)
        result.users = try Self.union(users, other.users)
        result.businesses = try Self.union(businesses, other.businesses)
        result.sizes.merge(other.sizes)
        result.latencies.merge(other.latencies)
        return result
    }

    private static func union(_ a: HLLSketch, _ b: HLLSketch) throws(ExportError) -> HLLSketch {
        var union: HLLUnion
        do {
            union = try HLLUnion(lgMaxK: max(a.lgK, b.lgK))
        } catch {
            throw .invalidParameter("\(error)")
        }
        union.update(a)
        union.update(b)
        return union.result
    }
}

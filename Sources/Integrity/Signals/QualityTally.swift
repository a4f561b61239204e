/// The policy's quality score kept up to date between scans of the 7-day table, so that a counted
/// block or report — and the hourly re-measure — costs O(1) instead of a scan.
///
/// A scan at tick `frame` (``BusinessState/measureQuality(tick:parameters:)``) starts it. Every
/// field of the table (a delivery, a counted block, a counted report) at tick `t` is summed as
/// 2^((t − frame) / half-life) — its recency weight seen from the frame — so sums never need
/// decaying: seen from tick `frame + k`, each is multiplied by the weight of age `k`. A field
/// leaves the sums when it is overwritten or its entry dropped; a field that ages past 7 days
/// during the next ``horizon`` ticks was put, at the scan, in the bucket of the tick it expires
/// at, and is taken out from that tick on. The tally holds until the first tick at which a field
/// of the scan expires outside the buckets (at least ``horizon`` ticks; up to 7 days when the
/// table holds nothing older than its traffic) — beyond that, or after anything that drops
/// entries wholesale (purges, level changes, key rotations, weekly sweeps), it is invalid and
/// the next re-measure scans again.
///
/// The score equals the scan's up to rounding (the same terms summed in another order): counts
/// are exact, so "no delivery and no feedback" (a nil score) is decided exactly.
struct QualityTally: Sendable {
    /// Ticks after the frame that expiry buckets cover.
    static let horizon = 8

    /// The fields expiring at one tick of the horizon.
    struct Bucket: Sendable {
        var delivered = 0.0
        var negative = 0.0
        var deliveredCount: Int32 = 0
        var negativeCount: Int32 = 0
    }

    /// The bytes before the expiry buckets (what every delivery reads), stored properties being
    /// laid out in declaration order.
    static var headerBytes: Int { MemoryLayout<QualityTally>.offset(of: \QualityTally.expiring) ?? MemoryLayout<QualityTally>.size }

    /// The tick of the scan the sums start from; `.min` when invalid.
    private(set) var frame: Int64 = .min
    /// Σ 2^((t − frame) / half-life) over deliveries live at the frame or made since.
    private(set) var delivered = 0.0
    /// Σ of the same × reason weight over counted blocks and reports.
    private(set) var negative = 0.0
    /// How many deliveries, and blocks and reports of non-zero reason weight, the sums hold.
    private(set) var deliveredCount: Int32 = 0
    private(set) var negativeCount: Int32 = 0
    /// The last tick after the frame the sums hold at: before the first field of the scan expires
    /// outside the buckets, and within 7 days (``horizon`` … 1007).
    private(set) var coverage = Int32(TimeTicks.week - 1)
    /// Bit `j − 1` set when `expiring[j − 1]` holds a field: re-measuring reads only those
    /// buckets (they lie past the lines every event touches).
    private(set) var bucketMask: UInt8 = 0
    /// `expiring[j − 1]`: the fields (already in the sums) that expire at tick `frame + j`.
    private(set) var expiring = InlineArray<8, Bucket>(repeating: Bucket())

    /// An invalid tally (the next re-measure scans).
    init() {}

    /// A tally as a snapshot holds it.
    init(frame: Int64, delivered: Double, negative: Double, deliveredCount: Int32, negativeCount: Int32,
         coverage: Int32, expiring: InlineArray<8, Bucket>) {
        self.frame = frame
        self.delivered = delivered
        self.negative = negative
        self.deliveredCount = deliveredCount
        self.negativeCount = negativeCount
        self.coverage = coverage
        self.expiring = expiring
        for index in 0..<Self.horizon where expiring[index].deliveredCount != 0 || expiring[index].negativeCount != 0 {
            bucketMask |= 1 << UInt8(index)
        }
    }

    /// Whether the sums describe the table.
    var isValid: Bool { frame != .min }

    /// Forgets the sums (the table changed in a way they do not follow).
    mutating func invalidate() { frame = .min }

    /// Restarts the sums from a scan of `table` at `tick`.
    mutating func rebuild(from table: SampledTable<ContactProof>, tick: Int64, parameters: SignalParameters) {
        self = QualityTally()
        frame = tick
        table.forEach { entry in
            if let age = entry.deliveredAge(now: tick), age < TimeTicks.week {
                add(age: age, negative: false, weight: 1, parameters: parameters)
            }
            if let age = entry.blockedAge(now: tick), age < TimeTicks.week {
                add(age: age, negative: true, weight: parameters.blockWeights[Int(entry.blockReason.rawValue)], parameters: parameters)
            }
            if let age = entry.reportedAge(now: tick), age < TimeTicks.week {
                add(age: age, negative: true, weight: parameters.reportWeights[Int(entry.reportReason.rawValue)], parameters: parameters)
            }
        }
    }

    /// Whether the sums can give the score at `tick` (valid, and `tick` within the coverage).
    func covers(tick: Int64) -> Bool {
        isValid && tick >= frame && tick - frame <= Int64(coverage)
    }

    /// The quality score at `tick` — what ``QualityMeasure/score(priorUsers:scale:)`` gives for a
    /// scan at `tick`. The tally must cover the tick (``covers(tick:)``).
    @inline(__always)
    func score(tick: Int64, priorUsers: Double, scale: Double, parameters: SignalParameters) -> Double? {
        precondition(covers(tick: tick), "the quality tally does not cover tick \(tick)")
        let ticks = Int(tick - frame)
        var delivered = self.delivered, negative = self.negative
        var deliveredCount = self.deliveredCount, negativeCount = self.negativeCount
        var expired = ticks >= Self.horizon ? bucketMask : bucketMask & (1 << UInt8(ticks) - 1)
        while expired != 0 {
            let index = expired.trailingZeroBitCount
            expired &= expired - 1
            let bucket = expiring[index]
            delivered -= bucket.delivered
            negative -= bucket.negative
            deliveredCount -= bucket.deliveredCount
            negativeCount -= bucket.negativeCount
        }
        let decay = parameters.weight(age: ticks)
        let deliveredWeight = deliveredCount > 0 ? delivered * decay : 0
        let negativeWeight = negativeCount > 0 ? negative * decay : 0
        guard deliveredWeight > 0 || negativeWeight > 0 else { return nil }
        return negativeWeight / (deliveredWeight + priorUsers / scale)
    }

    /// Follows one entry of the table changing from `old` to `new` at `tick` (a delivery, block or
    /// report recorded on it). Out of the coverage the tally is dropped instead.
    mutating func update(from old: ContactProof, to new: ContactProof, tick: Int64, parameters: SignalParameters) {
        guard isValid else { return }
        guard covers(tick: tick) else { return invalidate() }
        let since = Int(tick - frame)
        let oldDelivered = old.deliveredAge(now: tick), newDelivered = new.deliveredAge(now: tick)
        if oldDelivered != newDelivered {
            if let age = oldDelivered { remove(age: age, since: since, negative: false, weight: 1, parameters: parameters) }
            if let age = newDelivered { add(age: age - since, negative: false, weight: 1, parameters: parameters) }
        }
        let oldBlocked = old.blockedAge(now: tick), newBlocked = new.blockedAge(now: tick)
        if oldBlocked != newBlocked || old.blockReason != new.blockReason {
            if let age = oldBlocked {
                remove(age: age, since: since, negative: true, weight: parameters.blockWeights[Int(old.blockReason.rawValue)], parameters: parameters)
            }
            if let age = newBlocked {
                add(age: age - since, negative: true, weight: parameters.blockWeights[Int(new.blockReason.rawValue)], parameters: parameters)
            }
        }
        let oldReported = old.reportedAge(now: tick), newReported = new.reportedAge(now: tick)
        if oldReported != newReported || old.reportReason != new.reportReason {
            if let age = oldReported {
                remove(age: age, since: since, negative: true, weight: parameters.reportWeights[Int(old.reportReason.rawValue)], parameters: parameters)
            }
            if let age = newReported {
                add(age: age - since, negative: true, weight: parameters.reportWeights[Int(new.reportReason.rawValue)], parameters: parameters)
            }
        }
    }

    /// Adds a field `age` ticks old as seen from the frame (negative: made after the frame).
    @inline(__always)
    private mutating func add(age: Int, negative isNegative: Bool, weight: Double, parameters: SignalParameters) {
        guard age < TimeTicks.week else { return }
        let term = Self.frameWeight(age: age, parameters: parameters) * weight
        // The tick (after the frame) the field expires at: only fields of the scan ≥ 1000 ticks
        // old expire within the buckets; the earliest of the others ends the coverage.
        let bucket = TimeTicks.week - age
        if bucket > Self.horizon { coverage = min(coverage, Int32(bucket - 1)) }
        if isNegative {
            self.negative += term
            if weight != 0 { negativeCount += 1 }
            if bucket <= Self.horizon && weight != 0 {
                expiring[bucket - 1].negative += term
                expiring[bucket - 1].negativeCount += 1
                bucketMask |= 1 << UInt8(bucket - 1)
            }
        } else {
            delivered += term
            deliveredCount += 1
            if bucket <= Self.horizon {
                expiring[bucket - 1].delivered += term
                expiring[bucket - 1].deliveredCount += 1
                bucketMask |= 1 << UInt8(bucket - 1)
            }
        }
    }

    /// Takes out a field `age` ticks old at `since` ticks after the frame, if the sums hold it (it
    /// was live at the frame or made since). One that has expired since is in its bucket too and
    /// leaves both, so the difference stays right.
    @inline(__always)
    private mutating func remove(age: Int, since: Int, negative isNegative: Bool, weight: Double, parameters: SignalParameters) {
        let frameAge = age - since
        guard frameAge < TimeTicks.week else { return }
        let term = Self.frameWeight(age: frameAge, parameters: parameters) * weight
        let bucket = TimeTicks.week - frameAge
        if isNegative {
            self.negative -= term
            if weight != 0 { negativeCount -= 1 }
            if bucket <= Self.horizon && weight != 0 {
                expiring[bucket - 1].negative -= term
                expiring[bucket - 1].negativeCount -= 1
                emptied(bucket: bucket)
            }
        } else {
            delivered -= term
            deliveredCount -= 1
            if bucket <= Self.horizon {
                expiring[bucket - 1].delivered -= term
                expiring[bucket - 1].deliveredCount -= 1
                emptied(bucket: bucket)
            }
        }
    }

    /// Clears `bucket` (and its bit) if it no longer holds a field, dropping rounding residue.
    @inline(__always)
    private mutating func emptied(bucket: Int) {
        guard expiring[bucket - 1].deliveredCount == 0 && expiring[bucket - 1].negativeCount == 0 else { return }
        expiring[bucket - 1] = Bucket()
        bucketMask &= ~(1 << UInt8(bucket - 1))
    }

    /// 2^(−age / half-life) for a field `age` ticks old seen from the frame; a field made after
    /// the frame (−1007 ≤ age < 0) weighs more than 1.
    @inline(__always)
    private static func frameWeight(age: Int, parameters: SignalParameters) -> Double {
        age >= 0 ? parameters.weight(age: age) : parameters.growthWeights[-age]
    }
}

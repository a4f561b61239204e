// LIST and SET modes: coupons kept exactly until there are enough to justify registers.
extension HLLSketch {
    /// LIST/SET mode: inserts a coupon, promoting LIST → SET → HLL as DataSketches does.
    @usableFromInline
    mutating func updateCoupon(_ coupon: UInt32) {
        switch mode {
        case .list:
            for index in coupons.indices {
                if coupons[index] == coupon { return }
                if coupons[index] == 0 {
                    coupons[index] = coupon
                    couponCount += 1
                    if couponCount == coupons.count {
                        if lgK < 8 { promoteToHLL() } else { promoteListToSet() }
                    }
                    return
                }
            }
        case .set:
            guard case let .empty(index) = Self.find(coupon, in: coupons) else { return }
            coupons[index] = coupon
            couponCount += 1
            if 4 * couponCount > 3 * coupons.count {
                if coupons.count.trailingZeroBitCount == lgK - 3 {
                    promoteToHLL()
                } else {
                    coupons = Self.rehash(coupons, lgSize: coupons.count.trailingZeroBitCount + 1)
                }
            }
        case .hll:
            updateRegister(slot: Int(coupon & HLLConstants.keyMask26) & (k - 1), value: UInt8(coupon >> 26))
        }
    }

    /// The valid coupons in iteration order (list order, or table order for a set).
    var validCoupons: [UInt32] { coupons.filter { $0 != 0 } }

    enum Probe: Equatable {
        case found(Int)
        case empty(Int)
        case full
    }

    /// DataSketches' open-addressing probe: start at `coupon & mask`, stride from the coupon's
    /// higher address bits, always odd so it visits every slot of the power-of-two table.
    static func find(_ coupon: UInt32, in table: [UInt32]) -> Probe {
        let lgSize = UInt32(table.count.trailingZeroBitCount)
        let mask = UInt32(table.count - 1)
        let stride = ((coupon & HLLConstants.keyMask26) >> lgSize) | 1
        var probe = coupon & mask
        let start = probe
        repeat {
            let existing = table[Int(probe)]
            if existing == 0 { return .empty(Int(probe)) }
            if existing == coupon { return .found(Int(probe)) }
            probe = (probe &+ stride) & mask
        } while probe != start
        return .full
    }

    /// Re-inserts the coupons of `table` in table order into a new table of 2^lgSize slots.
    static func rehash(_ table: [UInt32], lgSize: Int) -> [UInt32] {
        var grown = [UInt32](repeating: 0, count: 1 << lgSize)
        for coupon in table where coupon != 0 {
            if case let .empty(index) = find(coupon, in: grown) { grown[index] = coupon }
        }
        return grown
    }

    private mutating func promoteListToSet() {
        let list = validCoupons
        mode = .set
        coupons = [UInt32](repeating: 0, count: 1 << HLLConstants.lgInitialSetSize)
        couponCount = 0
        for coupon in list { updateCoupon(coupon) }
    }

    /// Moves to HLL mode; HIP starts from the coupon estimate, as in DataSketches.
    mutating func promoteToHLL() {
        let list = validCoupons
        let count = couponCount
        mode = .hll
        registers = [UInt8](repeating: 0, count: k)
        zeroRegisters = k
        kxq0 = Double(k)
        kxq1 = 0
        hipAccumulator = 0
        for coupon in list {
            updateRegister(slot: Int(coupon & HLLConstants.keyMask26) & (k - 1), value: UInt8(coupon >> 26))
        }
        hipAccumulator = HLLEstimators.couponEstimate(count: count)
        isOutOfOrder = false
        coupons = []
        couponCount = 0
    }
}

extension HLLSketch {
    /// Whether two sketches hold the same state. In LIST and SET modes the coupons are compared as
    /// a set: their layout follows insertion order, but nothing observable does — the estimate,
    /// the bounds, later updates and the promotion to HLL mode depend only on which coupons are
    /// held. (Serialized images keep DataSketches' layout, so equal sketches may serialize
    /// differently.) In HLL mode every register and accumulator must match; the HIP accumulator
    /// does depend on the order of updates, and it is what the estimate reports.
    public static func == (lhs: HLLSketch, rhs: HLLSketch) -> Bool {
        guard lhs.lgK == rhs.lgK, lhs.mode == rhs.mode, lhs.isOutOfOrder == rhs.isOutOfOrder,
              lhs.couponCount == rhs.couponCount, lhs.registers == rhs.registers,
              lhs.hipAccumulator == rhs.hipAccumulator, lhs.kxq0 == rhs.kxq0, lhs.kxq1 == rhs.kxq1,
              lhs.zeroRegisters == rhs.zeroRegisters else { return false }
        return lhs.coupons == rhs.coupons || lhs.validCoupons.sorted() == rhs.validCoupons.sorted()
    }
}

/// Merges HLL sketches of any lgK (≥ 4) into an HLL_8 "gadget" of at most `lgMaxK`, following
/// DataSketches' `hll_union` exactly: coupons are replayed, register arrays are merged by
/// per-register maximum (downsampling the larger lgK), and after a register merge HIP is no longer
/// valid so the composite estimator is used.
public struct HLLUnion: Sendable, Equatable {
    /// The largest lgK the union keeps.
    public let lgMaxK: Int
    private var gadget: HLLSketch
    /// After a register merge the kxq sums are stale until rebuilt (DataSketches' rebuild flag).
    private var kxqStale = false

    /// Creates an empty union that keeps at most 2^lgMaxK registers.
    public init(lgMaxK: Int = HLLSketch.defaultLgK) throws(HLLSketch.ConfigurationError) {
        gadget = try HLLSketch(lgK: lgMaxK)
        self.lgMaxK = lgMaxK
    }

    /// Adds a sketch to the union.
    public mutating func update(_ sketch: HLLSketch) {
        if sketch.isEmpty { return }
        switch sketch.mode {
        case .list, .set:
            if gadget.isEmpty, sketch.lgK == gadget.lgK {
                gadget = sketch
                kxqStale = false
            } else {
                for coupon in sketch.validCoupons { gadget.updateCoupon(coupon) }
            }
        case .hll:
            if gadget.isEmpty {
                (gadget, kxqStale) = Self.copyOrDownsample(sketch, stale: false, to: lgMaxK)
            } else if gadget.mode != .hll {
                let replay = gadget.validCoupons
                (gadget, kxqStale) = Self.copyOrDownsample(sketch, stale: false, to: lgMaxK)
                for coupon in replay { gadget.updateCoupon(coupon) }
            } else {
                if sketch.lgK < gadget.lgK {
                    (gadget, kxqStale) = Self.copyOrDownsample(gadget, stale: kxqStale, to: sketch.lgK)
                }
                gadget.mergeRegisters(of: sketch)
                kxqStale = true
                gadget.isOutOfOrder = true
                gadget.hipAccumulator = 0
            }
        }
    }

    /// Adds a single item straight into the union's gadget.
    public mutating func update(_ item: some SketchHashable) {
        gadget.update(item)
    }

    /// The union as a sketch (HLL_8), as DataSketches' `get_result(HLL_8)` returns it.
    public var result: HLLSketch {
        kxqStale ? gadget.recomputingKxqIncrementally() : gadget
    }

    /// The union's estimate, as DataSketches' `hll_union::get_estimate()` computes it.
    public var estimate: Double { forEstimation.estimate }

    /// The composite estimate of the union.
    public var compositeEstimate: Double { forEstimation.compositeEstimate }

    /// Lower bound at 1…3 standard deviations.
    public func lowerBound(standardDeviations: Int) throws(HLLSketch.ConfigurationError) -> Double {
        try forEstimation.lowerBound(standardDeviations: standardDeviations)
    }

    /// Upper bound at 1…3 standard deviations.
    public func upperBound(standardDeviations: Int) throws(HLLSketch.ConfigurationError) -> Double {
        try forEstimation.upperBound(standardDeviations: standardDeviations)
    }

    /// Whether nothing has been added.
    public var isEmpty: Bool { gadget.isEmpty }

    private var forEstimation: HLLSketch {
        kxqStale ? gadget.rebuildingKxq() : gadget
    }

    /// DataSketches' `copy_or_downsample`: a copy when `lgK` fits, otherwise a merge into fewer registers.
    private static func copyOrDownsample(_ source: HLLSketch, stale: Bool, to lgK: Int) -> (HLLSketch, Bool) {
        if source.lgK <= lgK {
            return (stale ? source.recomputingKxqIncrementally() : source, false)
        }
        // lgK is a valid lgK of an existing sketch or union, hence in range.
        guard var target = try? HLLSketch(lgK: lgK) else { return (source, stale) }
        target.promoteToHLL()
        target.mergeRegisters(of: source)
        target.hipAccumulator = source.hipAccumulator
        target.isOutOfOrder = source.isOutOfOrder
        return (target, true)
    }
}

extension HLLSketch {
    /// Per-register maximum with `other`'s registers folded onto this sketch's 2^lgK slots.
    /// Leaves the kxq sums stale (callers rebuild them) but keeps the zero count exact.
    ///
    /// DataSketches 5.2.0 leaves its zero count stale here too, so a union that downsampled into an
    /// empty gadget still looks empty and the next sketch replaces it (`hll_union(10)` of two
    /// disjoint lgK-12 sketches of 5000 items estimates ≈ 5016). Vigil keeps the count exact.
    mutating func mergeRegisters(of other: HLLSketch) {
        let mask = k - 1
        var hitZeros = 0
        registers.withUnsafeMutableBufferPointer { target in
            for (slot, value) in other.registers.enumerated() where value > target[slot & mask] {
                if target[slot & mask] == 0 { hitZeros += 1 }
                target[slot & mask] = value
            }
        }
        zeroRegisters -= hitZeros
    }

    /// DataSketches' HLL_8 conversion: kxq sums and zero count replayed register by register from
    /// an empty array, HIP and the out-of-order flag kept.
    func recomputingKxqIncrementally() -> HLLSketch {
        var copy = self
        copy.kxq0 = Double(k)
        copy.kxq1 = 0
        copy.zeroRegisters = k
        for value in registers where value > 0 {
            copy.kxq0 -= 1
            if value < 32 { copy.kxq0 += HLLConstants.inversePowerOfTwo(value) } else { copy.kxq1 += HLLConstants.inversePowerOfTwo(value) }
            copy.zeroRegisters -= 1
        }
        return copy
    }

    /// DataSketches' `check_rebuild_kxq_cur_min` arithmetic, used for a union's estimates.
    func rebuildingKxq() -> HLLSketch {
        var copy = self
        copy.kxq0 = Double(k)
        copy.kxq1 = 0
        copy.zeroRegisters = 0
        for value in registers {
            if value == 0 { copy.zeroRegisters += 1; continue }
            if value < 32 {
                copy.kxq0 += HLLConstants.inversePowerOfTwo(value) - 1.0
            } else {
                copy.kxq1 += HLLConstants.inversePowerOfTwo(value) - 1.0
            }
        }
        return copy
    }
}

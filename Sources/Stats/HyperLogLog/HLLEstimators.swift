import Foundation

/// DataSketches' HLL estimators: cubic interpolation for coupons, HIP, the composite estimator and
/// the relative-error tables behind the bounds.
enum HLLEstimators {
    /// Relative standard error of a coupon count at the LIST/SET → HLL transition.
    static let couponRelativeStandardError = 0.409 / Double(1 << 13)
    static let hipRSEFactor = 0.8325546 // sqrt(ln 2)
    static let nonHipRSEFactor = 1.03896 // sqrt(3 ln 2 − 1)

    /// The estimate for `count` distinct coupons (LIST and SET modes).
    static func couponEstimate(count: Int) -> Double {
        max(cubicInterpolation(x: HLLTables.couponX, y: HLLTables.couponY, at: Double(count)), Double(count))
    }

    /// Cubic (Lagrange) interpolation through the four points around `x`.
    static func cubicInterpolation(x xs: [Double], y ys: [Double], at x: Double) -> Double {
        if x >= xs[xs.count - 1] { return ys[ys.count - 1] }
        let offset = straddle(xs, x)
        let start = offset == 0 ? 0 : (offset == xs.count - 2 ? offset - 2 : offset - 1)
        return lagrange(xs[start..<(start + 4)], ys[start..<(start + 4)], x)
    }

    /// Cubic interpolation on an x table whose y values are `stride · index`.
    static func cubicInterpolation(x xs: [Double], yStride: Double, at x: Double) -> Double {
        if x >= xs[xs.count - 1] { return yStride * Double(xs.count - 1) }
        let offset = straddle(xs, x)
        let start = offset == 0 ? 0 : (offset == xs.count - 2 ? offset - 2 : offset - 1)
        let ys = (start..<(start + 4)).map { yStride * Double($0) }
        return lagrange(xs[start..<(start + 4)], ys[...], x)
    }

    /// The index j with xs[j] ≤ x < xs[j + 1], by bisection like DataSketches.
    private static func straddle(_ xs: [Double], _ x: Double) -> Int {
        var low = 0
        var high = xs.count - 1
        while low + 1 < high {
            let middle = low + (high - low) / 2
            if xs[middle] <= x { low = middle } else { high = middle }
        }
        return low
    }

    private static func lagrange(_ xs: ArraySlice<Double>, _ ys: ArraySlice<Double>, _ x: Double) -> Double {
        let x0 = xs[xs.startIndex], x1 = xs[xs.startIndex + 1], x2 = xs[xs.startIndex + 2], x3 = xs[xs.startIndex + 3]
        let y0 = ys[ys.startIndex], y1 = ys[ys.startIndex + 1], y2 = ys[ys.startIndex + 2], y3 = ys[ys.startIndex + 3]
        let l0Numerator = (x - x1) * (x - x2) * (x - x3)
        let l1Numerator = (x - x0) * (x - x2) * (x - x3)
        let l2Numerator = (x - x0) * (x - x1) * (x - x3)
        let l3Numerator = (x - x0) * (x - x1) * (x - x2)
        let l0Denominator = (x0 - x1) * (x0 - x2) * (x0 - x3)
        let l1Denominator = (x1 - x0) * (x1 - x2) * (x1 - x3)
        let l2Denominator = (x2 - x0) * (x2 - x1) * (x2 - x3)
        let l3Denominator = (x3 - x0) * (x3 - x1) * (x3 - x2)
        let term0 = y0 * l0Numerator / l0Denominator
        let term1 = y1 * l1Numerator / l1Denominator
        let term2 = y2 * l2Numerator / l2Denominator
        let term3 = y3 * l3Numerator / l3Denominator
        return term0 + term1 + term2 + term3
    }

    /// DataSketches' relative error for bounds: tables up to lgK 12, the asymptotic RSE beyond.
    static func relativeError(upper: Bool, unioned: Bool, lgK: Int, standardDeviations: Int) -> Double {
        if lgK > 12 {
            let factor = unioned ? nonHipRSEFactor : hipRSEFactor
            return (upper ? -1 : 1) * (Double(standardDeviations) * factor) / Double(1 << lgK).squareRoot()
        }
        let index = (lgK - 4) * 3 + (standardDeviations - 1)
        switch (unioned, upper) {
        case (false, false): return HLLTables.hipLb[index]
        case (false, true): return HLLTables.hipUb[index]
        case (true, false): return HLLTables.nonHipLb[index]
        case (true, true): return HLLTables.nonHipUb[index]
        }
    }

    /// The raw HyperLogLog estimate α·k²/Σ2^−register.
    static func rawEstimate(lgK: Int, kxqSum: Double) -> Double {
        let k = Double(1 << lgK)
        let correction: Double = switch lgK {
        case 4: 0.673
        case 5: 0.697
        case 6: 0.709
        default: 0.7213 / (1.0 + 1.079 / k)
        }
        return correction * k * k / kxqSum
    }

    /// Linear counting from the number of registers that were hit, with harmonic numbers.
    static func bitmapEstimate(lgK: Int, zeroRegisters: Int) -> Double {
        let k = 1 << lgK
        if zeroRegisters == 0 { return Double(k) * log(Double(k) / 0.5) }
        return Double(k) * (harmonicNumber(k) - harmonicNumber(zeroRegisters))
    }

    private static let exactHarmonicNumbers: [Double] = [
        0.0, 1.0, 1.5, 11.0 / 6.0, 25.0 / 12.0, 137.0 / 60.0, 49.0 / 20.0, 363.0 / 140.0, 761.0 / 280.0,
        7129.0 / 2520.0, 7381.0 / 2520.0, 83711.0 / 27720.0, 86021.0 / 27720.0, 1145993.0 / 360360.0,
        1171733.0 / 360360.0, 1195757.0 / 360360.0, 2436559.0 / 720720.0, 42142223.0 / 12252240.0,
        14274301.0 / 4084080.0, 275295799.0 / 77597520.0, 55835135.0 / 15519504.0, 18858053.0 / 5173168.0,
        19093197.0 / 5173168.0, 444316699.0 / 118982864.0, 1347822955.0 / 356948592.0,
    ]

    /// H(n): exact for small n, the asymptotic series beyond.
    static func harmonicNumber(_ n: Int) -> Double {
        if n < exactHarmonicNumbers.count { return exactHarmonicNumbers[n] }
        let x = Double(n)
        let inverseSquare = 1.0 / (x * x)
        var sum = log(x) + 0.577215664901532860606512090082 + 1.0 / (2.0 * x)
        var power = inverseSquare
        sum -= power * (1.0 / 12.0)
        power *= inverseSquare
        sum += power * (1.0 / 120.0)
        power *= inverseSquare
        sum -= power * (1.0 / 252.0)
        power *= inverseSquare
        sum += power * (1.0 / 240.0)
        return sum
    }

    /// The composite estimator used once HIP is invalid: interpolated raw HLL estimate blended with
    /// linear counting at low cardinalities.
    static func compositeEstimate(lgK: Int, kxqSum: Double, zeroRegisters: Int) -> Double {
        let rawEstimate = rawEstimate(lgK: lgK, kxqSum: kxqSum)
        let xs = HLLTables.compositeX[lgK - 4]
        let yStride = HLLTables.compositeYStride[lgK - 4]
        if rawEstimate < xs[0] { return 0 }
        let last = xs.count - 1
        if rawEstimate > xs[last] {
            return rawEstimate * (yStride * Double(last) / xs[last])
        }
        let adjusted = cubicInterpolation(x: xs, yStride: yStride, at: rawEstimate)
        if adjusted > Double(3 << lgK) { return adjusted }
        let linear = bitmapEstimate(lgK: lgK, zeroRegisters: zeroRegisters)
        let average = (adjusted + linear) / 2.0
        let crossOver = lgK == 4 ? 0.718 : (lgK == 5 ? 0.672 : 0.64)
        return average > crossOver * Double(1 << lgK) ? adjusted : linear
    }
}

extension HLLSketch {
    /// The distinct-count estimate: exact-ish coupon interpolation in LIST/SET mode, HIP while
    /// updates were in order, the composite estimator after a union.
    public var estimate: Double {
        switch mode {
        case .list, .set: HLLEstimators.couponEstimate(count: couponCount)
        case .hll: isOutOfOrder ? compositeEstimate : hipAccumulator
        }
    }

    /// The composite estimator, whatever the mode (DataSketches' `get_composite_estimate`).
    public var compositeEstimate: Double {
        switch mode {
        case .list, .set: HLLEstimators.couponEstimate(count: couponCount)
        case .hll: HLLEstimators.compositeEstimate(lgK: lgK, kxqSum: kxq0 + kxq1, zeroRegisters: zeroRegisters)
        }
    }

    /// The lower bound at 1, 2 or 3 standard deviations.
    public func lowerBound(standardDeviations: Int) throws(ConfigurationError) -> Double {
        guard (1...3).contains(standardDeviations) else { throw .standardDeviationsOutOfRange(standardDeviations) }
        switch mode {
        case .list, .set:
            let estimate = HLLEstimators.cubicInterpolation(
                x: HLLTables.couponX, y: HLLTables.couponY, at: Double(couponCount))
            let bound = estimate / (1.0 + Double(standardDeviations) * HLLEstimators.couponRelativeStandardError)
            return max(bound, Double(couponCount))
        case .hll:
            let nonZero = Double(k - zeroRegisters)
            let error = HLLEstimators.relativeError(
                upper: false, unioned: isOutOfOrder, lgK: lgK, standardDeviations: standardDeviations)
            return max(estimate / (1.0 + error), nonZero)
        }
    }

    /// The upper bound at 1, 2 or 3 standard deviations.
    public func upperBound(standardDeviations: Int) throws(ConfigurationError) -> Double {
        guard (1...3).contains(standardDeviations) else { throw .standardDeviationsOutOfRange(standardDeviations) }
        switch mode {
        case .list, .set:
            let estimate = HLLEstimators.cubicInterpolation(
                x: HLLTables.couponX, y: HLLTables.couponY, at: Double(couponCount))
            let bound = estimate / (1.0 - Double(standardDeviations) * HLLEstimators.couponRelativeStandardError)
            return max(bound, Double(couponCount))
        case .hll:
            let error = HLLEstimators.relativeError(
                upper: true, unioned: isOutOfOrder, lgK: lgK, standardDeviations: standardDeviations)
            return estimate / (1.0 + error)
        }
    }

    /// Whether the estimate is approximate (HLL mode) rather than a coupon count.
    public var isEstimationMode: Bool { mode == .hll }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension CountMinSketch {
    /// The number of buckets that gives `relativeError`: ⌈e / relativeError⌉, as DataSketches
    /// computes it (for example 272 for 0.01).
    ///
    /// - Throws: ``CountMinError/relativeErrorOutOfRange(_:)`` unless `relativeError` is finite,
    ///   positive, and large enough that the answer fits in `UInt32`.
    public static func suggestNumBuckets(relativeError: Double) throws(CountMinError) -> Int {
        guard relativeError.isFinite, relativeError > 0 else { throw .relativeErrorOutOfRange(relativeError) }
        let buckets = (euler / relativeError).rounded(.up)
        guard buckets <= Double(UInt32.max) else { throw .relativeErrorOutOfRange(relativeError) }
        return Int(buckets)
    }

    /// The number of rows that gives `confidence` (1 − failure probability):
    /// ⌈ln(1 / (1 − confidence))⌉ as DataSketches computes it, clamped to `1...255` (DataSketches
    /// answers 0 for confidence 0 and for confidence 1; here those give 1 and 255).
    ///
    /// - Throws: ``CountMinError/confidenceOutOfRange(_:)`` unless `0 <= confidence <= 1`.
    public static func suggestNumHashes(confidence: Double) throws(CountMinError) -> Int {
        guard confidence >= 0, confidence <= 1 else { throw .confidenceOutOfRange(confidence) }
        let hashes = log(1.0 / (1.0 - confidence)).rounded(.up)
        guard hashes < Double(UInt8.max) else { return Int(UInt8.max) }
        return max(1, Int(hashes))
    }
}

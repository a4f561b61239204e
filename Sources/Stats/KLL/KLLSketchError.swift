/// Why a KLL sketch refused an argument or a query.
///
/// Decoding problems are reported separately, as ``SketchDecodingError``.
public enum KLLSketchError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `k` lies outside ``KLLFloatsSketch/allowedK``.
    case kOutOfRange(k: UInt16, allowed: ClosedRange<UInt16>)
    /// A normalized rank outside `0...1` (or NaN) was asked for.
    case rankOutOfRange(Double)
    /// The query is undefined because the sketch has seen no items.
    case emptySketch
    /// The split point at `index` is NaN.
    case splitPointIsNaN(index: Int)
    /// The split point at `index` is not strictly greater than the one before it.
    case splitPointsNotIncreasing(index: Int)

    /// One line that says what is wrong.
    public var description: String {
        switch self {
        case let .kOutOfRange(k, allowed):
            "KLL k = \(k) is out of range, allowed \(allowed.lowerBound)…\(allowed.upperBound)"
        case let .rankOutOfRange(rank):
            "normalized rank \(rank) is outside 0…1"
        case .emptySketch:
            "the query is undefined for an empty KLL sketch"
        case let .splitPointIsNaN(index):
            "split point \(index) is NaN"
        case let .splitPointsNotIncreasing(index):
            "split point \(index) is not greater than split point \(index - 1); split points must be unique and increasing"
        }
    }
}

/// Why a frequent-items sketch could not be created.
public enum FrequentItemsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `lgMaxMapSize` (log2 of the largest hash map) must lie in `allowed`.
    case lgMaxMapSizeOutOfRange(Int, allowed: ClosedRange<Int>)

    /// One line that says what is wrong.
    public var description: String {
        switch self {
        case let .lgMaxMapSizeOutOfRange(value, allowed):
            "frequent items lg_max_map_size \(value) is outside \(allowed.lowerBound)…\(allowed.upperBound)"
        }
    }
}

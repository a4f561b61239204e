extension FrequentItemsSketch {
    /// Which mistakes ``frequentItems(errorType:threshold:)`` may make.
    public enum ErrorType: Sendable, Hashable, CaseIterable {
        /// Only items whose lower bound exceeds the threshold: every row is truly frequent, but
        /// some frequent items may be missing.
        case noFalsePositives
        /// Every item whose upper bound exceeds the threshold: no frequent item is missing, but
        /// some rows may not be truly frequent.
        case noFalseNegatives
    }

    /// One frequent item with its estimate and bounds.
    public struct Row: Sendable, Hashable {
        /// The item.
        public var item: String
        /// Its estimated weight (tracked weight + maximum error, as DataSketches reports it).
        public var estimate: UInt64
        /// A guaranteed lower bound on its weight.
        public var lowerBound: UInt64
        /// A guaranteed upper bound on its weight.
        public var upperBound: UInt64

        /// Creates a row.
        public init(item: String, estimate: UInt64, lowerBound: UInt64, upperBound: UInt64) {
            self.item = item
            self.estimate = estimate
            self.lowerBound = lowerBound
            self.upperBound = upperBound
        }
    }

    /// The tracked items above `threshold`, by decreasing estimate (ties by UTF-8 byte order, so
    /// the list is deterministic; DataSketches leaves ties unordered).
    ///
    /// - Parameters:
    ///   - errorType: ``ErrorType/noFalsePositives`` keeps items whose lower bound exceeds the
    ///     threshold, ``ErrorType/noFalseNegatives`` those whose upper bound does.
    ///   - threshold: the weight to exceed; `nil` means ``maximumError``, DataSketches' default
    ///     (Python's `threshold=0` means the same).
    public func frequentItems(errorType: ErrorType, threshold: UInt64? = nil) -> [Row] {
        let limit = threshold ?? maximumError
        var rows: [Row] = []
        map.forEachEntry { item, weight in
            let upper = weight.addingSaturating(maximumError)
            let keep = switch errorType {
            case .noFalsePositives: weight > limit
            case .noFalseNegatives: upper > limit
            }
            if keep { rows.append(Row(item: item, estimate: upper, lowerBound: weight, upperBound: upper)) }
        }
        rows.sort { lhs, rhs in
            if lhs.estimate != rhs.estimate { return lhs.estimate > rhs.estimate }
            return lhs.item.utf8.lexicographicallyPrecedes(rhs.item.utf8)
        }
        return rows
    }
}

/// Why a Count-Min sketch could not be configured or merged.
public enum CountMinError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The number of rows (hash functions) must lie in `1...255`.
    case numHashesOutOfRange(Int)
    /// The number of buckets per row must be at least 3.
    case numBucketsOutOfRange(Int)
    /// `numHashes × numBuckets` must stay below 2^30 cells, as DataSketches requires.
    case tooManyCells(numHashes: Int, numBuckets: Int)
    /// A relative error must be a finite number greater than 0 whose bucket count fits in `UInt32`.
    case relativeErrorOutOfRange(Double)
    /// A confidence must lie in `0...1`.
    case confidenceOutOfRange(Double)
    /// Only sketches with the same number of rows and buckets can be merged.
    case shapeMismatch(numHashes: Int, numBuckets: Int, otherNumHashes: Int, otherNumBuckets: Int)
    /// Only sketches built with the same seed can be merged.
    case seedMismatch(seed: UInt64, otherSeed: UInt64)

    /// One line that says what is wrong.
    public var description: String {
        switch self {
        case let .numHashesOutOfRange(value):
            "Count-Min num_hashes \(value) is outside 1…255"
        case let .numBucketsOutOfRange(value):
            "Count-Min num_buckets \(value) is below 3 (relative error would exceed 1)"
        case let .tooManyCells(numHashes, numBuckets):
            "Count-Min shape \(numHashes)×\(numBuckets) has 2^30 cells or more"
        case let .relativeErrorOutOfRange(value):
            "relative error \(value) must be finite, > 0, and need at most 2^32−1 buckets"
        case let .confidenceOutOfRange(value):
            "confidence \(value) is outside 0…1"
        case let .shapeMismatch(numHashes, numBuckets, otherNumHashes, otherNumBuckets):
            "cannot merge a \(otherNumHashes)×\(otherNumBuckets) Count-Min sketch into a \(numHashes)×\(numBuckets) one"
        case let .seedMismatch(seed, otherSeed):
            "cannot merge a Count-Min sketch with seed \(otherSeed) into one with seed \(seed)"
        }
    }
}

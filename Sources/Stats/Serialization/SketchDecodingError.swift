/// Why a serialized sketch image was refused. Every decoder in `Stats` throws this, never traps.
public enum SketchDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The image ended before a field: `needed` bytes were required at `offset`.
    case truncated(sketch: String, offset: Int, needed: Int, available: Int)
    /// The family byte names another kind of sketch.
    case wrongFamily(sketch: String, expected: UInt8, found: UInt8)
    /// The serialization version is not one this decoder reads.
    case unsupportedSerialVersion(sketch: String, found: UInt8)
    /// A header field lies outside what the format allows.
    case parameterOutOfRange(sketch: String, name: String, value: Int, allowed: ClosedRange<Int>)
    /// The image was written with a different hash seed.
    case seedHashMismatch(sketch: String, expected: UInt16, found: UInt16)
    /// Fields contradict each other (impossible counts, unsorted levels, bad flags …).
    case corrupt(sketch: String, reason: String)
    /// Bytes remain after a complete image.
    case trailingBytes(sketch: String, count: Int)

    /// One line that says what is wrong.
    public var description: String {
        switch self {
        case let .truncated(sketch, offset, needed, available):
            "\(sketch) image truncated: needs \(needed) byte(s) at offset \(offset), only \(available) available"
        case let .wrongFamily(sketch, expected, found):
            "not a \(sketch) image: family \(found), expected \(expected)"
        case let .unsupportedSerialVersion(sketch, found):
            "\(sketch) image has unsupported serialization version \(found)"
        case let .parameterOutOfRange(sketch, name, value, allowed):
            "\(sketch) image has \(name) = \(value), allowed \(allowed.lowerBound)…\(allowed.upperBound)"
        case let .seedHashMismatch(sketch, expected, found):
            "\(sketch) image was built with another seed (seed hash 0x\(String(found, radix: 16)), expected 0x\(String(expected, radix: 16)))"
        case let .corrupt(sketch, reason):
            "corrupt \(sketch) image: \(reason)"
        case let .trailingBytes(sketch, count):
            "\(sketch) image has \(count) trailing byte(s) after its end"
        }
    }
}

/// DataSketches' family identifiers (byte 2 of every image).
public enum SketchFamily: UInt8, Sendable, CaseIterable {
    /// HyperLogLog.
    case hll = 7
    /// Frequent items.
    case frequentItems = 10
    /// KLL quantiles.
    case kll = 15
    /// Count-Min.
    case countMin = 18

    /// The family of a serialized image, read from its byte 2, or `nil` if unknown or too short.
    public static func of(image bytes: [UInt8]) -> SketchFamily? {
        bytes.count > 2 ? SketchFamily(rawValue: bytes[2]) : nil
    }
}

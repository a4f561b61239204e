/// The compact KLL image of DataSketches (C++/Python `serialize()`, Java `toByteArray()`),
/// little-endian:
///
/// ```
/// byte 0      preamble ints: 2 (empty, single item) or 5 (full)
/// byte 1      serial version: 1 (empty, full) or 2 (single item)
/// byte 2      family: 15
/// byte 3      flags: 1 empty, 2 level zero sorted, 4 single item
/// bytes 4–5   k (u16)            byte 6  m = 8            byte 7  unused
/// single item:  bytes 8–11  the item (f32)
/// full:         bytes 8–15  n (u64)   16–17 min k (u16)   18 levels L (u8)   19 unused
///               20…         L level offsets (u32); the (L+1)th, the buffer capacity, is implied
///               then min item, max item, and the retained items from level zero up (f32)
/// ```
enum KLLSerialFormat {
    /// The name used in decoding errors.
    static let sketchName = "KLL floats"

    static let preambleIntsShort: UInt8 = 2
    static let preambleIntsFull: UInt8 = 5
    static let serialVersionEmptyOrFull: UInt8 = 1
    static let serialVersionSingleItem: UInt8 = 2

    /// Flag bits of byte 3.
    struct Flags: OptionSet, Sendable {
        let rawValue: UInt8
        static let empty = Flags(rawValue: 1 << 0)
        static let levelZeroSorted = Flags(rawValue: 1 << 1)
        static let singleItem = Flags(rawValue: 1 << 2)
        static let known: Flags = [.empty, .levelZeroSorted, .singleItem]
    }

    /// The three layouts an image can take.
    enum Layout: CustomStringConvertible {
        case empty
        case singleItem
        case full

        var preambleInts: UInt8 {
            switch self {
            case .empty, .singleItem: preambleIntsShort
            case .full: preambleIntsFull
            }
        }

        var serialVersion: UInt8 {
            switch self {
            case .empty, .full: serialVersionEmptyOrFull
            case .singleItem: serialVersionSingleItem
            }
        }

        var description: String {
            switch self {
            case .empty: "empty"
            case .singleItem: "single-item"
            case .full: "full"
            }
        }
    }

    /// The first 8 bytes, checked against each other and the format's limits.
    struct Preamble {
        var layout: Layout
        var flags: Flags
        var k: UInt16

        /// Reads and validates bytes 0–7.
        init(reading reader: inout ByteReader) throws(SketchDecodingError) {
            let sketch = reader.sketch
            let preambleInts = try reader.readUInt8()
            let serialVersion = try reader.readUInt8()
            let family = try reader.readUInt8()
            flags = Flags(rawValue: try reader.readUInt8())
            k = try reader.readUInt16()
            let m = try reader.readUInt8()
            _ = try reader.readUInt8()

            guard family == SketchFamily.kll.rawValue else {
                throw .wrongFamily(sketch: sketch, expected: SketchFamily.kll.rawValue, found: family)
            }
            guard serialVersion == serialVersionEmptyOrFull || serialVersion == serialVersionSingleItem else {
                throw .unsupportedSerialVersion(sketch: sketch, found: serialVersion)
            }
            guard flags.isSubset(of: .known) else {
                throw .corrupt(sketch: sketch, reason: "unknown flag bits 0x\(String(flags.rawValue, radix: 16))")
            }
            switch (flags.contains(.empty), flags.contains(.singleItem)) {
            case (true, true): throw .corrupt(sketch: sketch, reason: "both the empty and the single-item flag are set")
            case (true, false): layout = .empty
            case (false, true): layout = .singleItem
            case (false, false): layout = .full
            }
            guard serialVersion == layout.serialVersion else {
                throw .corrupt(
                    sketch: sketch,
                    reason: "serial version \(serialVersion) with a \(layout) layout, which is version \(layout.serialVersion)"
                )
            }
            guard preambleInts == layout.preambleInts else {
                let expected = Int(layout.preambleInts)
                throw .parameterOutOfRange(
                    sketch: sketch, name: "preamble ints", value: Int(preambleInts), allowed: expected...expected
                )
            }
            let allowedK = Int(KLLFloatsSketch.allowedK.lowerBound)...Int(KLLFloatsSketch.allowedK.upperBound)
            guard allowedK.contains(Int(k)) else {
                throw .parameterOutOfRange(sketch: sketch, name: "k", value: Int(k), allowed: allowedK)
            }
            guard Int(m) == KLLCapacity.minimumWidth else {
                let width = KLLCapacity.minimumWidth
                throw .parameterOutOfRange(sketch: sketch, name: "m", value: Int(m), allowed: width...width)
            }
        }
    }
}

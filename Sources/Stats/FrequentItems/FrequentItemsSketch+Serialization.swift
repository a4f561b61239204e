/// DataSketches' frequent-items image (family 10, serial version 1), little-endian:
///
/// | offset | field |
/// | --- | --- |
/// | 0 | preamble longs: 1 when empty, 4 otherwise |
/// | 1 | serial version = 1 |
/// | 2 | family = 10 |
/// | 3 | lg max map size |
/// | 4 | lg current map size |
/// | 5 | flags: 0x01 and 0x04 both mean empty (C++ and Java used different bits; both are written) |
/// | 6…7 | unused |
/// | 8…11 | number of items u32 (absent when empty) |
/// | 12…15 | unused |
/// | 16…23 | total weight u64 |
/// | 24…31 | offset (maximum error) u64 |
/// | 32… | weights u64 × n, then items: u32 byte length + UTF-8 bytes, × n |
enum FrequentItemsFormat {
    static let sketchName = "frequent items"
    static let serialVersion: UInt8 = 1
    static let emptyPreambleLongs: UInt8 = 1
    static let fullPreambleLongs: UInt8 = 4
    static let emptyFlags: UInt8 = 0x01 | 0x04
}

extension FrequentItemsSketch {
    /// The sketch in DataSketches' binary format, readable by Python's
    /// `frequent_strings_sketch.deserialize`. Items appear in the map's iteration order; because
    /// the map hashes and iterates like DataSketches' Linux build, the bytes equal Python's for
    /// the same updates.
    public func serialized() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.append(isEmpty ? FrequentItemsFormat.emptyPreambleLongs : FrequentItemsFormat.fullPreambleLongs)
        bytes.append(FrequentItemsFormat.serialVersion)
        bytes.append(SketchFamily.frequentItems.rawValue)
        bytes.append(UInt8(lgMaxMapSize))
        bytes.append(UInt8(lgCurMapSize))
        bytes.append(isEmpty ? FrequentItemsFormat.emptyFlags : 0)
        bytes.appendLittleEndian(UInt16(0))
        guard !isEmpty else { return bytes }
        bytes.appendLittleEndian(UInt32(numActiveItems))
        bytes.appendLittleEndian(UInt32(0))
        bytes.appendLittleEndian(totalWeight)
        bytes.appendLittleEndian(maximumError)
        map.forEachEntry { _, weight in bytes.appendLittleEndian(weight) }
        map.forEachEntry { item, _ in
            bytes.appendLittleEndian(UInt32(item.utf8.count))
            bytes.append(contentsOf: item.utf8)
        }
        return bytes
    }

    /// Decodes a DataSketches frequent-items image of strings (from Python's
    /// `frequent_strings_sketch.serialize()` or ``serialized()``).
    ///
    /// - Throws: ``SketchDecodingError`` for a truncated image, another family or serial
    ///   version, map sizes out of range, impossible counts (more items than the map holds, zero
    ///   weights, weights beyond the total, duplicate items), invalid UTF-8 or trailing bytes.
    public init(serialized bytes: [UInt8]) throws(SketchDecodingError) {
        let name = FrequentItemsFormat.sketchName
        var reader = ByteReader(bytes, sketch: name)
        let preambleLongs = try reader.readUInt8()
        let serialVersion = try reader.readUInt8()
        let family = try reader.readUInt8()
        let lgMax = Int(try reader.readUInt8())
        let lgCur = Int(try reader.readUInt8())
        let flags = try reader.readUInt8()
        _ = try reader.readUInt16()
        guard family == SketchFamily.frequentItems.rawValue else {
            throw .wrongFamily(sketch: name, expected: SketchFamily.frequentItems.rawValue, found: family)
        }
        guard serialVersion == FrequentItemsFormat.serialVersion else {
            throw .unsupportedSerialVersion(sketch: name, found: serialVersion)
        }
        guard flags & ~FrequentItemsFormat.emptyFlags == 0 else {
            throw .corrupt(sketch: name, reason: "unknown flag bits 0x\(String(flags, radix: 16))")
        }
        let empty = flags != 0
        let expectedPreamble = empty ? FrequentItemsFormat.emptyPreambleLongs : FrequentItemsFormat.fullPreambleLongs
        guard preambleLongs == expectedPreamble else {
            let allowed = Int(expectedPreamble)...Int(expectedPreamble)
            throw .parameterOutOfRange(sketch: name, name: "preamble longs", value: Int(preambleLongs), allowed: allowed)
        }
        guard Self.lgMapSizeRange.contains(lgMax) else {
            throw .parameterOutOfRange(sketch: name, name: "lg_max_map_size", value: lgMax, allowed: Self.lgMapSizeRange)
        }
        let lgCurRange = Self.lgMapSizeRange.lowerBound...lgMax
        guard lgCurRange.contains(lgCur) else {
            throw .parameterOutOfRange(sketch: name, name: "lg_cur_map_size", value: lgCur, allowed: lgCurRange)
        }
        self.init(lgMaxMapSize: lgMax, lgCurMapSize: lgCur)
        if empty {
            try reader.expectEnd()
            return
        }
        try decodeItems(from: &reader)
    }

    /// Reads the counts, weights and items of a non-empty image and rebuilds the map by inserting
    /// the items in image order (as DataSketches does).
    private mutating func decodeItems(from reader: inout ByteReader) throws(SketchDecodingError) {
        let name = FrequentItemsFormat.sketchName
        let count = Int(try reader.readUInt32())
        _ = try reader.readUInt32()
        let total = try reader.readUInt64()
        let offset = try reader.readUInt64()
        // A map at rest never holds more than its capacity (growing or purging restores it).
        let capacity = ReversePurgeHashMap.capacity(lgSize: lgCurMapSize)
        guard (1...capacity).contains(count) else {
            throw .parameterOutOfRange(sketch: name, name: "number of items", value: count, allowed: 1...capacity)
        }
        try reader.require(8 * count)
        var weights: [UInt64] = []
        weights.reserveCapacity(count)
        var weightSum = offset
        for index in 0..<count {
            let weight = try reader.readUInt64()
            guard weight > 0 else { throw .corrupt(sketch: name, reason: "item \(index) has weight 0") }
            weights.append(weight)
            weightSum = weightSum.addingSaturating(weight)
        }
        // Purges remove at least their median from the map, so tracked weights plus the offset
        // never exceed the total (sums saturate like the sketch's own counters).
        guard weightSum <= total else {
            throw .corrupt(sketch: name, reason: "weights and offset sum beyond the total weight \(total)")
        }
        for (index, weight) in weights.enumerated() {
            let length = Int(try reader.readUInt32())
            let raw = try reader.readBytes(length)
            guard let item = String(validating: raw, as: UTF8.self) else {
                throw .corrupt(sketch: name, reason: "item \(index) is not valid UTF-8")
            }
            guard map.weight(of: item) == 0 else {
                throw .corrupt(sketch: name, reason: "item \(index) appears twice")
            }
            _ = map.adjustOrInsert(item, value: weight)  // count ≤ capacity: never grows or purges
        }
        try reader.expectEnd()
        totalWeight = total
        maximumError = offset
    }
}

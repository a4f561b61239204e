/// Writing the compact image DataSketches' `serialize()` produces.
extension KLLFloatsSketch {
    /// The size of ``serialized()`` in bytes.
    public var serializedByteCount: Int {
        if isEmpty { return 8 }
        if n == 1 { return 8 + 4 }
        return 20 + 4 * numLevels + 4 * (2 + numRetained)
    }

    /// The sketch's image in DataSketches' compact format (family 15): 8 bytes when empty,
    /// 12 for a single item, otherwise header, level offsets, min, max and the retained items.
    public func serialized() -> [UInt8] {
        let isSingleItem = n == 1
        let layout: KLLSerialFormat.Layout = isEmpty ? .empty : (isSingleItem ? .singleItem : .full)
        var flags: KLLSerialFormat.Flags = []
        if isEmpty { flags.insert(.empty) }
        if isLevelZeroSorted { flags.insert(.levelZeroSorted) }
        if isSingleItem { flags.insert(.singleItem) }

        var bytes: [UInt8] = []
        bytes.reserveCapacity(serializedByteCount)
        bytes.append(layout.preambleInts)
        bytes.append(layout.serialVersion)
        bytes.append(SketchFamily.kll.rawValue)
        bytes.append(flags.rawValue)
        bytes.appendLittleEndian(k)
        bytes.append(UInt8(KLLCapacity.minimumWidth))
        bytes.append(0)
        if layout == .empty { return bytes }

        if layout == .full {
            bytes.appendLittleEndian(n)
            bytes.appendLittleEndian(minK)
            bytes.append(UInt8(numLevels))
            bytes.append(0)
            for offset in levels.dropLast() { bytes.appendLittleEndian(UInt32(offset)) }
            bytes.appendLittleEndian(minimum)
            bytes.appendLittleEndian(maximum)
        }
        bytes.appendLittleEndian(contentsOf: items[levels[0]..<levels[numLevels]])
        return bytes
    }
}

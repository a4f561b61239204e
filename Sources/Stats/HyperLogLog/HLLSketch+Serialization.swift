/// DataSketches' HLL image layout (little-endian): an 8-byte preamble, then mode-specific fields.
enum HLLImage {
    static let serialVersion: UInt8 = 1
    static let listPreInts: UInt8 = 2
    static let setPreInts: UInt8 = 3
    static let hllPreInts: UInt8 = 10
    static let emptyFlag: UInt8 = 4
    static let compactFlag: UInt8 = 8
    static let outOfOrderFlag: UInt8 = 16
    static let fullSizeFlag: UInt8 = 32
    static let listDataStart = 8
    static let setDataStart = 12
    static let hllDataStart = 40
    static let sketchName = "HLL"

    /// Bytes of packed registers for a target type.
    static func registerBytes(_ type: HLLTargetType, lgK: Int) -> Int {
        switch type {
        case .hll4: 1 << (lgK - 1)
        case .hll6: (((1 << lgK) * 3) >> 2) + 1
        case .hll8: 1 << lgK
        }
    }
}

extension HLLSketch {
    /// The sketch as a DataSketches HLL_8 image: `compact` drops empty coupon slots (what
    /// `serialize_compact()` writes); otherwise the updatable layout (`serialize_updatable()`).
    /// Compact images are byte-identical to datasketches 5.2.0's for the same input.
    public func serialized(compact: Bool = true) -> [UInt8] {
        let empty = isEmpty
        var flags: UInt8 = 0
        if empty { flags |= HLLImage.emptyFlag }
        if compact { flags |= HLLImage.compactFlag }
        if isOutOfOrder { flags |= HLLImage.outOfOrderFlag }
        let modeByte = mode.rawValue | HLLTargetType.hll8.rawValue << 2
        var bytes: [UInt8] = []
        switch mode {
        case .list, .set:
            let isList = mode == .list
            let valid = validCoupons
            bytes.reserveCapacity((isList ? HLLImage.listDataStart : HLLImage.setDataStart) + 4 * coupons.count)
            bytes += [isList ? HLLImage.listPreInts : HLLImage.setPreInts, HLLImage.serialVersion,
                      SketchFamily.hll.rawValue, UInt8(lgK), UInt8(coupons.count.trailingZeroBitCount), flags,
                      isList ? UInt8(couponCount) : 0, modeByte]
            if !isList { bytes.appendLittleEndian(UInt32(couponCount)) }
            for coupon in compact ? valid : coupons { bytes.appendLittleEndian(coupon) }
        case .hll:
            bytes.reserveCapacity(HLLImage.hllDataStart + k)
            bytes += [HLLImage.hllPreInts, HLLImage.serialVersion, SketchFamily.hll.rawValue, UInt8(lgK), 0,
                      flags, 0, modeByte]
            bytes.appendLittleEndian(hipAccumulator)
            bytes.appendLittleEndian(kxq0)
            bytes.appendLittleEndian(kxq1)
            bytes.appendLittleEndian(UInt32(zeroRegisters))
            bytes.appendLittleEndian(UInt32(0))
            bytes += registers
        }
        return bytes
    }

    /// The target type recorded in an HLL image's preamble, if the bytes look like one.
    public static func imageTargetType(_ bytes: [UInt8]) -> HLLTargetType? {
        guard bytes.count >= 8, bytes[2] == SketchFamily.hll.rawValue else { return nil }
        return HLLTargetType(rawValue: (bytes[7] >> 2) & 3)
    }

    /// Reads a DataSketches HLL image in any mode (LIST, SET, HLL), either layout (compact,
    /// updatable) and any target type (HLL_4, HLL_6, HLL_8). Anything malformed is refused with a
    /// ``SketchDecodingError`` that says what is wrong.
    public init(serialized bytes: [UInt8]) throws(SketchDecodingError) {
        var reader = ByteReader(bytes, sketch: HLLImage.sketchName)
        try reader.require(8)
        let preInts = bytes[0]
        guard bytes[1] == HLLImage.serialVersion else {
            throw .unsupportedSerialVersion(sketch: HLLImage.sketchName, found: bytes[1])
        }
        guard bytes[2] == SketchFamily.hll.rawValue else {
            throw .wrongFamily(sketch: HLLImage.sketchName, expected: SketchFamily.hll.rawValue, found: bytes[2])
        }
        let lgK = Int(bytes[3])
        guard Self.lgKRange.contains(lgK) else {
            throw .parameterOutOfRange(sketch: HLLImage.sketchName, name: "lgK", value: lgK, allowed: Self.lgKRange)
        }
        let flags = bytes[5]
        guard let mode = HLLMode(rawValue: bytes[7] & 3) else {
            throw .corrupt(sketch: HLLImage.sketchName, reason: "mode bits \(bytes[7] & 3) name no mode")
        }
        guard let target = HLLTargetType(rawValue: (bytes[7] >> 2) & 3), bytes[7] >> 4 == 0 else {
            throw .corrupt(sketch: HLLImage.sketchName, reason: "mode byte 0x\(String(bytes[7], radix: 16)) names no target type")
        }
        let expectedPreInts = [HLLImage.listPreInts, HLLImage.setPreInts, HLLImage.hllPreInts][Int(mode.rawValue)]
        guard preInts == expectedPreInts else {
            throw .corrupt(sketch: HLLImage.sketchName, reason: "preamble of \(preInts) ints does not fit \(mode) mode")
        }
        guard flags & ~(HLLImage.emptyFlag | HLLImage.compactFlag | HLLImage.outOfOrderFlag | HLLImage.fullSizeFlag) == 0 else {
            throw .corrupt(sketch: HLLImage.sketchName, reason: "unknown flag bits 0x\(String(flags, radix: 16))")
        }
        // `try!` is impossible here: lgK was range-checked above.
        guard var sketch = try? HLLSketch(lgK: lgK) else {
            throw .parameterOutOfRange(sketch: HLLImage.sketchName, name: "lgK", value: lgK, allowed: Self.lgKRange)
        }
        let compact = flags & HLLImage.compactFlag != 0
        let empty = flags & HLLImage.emptyFlag != 0
        switch mode {
        case .list:
            try sketch.decodeList(&reader, compact: compact, empty: empty)
        case .set:
            try sketch.decodeSet(&reader, compact: compact)
        case .hll:
            try sketch.decodeRegisters(&reader, target: target, compact: compact)
            sketch.isOutOfOrder = flags & HLLImage.outOfOrderFlag != 0
            if sketch.isOutOfOrder {
                sketch.hipAccumulator = 0
            } else {
                try sketch.checkHIPAccumulator()
            }
        }
        try reader.expectEnd()
        guard sketch.isEmpty == empty else {
            throw .corrupt(sketch: HLLImage.sketchName, reason: "empty flag \(empty) contradicts the contents")
        }
        self = sketch
    }

    private mutating func decodeList(_ reader: inout ByteReader, compact: Bool, empty: Bool) throws(SketchDecodingError) {
        let count = Int(reader.bytes[6])
        let lgArray = Int(reader.bytes[4])
        guard lgArray == HLLConstants.lgInitialListSize else {
            throw .corrupt(sketch: HLLImage.sketchName, reason: "LIST array of 2^\(lgArray) slots, expected 8")
        }
        guard count < coupons.count else {
            throw .corrupt(sketch: HLLImage.sketchName, reason: "LIST holds \(count) coupons, at most 7 possible")
        }
        try reader.seek(to: HLLImage.listDataStart)
        let stored = compact ? count : coupons.count
        for index in 0..<stored {
            let coupon = try reader.readUInt32()
            if index < count {
                try Self.checkCoupon(coupon)
                guard !coupons[..<index].contains(coupon) else {
                    throw .corrupt(sketch: HLLImage.sketchName, reason: "duplicate coupon 0x\(String(coupon, radix: 16)) in LIST")
                }
                coupons[index] = coupon
            } else if coupon != 0 {
                throw .corrupt(sketch: HLLImage.sketchName, reason: "LIST slot \(index) is used beyond the count \(count)")
            }
        }
        couponCount = count
    }

    private mutating func decodeSet(_ reader: inout ByteReader, compact: Bool) throws(SketchDecodingError) {
        guard lgK >= 8 else {
            throw .corrupt(sketch: HLLImage.sketchName, reason: "SET mode is impossible at lgK \(lgK) (< 8)")
        }
        try reader.seek(to: HLLImage.listDataStart)
        let count = Int(try reader.readUInt32())
        let maximum = 3 * (1 << (lgK - 3)) / 4
        guard (8...maximum).contains(count) else {
            throw .parameterOutOfRange(sketch: HLLImage.sketchName, name: "SET coupon count", value: count, allowed: 8...maximum)
        }
        mode = .set
        if compact {
            coupons = [UInt32](repeating: 0, count: 1 << HLLConstants.lgInitialSetSize)
            couponCount = 0
            for _ in 0..<count {
                let coupon = try reader.readUInt32()
                try Self.checkCoupon(coupon)
                let before = couponCount
                updateCoupon(coupon)
                guard couponCount == before + 1 else {
                    throw .corrupt(sketch: HLLImage.sketchName, reason: "duplicate coupon 0x\(String(coupon, radix: 16)) in SET")
                }
            }
            return
        }
        let lgArray = Int(reader.bytes[4])
        guard (HLLConstants.lgInitialSetSize...(lgK - 3)).contains(lgArray) else {
            throw .parameterOutOfRange(sketch: HLLImage.sketchName, name: "SET lgArr", value: lgArray,
                                       allowed: HLLConstants.lgInitialSetSize...(lgK - 3))
        }
        var table = [UInt32](repeating: 0, count: 1 << lgArray)
        for index in table.indices { table[index] = try reader.readUInt32() }
        let used = table.filter { $0 != 0 }
        guard used.count == count, 4 * count <= 3 * table.count else {
            throw .corrupt(sketch: HLLImage.sketchName, reason: "SET table holds \(used.count) coupons in \(table.count) slots, header says \(count)")
        }
        for (index, coupon) in table.enumerated() where coupon != 0 {
            try Self.checkCoupon(coupon)
            guard Self.find(coupon, in: table) == .found(index) else {
                throw .corrupt(sketch: HLLImage.sketchName, reason: "SET coupon at slot \(index) is misplaced or duplicated")
            }
        }
        coupons = table
        couponCount = count
    }

    private mutating func decodeRegisters(
        _ reader: inout ByteReader, target: HLLTargetType, compact: Bool
    ) throws(SketchDecodingError) {
        let curMin = reader.bytes[6]
        let lgAuxArray = Int(reader.bytes[4])
        try reader.seek(to: 8)
        let hip = try reader.readDouble()
        let storedKxq0 = try reader.readDouble()
        let storedKxq1 = try reader.readDouble()
        let numAtCurMin = Int(try reader.readUInt32())
        let auxCount = Int(try reader.readUInt32())
        guard hip.isFinite, hip >= 0, storedKxq0.isFinite, storedKxq0 >= 0, storedKxq1.isFinite, storedKxq1 >= 0,
              storedKxq0 + storedKxq1 > 0 else {
            throw .corrupt(sketch: HLLImage.sketchName, reason: "HIP accumulator or kxq sums are not finite non-negative numbers")
        }
        guard curMin <= 63, numAtCurMin <= k else {
            throw .corrupt(sketch: HLLImage.sketchName, reason: "curMin \(curMin) / numAtCurMin \(numAtCurMin) impossible for k = \(k)")
        }
        let packed = try reader.readBytes(HLLImage.registerBytes(target, lgK: lgK))
        var values: [UInt8]
        switch target {
        case .hll8:
            guard auxCount == 0 else { throw .corrupt(sketch: HLLImage.sketchName, reason: "HLL_8 image with \(auxCount) aux entries") }
            values = Array(packed)
        case .hll6:
            guard auxCount == 0 else { throw .corrupt(sketch: HLLImage.sketchName, reason: "HLL_6 image with \(auxCount) aux entries") }
            values = [UInt8](repeating: 0, count: k)
            let base = packed.startIndex
            for slot in 0..<k {
                let bit = slot * 6
                let pair = UInt16(packed[base + bit >> 3]) | UInt16(packed[base + (bit >> 3) + 1]) << 8
                values[slot] = UInt8((pair >> UInt16(bit & 7)) & 0x3f)
            }
        case .hll4:
            values = [UInt8](repeating: 0, count: k)
            let exceptions = try Self.decodeAux(&reader, count: auxCount, lgAuxArray: lgAuxArray, lgK: lgK, compact: compact)
            var used = 0
            for slot in 0..<k {
                let byte = packed[packed.startIndex + slot >> 1]
                let nibble = slot & 1 == 0 ? byte & 0x0f : byte >> 4
                if nibble == 15 {
                    guard let value = exceptions[slot] else {
                        throw .corrupt(sketch: HLLImage.sketchName, reason: "register \(slot) points to a missing aux entry")
                    }
                    used += 1
                    values[slot] = value
                } else {
                    values[slot] = nibble &+ curMin
                }
            }
            guard used == exceptions.count else {
                throw .corrupt(sketch: HLLImage.sketchName, reason: "\(exceptions.count - used) aux entries belong to no register")
            }
        }
        let summary = Self.summarize(values, curMin: curMin)
        guard summary.maximum <= 63 else {
            throw .corrupt(sketch: HLLImage.sketchName, reason: "a register holds \(summary.maximum) > 63")
        }
        guard summary.belowCurMin == 0, summary.atCurMin == numAtCurMin else {
            throw .corrupt(sketch: HLLImage.sketchName, reason: "\(summary.atCurMin) registers at curMin \(curMin), header says \(numAtCurMin)")
        }
        let tolerance = 1e-9 * Double(k)
        guard abs(summary.kxq0 - storedKxq0) <= tolerance, abs(summary.kxq1 - storedKxq1) <= tolerance else {
            throw .corrupt(sketch: HLLImage.sketchName, reason: "kxq sums do not match the registers")
        }
        zeroRegisters = summary.zeros
        mode = .hll
        coupons = []
        couponCount = 0
        registers = values
        hipAccumulator = hip
        kxq0 = storedKxq0
        kxq1 = storedKxq1
    }

    /// Refuses an in-order image whose HIP accumulator is below its count of non-zero registers.
    ///
    /// HIP starts at the coupon estimate (at least the coupon count, hence at least the registers
    /// those coupons set) and grows by k / kxq ≥ 1 whenever a register changes — exactly so in
    /// floating point too, as kxq never rounds above k — so no correct writer produces less.
    /// Accepting less would report an estimate below the sketch's own lower bound: the `hll` fuzz
    /// harness found an image with 32 non-zero registers and a HIP accumulator of 1e-310.
    private func checkHIPAccumulator() throws(SketchDecodingError) {
        guard hipAccumulator >= Double(k - zeroRegisters) else {
            throw .corrupt(sketch: HLLImage.sketchName,
                           reason: "HIP accumulator \(hipAccumulator) below the \(k - zeroRegisters) non-zero registers of an in-order sketch")
        }
    }

    /// HLL_4's exception table: slot → full register value for registers ≥ curMin + 15.
    private static func decodeAux(
        _ reader: inout ByteReader, count: Int, lgAuxArray: Int, lgK: Int, compact: Bool
    ) throws(SketchDecodingError) -> [Int: UInt8] {
        let stored: Int
        if compact {
            stored = count
        } else if count == 0 {
            stored = 1 << HLLConstants.lgAuxArraySize[lgK]
        } else {
            guard (2...(lgK - 1)).contains(lgAuxArray) else {
                throw .parameterOutOfRange(sketch: HLLImage.sketchName, name: "aux lgArr", value: lgAuxArray, allowed: 2...(lgK - 1))
            }
            stored = 1 << lgAuxArray
        }
        guard count <= 1 << lgK else {
            throw .parameterOutOfRange(sketch: HLLImage.sketchName, name: "aux count", value: count, allowed: 0...(1 << lgK))
        }
        try reader.require(4 * stored)
        var exceptions: [Int: UInt8] = [:]
        for _ in 0..<stored {
            let pair = try reader.readUInt32()
            if pair == 0 { continue }
            let slot = Int(pair & HLLConstants.keyMask26) & ((1 << lgK) - 1)
            let value = UInt8(pair >> 26)
            guard exceptions.updateValue(value, forKey: slot) == nil else {
                throw .corrupt(sketch: HLLImage.sketchName, reason: "aux table lists slot \(slot) twice")
            }
        }
        guard exceptions.count == count else {
            throw .corrupt(sketch: HLLImage.sketchName, reason: "aux table holds \(exceptions.count) entries, header says \(count)")
        }
        return exceptions
    }

    /// What image validation needs to know about a register array, in one pass.
    struct RegisterSummary {
        var maximum: UInt8 = 0
        var zeros = 0
        var atCurMin = 0
        var belowCurMin = 0
        /// Σ 2^−v over registers below 32, computed from scratch.
        var kxq0 = 0.0
        /// Σ 2^−v over registers of 32 and above.
        var kxq1 = 0.0
    }

    /// One pass of integer counting (a histogram of register values), then the sums from it.
    static func summarize(_ values: [UInt8], curMin: UInt8) -> RegisterSummary {
        // Four interleaved histograms so equal neighbouring registers do not serialize on one counter.
        var lanes = [Int32](repeating: 0, count: 4 * 256)
        lanes.withUnsafeMutableBufferPointer { counts in
            values.withUnsafeBufferPointer { registers in
                var index = 0
                while index + 4 <= registers.count {
                    counts[Int(registers[index])] &+= 1
                    counts[256 + Int(registers[index + 1])] &+= 1
                    counts[512 + Int(registers[index + 2])] &+= 1
                    counts[768 + Int(registers[index + 3])] &+= 1
                    index += 4
                }
                while index < registers.count {
                    counts[Int(registers[index])] &+= 1
                    index += 1
                }
            }
        }
        let histogram = (0..<256).map { Int(lanes[$0]) + Int(lanes[256 + $0]) + Int(lanes[512 + $0]) + Int(lanes[768 + $0]) }
        var summary = RegisterSummary()
        summary.maximum = UInt8(histogram.lastIndex(where: { $0 > 0 }) ?? 0)
        summary.zeros = histogram[0]
        summary.atCurMin = histogram[Int(curMin)]
        summary.belowCurMin = histogram[0..<Int(curMin)].reduce(0, +)
        for value in 0..<64 where histogram[value] > 0 {
            let share = Double(histogram[value]) * HLLConstants.inversePowerOfTwo(UInt8(value))
            if value < 32 { summary.kxq0 += share } else { summary.kxq1 += share }
        }
        return summary
    }

    private static func checkCoupon(_ coupon: UInt32) throws(SketchDecodingError) {
        guard coupon >> 26 != 0 else {
            throw .corrupt(sketch: HLLImage.sketchName, reason: "coupon 0x\(String(coupon, radix: 16)) has value 0")
        }
    }
}

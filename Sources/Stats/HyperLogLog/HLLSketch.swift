/// A HyperLogLog distinct-count sketch, bit-compatible with Apache DataSketches 5.2.0 (family 7).
///
/// Like DataSketches, a sketch starts as a short LIST of 32-bit coupons, becomes a hash SET of
/// coupons (lgK ≥ 8), and is promoted to an array of 2^lgK registers (HLL mode) once the set would
/// reach an eighth of that array. While updates arrive in order the HIP estimator (historic inverse
/// probability) is used; after a union the composite estimator takes over.
///
/// Registers are always held one byte each (DataSketches' HLL_8); images in HLL_4 and HLL_6 are
/// read and widened. Updates in HLL mode do not allocate.
public struct HLLSketch: Sendable, Equatable {
    /// lg of the number of registers, 4…21.
    public let lgK: Int
    /// The current representation.
    public internal(set) var mode: HLLMode
    /// Whether the HIP accumulator is no longer valid (set by unions), so the composite estimator is used.
    public internal(set) var isOutOfOrder: Bool

    /// LIST: 8 slots in insertion order; SET: an open-addressing table of 2^lgArr coupons.
    @usableFromInline var coupons: [UInt32]
    /// Valid coupons in `coupons` (LIST and SET modes).
    @usableFromInline var couponCount: Int
    /// HLL mode: one register per slot, 0…63; empty in the coupon modes.
    @usableFromInline var registers: [UInt8]
    /// HLL mode: the HIP accumulator.
    @usableFromInline var hipAccumulator: Double
    /// HLL mode: Σ 2^−register over registers below 32.
    @usableFromInline var kxq0: Double
    /// HLL mode: Σ 2^−register over registers of 32 and above.
    @usableFromInline var kxq1: Double
    /// HLL mode: registers still at 0.
    @usableFromInline var zeroRegisters: Int

    /// The smallest and largest lgK DataSketches allows.
    public static let lgKRange: ClosedRange<Int> = 4...21
    /// DataSketches' default lgK.
    public static let defaultLgK = 12

    /// A configuration error.
    public enum ConfigurationError: Error, Equatable, CustomStringConvertible {
        /// lgK outside 4…21.
        case lgKOutOfRange(Int)
        /// Standard deviations outside 1…3.
        case standardDeviationsOutOfRange(Int)

        /// One line that says what is wrong.
        public var description: String {
            switch self {
            case let .lgKOutOfRange(lgK): "HLL lgK must be in 4…21, got \(lgK)"
            case let .standardDeviationsOutOfRange(n): "HLL bounds take 1, 2 or 3 standard deviations, got \(n)"
            }
        }
    }

    /// Creates an empty sketch with 2^lgK registers.
    public init(lgK: Int = HLLSketch.defaultLgK) throws(ConfigurationError) {
        guard Self.lgKRange.contains(lgK) else { throw .lgKOutOfRange(lgK) }
        self.lgK = lgK
        mode = .list
        isOutOfOrder = false
        coupons = [UInt32](repeating: 0, count: 1 << HLLConstants.lgInitialListSize)
        couponCount = 0
        registers = []
        hipAccumulator = 0
        kxq0 = 0
        kxq1 = 0
        zeroRegisters = 0
    }

    /// The number of registers, 2^lgK.
    @inlinable public var k: Int { 1 << lgK }

    /// Whether nothing has been counted.
    public var isEmpty: Bool {
        mode == .hll ? zeroRegisters == k : couponCount == 0
    }

    /// Adds an item (hashed with DataSketches' seed 9001 and canonicalization); ignored items such
    /// as empty strings leave the sketch unchanged.
    @inlinable
    public mutating func update(_ item: some SketchHashable) {
        guard let hash = item.sketchHash(seed: MurmurHash3.defaultSeed) else { return }
        update(hash: hash)
    }

    /// Adds an item given by its MurmurHash3 result. Always inlined, with the register's raise:
    /// a sliding window's update (the integrity analyzer's active users) makes one per event.
    @inlinable @inline(__always)
    public mutating func update(hash: MurmurHash3.Hash128) {
        // As calls, this and the raise cost a sixth of that update's instructions (BENCHMARKS.md,
        // Integrity, session 17).
        let address = UInt32(truncatingIfNeeded: hash.h1) & HLLConstants.keyMask26
        let value = UInt32(min(hash.h2.leadingZeroBitCount, 62) + 1)
        let coupon = value << HLLConstants.keyBits26 | address
        if mode == .hll {
            updateRegister(slot: Int(address) & (k - 1), value: UInt8(truncatingIfNeeded: value))
        } else {
            updateCoupon(coupon)
        }
    }

    /// HLL mode: raises a register, keeping HIP and the kxq sums up to date.
    @inlinable @inline(__always)
    mutating func updateRegister(slot: Int, value: UInt8) {
        let old = registers[slot]
        guard value > old else { return }
        registers[slot] = value
        if !isOutOfOrder { hipAccumulator += Double(k) / (kxq0 + kxq1) }
        if old < 32 { kxq0 -= HLLConstants.inversePowerOfTwo(old) } else { kxq1 -= HLLConstants.inversePowerOfTwo(old) }
        if value < 32 { kxq0 += HLLConstants.inversePowerOfTwo(value) } else { kxq1 += HLLConstants.inversePowerOfTwo(value) }
        if old == 0 { zeroRegisters -= 1 }
    }
}

/// The representation an HLL sketch is in.
public enum HLLMode: UInt8, Sendable, CustomStringConvertible {
    /// Up to 7 coupons in a short list.
    case list = 0
    /// A hash set of coupons.
    case set = 1
    /// An array of 2^lgK registers.
    case hll = 2

    /// DataSketches' name for the mode.
    public var description: String {
        switch self {
        case .list: "LIST"
        case .set: "SET"
        case .hll: "HLL"
        }
    }
}

/// How DataSketches packs HLL registers in an image.
public enum HLLTargetType: UInt8, Sendable, CustomStringConvertible, CaseIterable {
    /// 4 bits per register plus an exception table.
    case hll4 = 0
    /// 6 bits per register.
    case hll6 = 1
    /// 8 bits per register.
    case hll8 = 2

    /// DataSketches' name for the type.
    public var description: String {
        switch self {
        case .hll4: "HLL_4"
        case .hll6: "HLL_6"
        case .hll8: "HLL_8"
        }
    }

    /// Parses `HLL_4`, `HLL_6` or `HLL_8`.
    public init?(name: String) {
        guard let match = Self.allCases.first(where: { $0.description == name }) else { return nil }
        self = match
    }
}

@usableFromInline
enum HLLConstants {
    @usableFromInline static let keyBits26: UInt32 = 26
    @usableFromInline static let keyMask26: UInt32 = (1 << 26) - 1
    static let lgInitialListSize = 3
    static let lgInitialSetSize = 5
    /// Sizes of HLL_4's exception table by lgK (DataSketches' LG_AUX_ARR_INTS).
    static let lgAuxArraySize: [Int] = [0, 2, 2, 2, 2, 2, 2, 3, 3, 3, 4, 4, 5, 5, 6, 7, 8, 9, 10, 11, 12, 13]

    /// 2^−value for a register value 0…63, exactly.
    @inlinable
    static func inversePowerOfTwo(_ value: UInt8) -> Double {
        Double(bitPattern: UInt64(1023 &- UInt64(value)) << 52)
    }
}

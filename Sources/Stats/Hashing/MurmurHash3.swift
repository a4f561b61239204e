/// MurmurHash3_x64_128 (Austin Appleby), as Apache DataSketches uses it: a 64-bit seed placed in
/// both halves of the state (`h1 = h2 = seed`).
///
/// The function is not cryptographic; DataSketches uses it to spread items uniformly, and Vigil
/// uses it the same way so that its sketches are bit-compatible with DataSketches 5.2.0.
public enum MurmurHash3 {
    /// DataSketches' default update seed.
    public static let defaultSeed: UInt64 = 9001

    /// The two 64-bit halves of a MurmurHash3_x64_128 result.
    public struct Hash128: Hashable, Sendable {
        /// The first half (DataSketches' `h1`; HLL takes its slot address from it).
        public var h1: UInt64
        /// The second half (DataSketches' `h2`; HLL takes its register value from it).
        public var h2: UInt64

        /// Creates a result from its two halves.
        @inlinable
        public init(h1: UInt64, h2: UInt64) {
            self.h1 = h1
            self.h2 = h2
        }
    }

    @usableFromInline static let c1: UInt64 = 0x87c3_7b91_1142_53d5
    @usableFromInline static let c2: UInt64 = 0x4cf5_ad43_2745_937f

    /// Hashes `bytes` with `seed`.
    @inlinable
    public static func hash128(_ bytes: UnsafeRawBufferPointer, seed: UInt64) -> Hash128 {
        var h1 = seed
        var h2 = seed
        let count = bytes.count
        let blocks = count >> 4
        // All arithmetic below is modulo 2^64 by definition of the hash, hence the `&` operators.
        var offset = 0
        for _ in 0..<blocks {
            let k1 = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            let k2 = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset &+ 8, as: UInt64.self))
            offset &+= 16
            h1 ^= mixK1(k1)
            h1 = rotl(h1, 27) &+ h2
            h1 = h1 &* 5 &+ 0x52dc_e729
            h2 ^= mixK2(k2)
            h2 = rotl(h2, 31) &+ h1
            h2 = h2 &* 5 &+ 0x3849_5ab5
        }
        let tail = count & 15
        if tail > 8 {
            var k2: UInt64 = 0
            for index in stride(from: tail - 1, through: 8, by: -1) {
                k2 = (k2 << 8) | UInt64(bytes[offset + index])
            }
            h2 ^= mixK2(k2)
        }
        if tail > 0 {
            var k1: UInt64 = 0
            for index in stride(from: min(tail, 8) - 1, through: 0, by: -1) {
                k1 = (k1 << 8) | UInt64(bytes[offset + index])
            }
            h1 ^= mixK1(k1)
        }
        return finalize(h1: h1, h2: h2, length: UInt64(count))
    }

    /// Hashes the 8 little-endian bytes of `word` with `seed` — DataSketches' hash of an `Int64`
    /// item — without materializing a buffer.
    @inlinable
    public static func hash128(word: UInt64, seed: UInt64) -> Hash128 {
        let h1 = seed ^ mixK1(word)
        return finalize(h1: h1, h2: seed, length: 8)
    }

    @inlinable
    static func mixK1(_ k: UInt64) -> UInt64 { rotl(k &* c1, 31) &* c2 }

    @inlinable
    static func mixK2(_ k: UInt64) -> UInt64 { rotl(k &* c2, 33) &* c1 }

    @inlinable
    static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 &- r)) }

    @inlinable
    static func fmix(_ value: UInt64) -> UInt64 {
        var k = value
        k ^= k >> 33
        k = k &* 0xff51_afd7_ed55_8ccd
        k ^= k >> 33
        k = k &* 0xc4ce_b9fe_1a85_ec53
        k ^= k >> 33
        return k
    }

    @inlinable
    static func finalize(h1 start1: UInt64, h2 start2: UInt64, length: UInt64) -> Hash128 {
        var h1 = start1 ^ length
        var h2 = start2 ^ length
        h1 = h1 &+ h2
        h2 = h2 &+ h1
        h1 = fmix(h1)
        h2 = fmix(h2)
        h1 = h1 &+ h2
        h2 = h2 &+ h1
        return Hash128(h1: h1, h2: h2)
    }

    /// DataSketches' 16-bit seed hash stored in serialized images to detect mismatched seeds: the
    /// low 16 bits of `h1` of the seed's 8 little-endian bytes hashed with seed 0.
    public static func seedHash(_ seed: UInt64) -> UInt16 {
        UInt16(truncatingIfNeeded: hash128(word: seed, seed: 0).h1)
    }
}

/// SipHash-2-4 (Aumasson & Bernstein), a keyed pseudorandom function with 64- or 128-bit output.
///
/// Integrity derives consumer pseudonyms with it: the 128-bit output under a secret key that rotates
/// and is destroyed is a keyed PRF whose outputs cannot be linked back to phone numbers once the key
/// is gone. It lives in `Stats` so that the analyzer needs nothing from `Crypto` (DESIGN.md rule 1).
public struct SipHash24: Sendable {
    /// The 128-bit key as two little-endian words (`k0` = bytes 0…7, `k1` = bytes 8…15).
    public let k0: UInt64
    /// See ``k0``.
    public let k1: UInt64

    /// A key of the wrong length.
    public struct InvalidKeyLength: Error, Equatable, CustomStringConvertible {
        /// The length that was given.
        public let byteCount: Int
        /// A one-line description.
        public var description: String { "SipHash-2-4 needs a 16-byte key, got \(byteCount) bytes" }
    }

    /// Creates a hasher from the key's two little-endian words.
    public init(k0: UInt64, k1: UInt64) {
        self.k0 = k0
        self.k1 = k1
    }

    /// Creates a hasher from a 16-byte key.
    public init(key: some Collection<UInt8>) throws(InvalidKeyLength) {
        guard key.count == 16 else { throw InvalidKeyLength(byteCount: key.count) }
        var words: (UInt64, UInt64) = (0, 0)
        for (index, byte) in key.enumerated() {
            if index < 8 {
                words.0 |= UInt64(byte) << (8 * UInt64(index))
            } else {
                words.1 |= UInt64(byte) << (8 * UInt64(index - 8))
            }
        }
        self.init(k0: words.0, k1: words.1)
    }

    /// The 64-bit SipHash-2-4 of `bytes`.
    public func hash64(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var state = State(k0: k0, k1: k1, wide: false)
        state.absorb(bytes)
        return state.finalize64(wide: false)
    }

    /// The 128-bit SipHash-2-4 of `bytes`, as (first, second) little-endian output words.
    public func hash128(_ bytes: UnsafeRawBufferPointer) -> (UInt64, UInt64) {
        var state = State(k0: k0, k1: k1, wide: true)
        state.absorb(bytes)
        let first = state.finalize64(wide: true)
        state.v1 ^= 0xdd
        state.rounds(4)
        return (first, state.v0 ^ state.v1 ^ state.v2 ^ state.v3)
    }

    /// The 64-bit SipHash-2-4 of a byte collection.
    public func hash64(_ bytes: some Sequence<UInt8>) -> UInt64 {
        Array(bytes).withUnsafeBytes { hash64($0) }
    }

    /// The 128-bit SipHash-2-4 of a byte collection as its 16 output bytes.
    public func hash128Bytes(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        let (a, b) = Array(bytes).withUnsafeBytes { hash128($0) }
        return (0..<16).map { index in
            UInt8(truncatingIfNeeded: (index < 8 ? a : b) >> (8 * UInt64(index % 8)))
        }
    }

    private struct State {
        var v0: UInt64, v1: UInt64, v2: UInt64, v3: UInt64

        init(k0: UInt64, k1: UInt64, wide: Bool) {
            v0 = 0x736f_6d65_7073_6575 ^ k0
            v1 = 0x646f_7261_6e64_6f6d ^ k1 ^ (wide ? 0xee : 0)
            v2 = 0x6c79_6765_6e65_7261 ^ k0
            v3 = 0x7465_6462_7974_6573 ^ k1
        }

        mutating func rounds(_ count: Int) {
            // SipRound is defined over arithmetic modulo 2^64.
            for _ in 0..<count {
                v0 = v0 &+ v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32)
                v2 = v2 &+ v3; v3 = rotl(v3, 16); v3 ^= v2
                v0 = v0 &+ v3; v3 = rotl(v3, 21); v3 ^= v0
                v2 = v2 &+ v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32)
            }
        }

        mutating func absorb(_ bytes: UnsafeRawBufferPointer) {
            let whole = bytes.count & ~7
            var offset = 0
            while offset < whole {
                compress(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
                offset += 8
            }
            var last = UInt64(truncatingIfNeeded: bytes.count) << 56
            for index in 0..<(bytes.count & 7) {
                last |= UInt64(bytes[whole + index]) << (8 * UInt64(index))
            }
            compress(last)
        }

        mutating func compress(_ word: UInt64) {
            v3 ^= word
            rounds(2)
            v0 ^= word
        }

        mutating func finalize64(wide: Bool) -> UInt64 {
            v2 ^= wide ? 0xee : 0xff
            rounds(4)
            return v0 ^ v1 ^ v2 ^ v3
        }

        func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }
    }
}

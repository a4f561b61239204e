extension SipHash24 {
    /// The 128-bit SipHash-2-4 of one 64-bit word taken as eight little-endian bytes — the same
    /// value as ``hash128(_:)`` of those bytes, without the byte-buffer machinery: two compression
    /// rounds, the two finalizations, all in registers. Inlinable, for the analyzer's door (one
    /// call per event).
    @inlinable
    public func hash128(word: UInt64) -> (UInt64, UInt64) {
        var v0: UInt64 = 0x736f_6d65_7073_6575 ^ k0
        var v1: UInt64 = 0x646f_7261_6e64_6f6d ^ k1 ^ 0xee
        var v2: UInt64 = 0x6c79_6765_6e65_7261 ^ k0
        var v3: UInt64 = 0x7465_6462_7974_6573 ^ k1
        // SipRound is defined over arithmetic modulo 2^64.
        @inline(__always)
        func round() {
            v0 = v0 &+ v1; v1 = v1 << 13 | v1 >> 51; v1 ^= v0; v0 = v0 << 32 | v0 >> 32
            v2 = v2 &+ v3; v3 = v3 << 16 | v3 >> 48; v3 ^= v2
            v0 = v0 &+ v3; v3 = v3 << 21 | v3 >> 43; v3 ^= v0
            v2 = v2 &+ v1; v1 = v1 << 17 | v1 >> 47; v1 ^= v2; v2 = v2 << 32 | v2 >> 32
        }
        @inline(__always)
        func compress(_ block: UInt64) {
            v3 ^= block
            round(); round()
            v0 ^= block
        }
        // The message word, then the final block: the length (8) in the top byte, no tail bytes.
        compress(word)
        compress(UInt64(8) << 56)
        v2 ^= 0xee
        round(); round(); round(); round()
        let first = v0 ^ v1 ^ v2 ^ v3
        v1 ^= 0xdd
        round(); round(); round(); round()
        return (first, v0 ^ v1 ^ v2 ^ v3)
    }
}

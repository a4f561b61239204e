/// Hashing and equality of string keys inside ``ReversePurgeHashMap``, on their UTF-8 bytes.
///
/// The slot hash is the one DataSketches' C++ map uses for `std::string` keys in the Linux
/// wheel: libstdc++'s `std::hash<std::string>` (`_Hash_bytes`, a 64-bit Murmur2 variant with
/// seed `0xc70f6907`) followed by MurmurHash3's `fmix64`. With the same hash the map has the same
/// layout, so serialized images come out in the same order as Python's. The format does not
/// require this; it only makes images byte-identical.
enum FrequentItemsKeyHashing {
    static let multiplier: UInt64 = 0xc6a4_a793_5bd1_e995
    static let libstdcxxSeed: UInt64 = 0xc70f_6907

    /// The slot hash of `key` (before masking).
    static func slotHash(_ key: String) -> UInt64 {
        withUTF8(key) { MurmurHash3.fmix(stdHash($0)) }
    }

    /// libstdc++'s `_Hash_bytes(bytes, count, 0xc70f6907)` on LP64. All arithmetic is modulo
    /// 2^64 by definition of the hash, hence the `&` operators.
    static func stdHash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let count = bytes.count
        var hash = libstdcxxSeed ^ (UInt64(count) &* multiplier)
        let aligned = count & ~7
        var offset = 0
        while offset < aligned {
            let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            hash ^= shiftMix(word &* multiplier) &* multiplier
            hash = hash &* multiplier
            offset += 8
        }
        if count & 7 != 0 {
            var tail: UInt64 = 0
            for index in stride(from: count - 1, through: aligned, by: -1) {
                tail = (tail << 8) | UInt64(bytes[index])
            }
            hash ^= tail
            hash = hash &* multiplier
        }
        hash = shiftMix(hash) &* multiplier
        return shiftMix(hash)
    }

    static func shiftMix(_ value: UInt64) -> UInt64 { value ^ (value >> 47) }

    /// Whether two strings have the same UTF-8 bytes. Unlike `==`, canonically equivalent but
    /// differently encoded strings ("é" and "e\u{301}") are different keys, as in DataSketches.
    static func sameBytes(_ lhs: String, _ rhs: String) -> Bool {
        guard lhs.utf8.count == rhs.utf8.count else { return false }
        return withUTF8(lhs) { left in
            withUTF8(rhs) { right in left.elementsEqual(right) }
        }
    }

    /// Runs `body` over the UTF-8 bytes of `string`, copying only for non-contiguous strings.
    static func withUTF8<R>(_ string: String, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        if let result = string.utf8.withContiguousStorageIfAvailable({ body(UnsafeRawBufferPointer($0)) }) {
            return result
        }
        var copy = string
        return copy.withUTF8 { body(UnsafeRawBufferPointer($0)) }
    }
}

/// Canonical-encoding checks for Ed25519 that Vigil makes before handing bytes to OpenSSL, so
/// verification is strict regardless of the library version. Inputs are public values, so these
/// run in variable time.
enum Ed25519Encoding {
    /// p = 2^255 - 19, little-endian.
    private static let fieldPrime: [UInt8] = [0xed] + [UInt8](repeating: 0xff, count: 30) + [0x7f]

    /// L = 2^252 + 27742317777372353535851937790883648493, little-endian.
    private static let groupOrder: [UInt8] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
    ]

    /// Whether the 32 little-endian bytes, as an integer, are below the 32-byte little-endian
    /// `bound`.
    private static func isLess(_ value: some Collection<UInt8>, than bound: [UInt8]) -> Bool {
        let bytes = Array(value)
        for index in stride(from: 31, through: 0, by: -1) where bytes[index] != bound[index] {
            return bytes[index] < bound[index]
        }
        return false
    }

    /// Whether `scalar` (32 bytes) is below L: RFC 8032 §5.1.7 requires rejecting S ≥ L, which
    /// would otherwise make signatures malleable.
    static func isCanonicalScalar(_ scalar: some Collection<UInt8>) -> Bool {
        scalar.count == 32 && isLess(scalar, than: groupOrder)
    }

    /// Whether `point` (32 bytes) is a canonical point encoding per RFC 8032 §5.1.2–5.1.3: the
    /// y-coordinate (bit 255 cleared) is below p, and the sign bit is not set on x = 0, which
    /// happens exactly for y = 1 and y = p - 1. Whether y is on the curve is left to decoding.
    static func isCanonicalPoint(_ point: [UInt8]) -> Bool {
        guard point.count == 32 else { return false }
        var y = point
        y[31] &= 0x7f
        guard isLess(y, than: fieldPrime) else { return false }
        let signBit = point[31] >> 7
        if signBit == 1 {
            let one: [UInt8] = [1] + [UInt8](repeating: 0, count: 31)
            var minusOne = fieldPrime
            minusOne[0] -= 1
            if y == one || y == minusOne { return false }
        }
        return true
    }
}

import COpenSSL

/// Comparisons whose running time does not depend on the contents of secret inputs.
public enum ConstantTime {
    /// Whether `a` and `b` hold the same bytes, compared with `CRYPTO_memcmp` in time that depends
    /// only on their lengths. Different lengths compare unequal immediately: lengths are public.
    ///
    /// The corresponding C function is `CRYPTO_memcmp`.
    public static func equals(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        let count = a.count
        guard count == b.count else { return false }
        guard count > 0 else { return true }
        var equal = false
        a.readContiguousBytes { (left: UnsafeRawBufferPointer) in
            b.readContiguousBytes { (right: UnsafeRawBufferPointer) in
                guard let l = left.baseAddress, let r = right.baseAddress else { return }
                equal = CRYPTO_memcmp(l, r, count) == 0
            }
        }
        return equal
    }

    /// Whether every byte of `bytes` is zero, in time that depends only on the length.
    public static func isAllZero(_ bytes: some Collection<UInt8>) -> Bool {
        bytes.withContiguousInput { (buffer: UnsafeRawBufferPointer) in
            var accumulator: UInt8 = 0
            for byte in buffer { accumulator |= byte }
            return accumulator == 0
        }
    }
}

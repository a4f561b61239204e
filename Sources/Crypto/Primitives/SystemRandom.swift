import COpenSSL

/// The production random source: OpenSSL's default DRBG (`RAND_bytes`), which OpenSSL seeds from
/// the operating system (`getrandom` on Linux) and reseeds on its own. Thread-safe: OpenSSL 3
/// keeps a DRBG per thread.
public struct SystemRandom: RandomSource {
    /// The system source; stateless, so every instance is the same generator.
    public init() {}

    /// Fills `buffer` from `RAND_bytes`.
    ///
    /// The corresponding C function is `RAND_bytes`.
    public func fill(_ buffer: UnsafeMutableRawBufferPointer) throws(CryptoError) {
        var offset = 0
        while offset < buffer.count {
            let chunk = min(buffer.count - offset, OpenSSL.maximumChunk)
            guard let base = buffer.mutableBytePointer else { return }
            try OpenSSL.check(RAND_bytes(base + offset, Int32(chunk)), "RAND_bytes")
            offset += chunk
        }
    }
}

/// SHA-512 (FIPS 180-4), one-shot.
public enum SHA512 {
    /// The digest length in bytes (64).
    public static let byteCount = 64

    /// The block length in bytes (128).
    public static let blockByteCount = 128

    /// The SHA-512 digest of `data`.
    ///
    /// The corresponding C function is `EVP_Digest`.
    public static func hash(data: some Collection<UInt8>) throws(CryptoError) -> SHA512Digest {
        let algorithm = try OpenSSLAlgorithms.sha512.get()
        return try SHA512Digest { (output: UnsafeMutableRawBufferPointer) throws(CryptoError) in
            try oneShotDigest(data, algorithm: algorithm, into: output)
        }
    }
}

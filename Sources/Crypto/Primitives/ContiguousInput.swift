import COpenSSL

extension Collection where Element == UInt8 {
    /// Calls `body` with the collection's bytes in contiguous memory.
    ///
    /// Arrays, slices, `SecureBytes`, digests and `Data` lend their storage directly; any other
    /// collection is copied into a temporary array that is wiped with `OPENSSL_cleanse` before it
    /// is released, since the input may be key material.
    func withContiguousInput<R, E: Error>(
        _ body: (UnsafeRawBufferPointer) throws(E) -> R
    ) throws(E) -> R {
        var lent: Result<R, E>?
        _ = withContiguousStorageIfAvailable { buffer in
            lent = Result { () throws(E) -> R in try body(UnsafeRawBufferPointer(buffer)) }
        }
        if let lent { return try lent.get() }
        var copy = Array(self)
        defer {
            copy.withUnsafeMutableBytes { bytes in
                if let base = bytes.baseAddress { OPENSSL_cleanse(base, bytes.count) }
            }
        }
        let result = copy.withUnsafeBytes { bytes in
            Result { () throws(E) -> R in try body(bytes) }
        }
        return try result.get()
    }

    /// `withContiguousInput` for the hot paths: the closure type is concrete (no result value,
    /// `CryptoError` only), so unspecialized callers — public APIs generic over the input
    /// collection — do not instantiate generic `Result` metadata on every call.
    func withContiguousBytes(
        _ body: (UnsafeRawBufferPointer) throws(CryptoError) -> Void
    ) throws(CryptoError) {
        var failure: CryptoError?
        let lent: Void? = withContiguousStorageIfAvailable { buffer in
            do throws(CryptoError) {
                try body(UnsafeRawBufferPointer(buffer))
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        if lent != nil { return }
        var copy = Array(self)
        defer {
            copy.withUnsafeMutableBytes { bytes in
                if let base = bytes.baseAddress { OPENSSL_cleanse(base, bytes.count) }
            }
        }
        copy.withUnsafeBytes { bytes in
            do throws(CryptoError) {
                try body(bytes)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
    }
    /// Non-throwing form of `withContiguousBytes`.
    func readContiguousBytes(_ body: (UnsafeRawBufferPointer) -> Void) {
        let lent: Void? = withContiguousStorageIfAvailable { buffer in body(UnsafeRawBufferPointer(buffer)) }
        if lent != nil { return }
        var copy = Array(self)
        copy.withUnsafeBytes(body)
        copy.withUnsafeMutableBytes { bytes in
            if let base = bytes.baseAddress { OPENSSL_cleanse(base, bytes.count) }
        }
    }
}

extension UnsafeRawBufferPointer {
    /// The base address typed as bytes, as OpenSSL's `const unsigned char *` parameters expect;
    /// `nil` for an empty buffer (OpenSSL is never asked to read from it then).
    var bytePointer: UnsafePointer<UInt8>? {
        baseAddress?.assumingMemoryBound(to: UInt8.self)
    }
}

extension UnsafeMutableRawBufferPointer {
    /// The base address typed as bytes, for OpenSSL's `unsigned char *` output parameters.
    var mutableBytePointer: UnsafeMutablePointer<UInt8>? {
        baseAddress?.assumingMemoryBound(to: UInt8.self)
    }
}

import COpenSSL

/// An owned `EVP_MD_CTX`: the copy-on-write storage behind `SHA256`'s incremental hashing.
///
/// `@unchecked Sendable`: the context is only mutated through `SHA256`'s `mutating` methods after
/// an `isKnownUniquelyReferenced` check (copying first otherwise), so no two threads can reach a
/// context that is being written; shared instances are only read (`EVP_MD_CTX_copy_ex` source).
final class DigestContext: @unchecked Sendable {
    let context: OpaquePointer

    /// A fresh context initialized for `algorithm`.
    init(algorithm: SharedOpenSSLObject) throws(CryptoError) {
        let context = try OpenSSL.unwrap(EVP_MD_CTX_new(), "EVP_MD_CTX_new")
        guard EVP_DigestInit_ex2(context, algorithm.pointer, nil) == 1 else {
            let error = OpenSSL.error("EVP_DigestInit_ex2")
            EVP_MD_CTX_free(context)
            throw error
        }
        self.context = context
    }

    /// A context in the same state as `other`.
    init(copying other: DigestContext) throws(CryptoError) {
        let context = try OpenSSL.unwrap(EVP_MD_CTX_new(), "EVP_MD_CTX_new")
        guard EVP_MD_CTX_copy_ex(context, other.context) == 1 else {
            let error = OpenSSL.error("EVP_MD_CTX_copy_ex")
            EVP_MD_CTX_free(context)
            throw error
        }
        self.context = context
    }

    deinit {
        EVP_MD_CTX_free(context)
    }

    /// Feeds `bytes` into the context.
    func update(_ bytes: UnsafeRawBufferPointer) throws(CryptoError) {
        var offset = 0
        while offset < bytes.count {
            let chunk = min(bytes.count - offset, OpenSSL.maximumChunk)
            guard let base = bytes.baseAddress else { return }
            try OpenSSL.check(EVP_DigestUpdate(context, base + offset, chunk), "EVP_DigestUpdate")
            offset += chunk
        }
    }

    /// Finishes the context, writing the digest into `output` (which must be the digest size).
    func finalize(into output: UnsafeMutableRawBufferPointer) throws(CryptoError) {
        var length: UInt32 = 0
        try OpenSSL.check(EVP_DigestFinal_ex(context, output.mutableBytePointer, &length), "EVP_DigestFinal_ex")
        precondition(Int(length) == output.count, "digest length mismatch")
    }
}

/// One-shot digest of `data` with a fetched algorithm, written into `output`.
func oneShotDigest(
    _ data: some Collection<UInt8>, algorithm: SharedOpenSSLObject, into output: UnsafeMutableRawBufferPointer
) throws(CryptoError) {
    let count = data.count
    guard count <= Int(UInt32.max) else {
        // Very large inputs go through the incremental path (EVP_Digest takes a size_t, but keep
        // one code path for chunking).
        let context = try DigestContext(algorithm: algorithm)
        try data.withContiguousBytes { (bytes: UnsafeRawBufferPointer) throws(CryptoError) in
            try context.update(bytes)
        }
        try context.finalize(into: output)
        return
    }
    try data.withContiguousBytes { (bytes: UnsafeRawBufferPointer) throws(CryptoError) in
        var length: UInt32 = 0
        try OpenSSL.check(
            EVP_Digest(bytes.baseAddress, count, output.mutableBytePointer, &length, algorithm.pointer, nil),
            "EVP_Digest")
        precondition(Int(length) == output.count, "digest length mismatch")
    }
}

import COpenSSL

/// The shared engine behind `ChaChaPoly` and `AES.GCM`: both are 256-bit-key, 96-bit-nonce,
/// 128-bit-tag AEADs driven through the same `EVP_CIPHER_CTX` calls.
///
/// Each seal or open is one call into the C shim (`vigil_aead_seal` / `vigil_aead_open`), which
/// makes a context from the fetched cipher, runs init, associated data, data, final and tag, and
/// frees it (OpenSSL wipes the key schedule). Outputs are written straight into the result arrays.
@usableFromInline
enum AEADCipher: Sendable {
    case chaCha20Poly1305
    case aes256GCM

    static let keyByteCount = 32

    private var algorithm: Result<SharedOpenSSLObject, CryptoError> {
        switch self {
        case .chaCha20Poly1305: OpenSSLAlgorithms.chaCha20Poly1305
        case .aes256GCM: OpenSSLAlgorithms.aes256GCM
        }
    }

    private func checkKey(_ key: SymmetricKey) throws(CryptoError) {
        guard key.byteCount == Self.keyByteCount else {
            throw .incorrectSize(.key, expected: Self.keyByteCount...Self.keyByteCount, actual: key.byteCount)
        }
    }

    /// Encrypts and authenticates `message`, authenticating `aad` too.
    ///
    /// Contiguous inputs (arrays, slices, `Data`) go straight to the non-generic core: the
    /// generic closures of an unspecialized body cost a quarter of a 1 KiB seal in metadata
    /// lookups. Failures come back through `failure` rather than thrown through the generic
    /// `withContiguousStorageIfAvailable` closures. Inlinable, so callers specialize it for their
    /// concrete collections (no generic metadata lookups per call at all).
    @inlinable
    func seal(
        _ message: some Collection<UInt8>, key: SymmetricKey, nonce: AEADNonce, aad: some Collection<UInt8>
    ) throws(CryptoError) -> AEADSealedBox {
        var failure: CryptoError?
        var sealed: AEADSealedBox?
        _ = message.withContiguousStorageIfAvailable { (messageBytes: UnsafeBufferPointer<UInt8>) in
            _ = aad.withContiguousStorageIfAvailable { (aadBytes: UnsafeBufferPointer<UInt8>) in
                sealed = sealContiguous(
                    UnsafeRawBufferPointer(messageBytes), key: key, nonce: nonce, aad: UnsafeRawBufferPointer(aadBytes),
                    failure: &failure)
            }
        }
        if let failure { throw failure }
        if let sealed { return sealed }
        return try sealCopying(message, key: key, nonce: nonce, aad: aad)
    }

    /// `sealContiguous` reporting failure through `failure` (nil result) rather than by throwing.
    @usableFromInline
    func sealContiguous(
        _ message: UnsafeRawBufferPointer, key: SymmetricKey, nonce: AEADNonce, aad: UnsafeRawBufferPointer,
        failure: inout CryptoError?
    ) -> AEADSealedBox? {
        do throws(CryptoError) {
            return try sealContiguous(message, key: key, nonce: nonce, aad: aad)
        } catch {
            failure = error
            return nil
        }
    }

    /// `seal` for inputs that are not contiguous: they are copied into wiped temporaries.
    @usableFromInline
    func sealCopying(
        _ message: some Collection<UInt8>, key: SymmetricKey, nonce: AEADNonce, aad: some Collection<UInt8>
    ) throws(CryptoError) -> AEADSealedBox {
        var sealed: AEADSealedBox?
        try aad.withContiguousBytes { (aadBytes: UnsafeRawBufferPointer) throws(CryptoError) in
            try message.withContiguousBytes { (messageBytes: UnsafeRawBufferPointer) throws(CryptoError) in
                sealed = try sealContiguous(messageBytes, key: key, nonce: nonce, aad: aadBytes)
            }
        }
        guard let sealed else { preconditionFailure("seal produced no box") }
        return sealed
    }

    /// The non-generic body of `seal`.
    func sealContiguous(
        _ message: UnsafeRawBufferPointer, key: SymmetricKey, nonce: AEADNonce, aad: UnsafeRawBufferPointer
    ) throws(CryptoError) -> AEADSealedBox {
        try checkKey(key)
        var ciphertext: [UInt8] = []
        var failure: CryptoError?
        let tag = [UInt8](unsafeUninitializedCapacity: AEADSealedBox.tagByteCount) { tagBuffer, tagCount in
            do throws(CryptoError) {
                try key.secureBytes.withUnsafeBytes { (keyBytes: UnsafeRawBufferPointer) throws(CryptoError) in
                    try nonce.rawRepresentation.withContiguousBytes { (nonceBytes: UnsafeRawBufferPointer) throws(CryptoError) in
                        ciphertext = try seal(
                            key: keyBytes, nonce: nonceBytes, aad: aad, UnsafeRawBufferPointer(start: nil, count: 0),
                            message: message, tagInto: UnsafeMutableRawBufferPointer(tagBuffer))
                    }
                }
                tagCount = AEADSealedBox.tagByteCount
            } catch {
                failure = error
                tagCount = 0
            }
        }
        if let failure { throw failure }
        return AEADSealedBox(nonce: nonce, checkedCiphertext: ciphertext, tag: tag)
    }

    /// Checks the tag and decrypts; throws `authenticationFailure` without releasing any
    /// plaintext when the box, nonce, `aad` or key do not match. Contiguous associated data goes
    /// straight to the non-generic core, as in `seal`.
    @inlinable
    func open(_ box: AEADSealedBox, key: SymmetricKey, aad: some Collection<UInt8>) throws(CryptoError) -> [UInt8] {
        var failure: CryptoError?
        let opened = aad.withContiguousStorageIfAvailable { (aadBytes: UnsafeBufferPointer<UInt8>) in
            openContiguous(box, key: key, aad: UnsafeRawBufferPointer(aadBytes), failure: &failure)
        }
        if let failure { throw failure }
        if let opened { return opened }
        return try openCopying(box, key: key, aad: aad)
    }

    /// `openContiguous` reporting failure through `failure` (the result is then empty).
    @usableFromInline
    func openContiguous(
        _ box: AEADSealedBox, key: SymmetricKey, aad: UnsafeRawBufferPointer, failure: inout CryptoError?
    ) -> [UInt8] {
        do throws(CryptoError) {
            return try openContiguous(box, key: key, aad: aad)
        } catch {
            failure = error
            return []
        }
    }

    /// `open` for associated data that is not contiguous.
    @usableFromInline
    func openCopying(_ box: AEADSealedBox, key: SymmetricKey, aad: some Collection<UInt8>) throws(CryptoError) -> [UInt8] {
        var plaintext: [UInt8] = []
        try aad.withContiguousBytes { (aadBytes: UnsafeRawBufferPointer) throws(CryptoError) in
            plaintext = try openContiguous(box, key: key, aad: aadBytes)
        }
        return plaintext
    }

    /// The non-generic body of `open`.
    func openContiguous(_ box: AEADSealedBox, key: SymmetricKey, aad: UnsafeRawBufferPointer) throws(CryptoError) -> [UInt8] {
        try checkKey(key)
        var plaintext: [UInt8] = []
        try key.secureBytes.withUnsafeBytes { (keyBytes: UnsafeRawBufferPointer) throws(CryptoError) in
            try box.nonce.rawRepresentation.withContiguousBytes { (nonceBytes: UnsafeRawBufferPointer) throws(CryptoError) in
                try box.ciphertext.withContiguousBytes { (ciphertextBytes: UnsafeRawBufferPointer) throws(CryptoError) in
                    try box.tag.withContiguousBytes { (tagBytes: UnsafeRawBufferPointer) throws(CryptoError) in
                        plaintext = try open(
                            key: keyBytes, nonce: nonceBytes, aad: aad, UnsafeRawBufferPointer(start: nil, count: 0),
                            ciphertext: ciphertextBytes, tag: tagBytes)
                    }
                }
            }
        }
        return plaintext
    }

    /// The raw core of `seal`: `key` (32 bytes) and `nonce` (12 bytes) as bytes, the associated
    /// data in two parts (authenticated as `aad1 ‖ aad2`, with no concatenated copy). Returns
    /// the ciphertext; the 16-byte tag goes to `tagInto`.
    func seal(
        key: UnsafeRawBufferPointer, nonce: UnsafeRawBufferPointer,
        aad aad1: UnsafeRawBufferPointer, _ aad2: UnsafeRawBufferPointer,
        message: UnsafeRawBufferPointer, tagInto tag: UnsafeMutableRawBufferPointer
    ) throws(CryptoError) -> [UInt8] {
        var failure: CryptoError?
        let ciphertext = [UInt8](unsafeUninitializedCapacity: message.count) { buffer, initializedCount in
            do throws(CryptoError) {
                try seal(
                    key: key, nonce: nonce, aad: aad1, aad2, message: message,
                    into: UnsafeMutableRawBufferPointer(buffer), tagInto: tag)
                initializedCount = message.count
            } catch {
                failure = error
                initializedCount = 0
            }
        }
        if let failure { throw failure }
        return ciphertext
    }

    /// `seal` writing the ciphertext to `output` (at least `message.count` bytes; it may be the
    /// message's own storage).
    func seal(
        key: UnsafeRawBufferPointer, nonce: UnsafeRawBufferPointer,
        aad aad1: UnsafeRawBufferPointer, _ aad2: UnsafeRawBufferPointer,
        message: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer,
        tagInto tag: UnsafeMutableRawBufferPointer
    ) throws(CryptoError) {
        precondition(
            key.count == Self.keyByteCount && nonce.count == AEADNonce.byteCount
                && tag.count == AEADSealedBox.tagByteCount && output.count >= message.count,
            "AEAD buffer sizes")
        let cipher = try algorithm.get()
        var failed: UnsafePointer<CChar>?
        guard vigil_aead_seal(
            cipher.pointer, key.bytePointer, nonce.bytePointer, aad1.bytePointer, aad1.count,
            aad2.bytePointer, aad2.count, message.bytePointer, message.count, output.mutableBytePointer,
            tag.mutableBytePointer, &failed) == 1
        else { throw OpenSSL.error(cName: failed) }
    }

    /// The raw core of `open`: checks `tag` over `aad1 ‖ aad2` and `ciphertext` and returns the
    /// plaintext; throws `authenticationFailure` (the partial plaintext wiped) if it does not verify.
    func open(
        key: UnsafeRawBufferPointer, nonce: UnsafeRawBufferPointer,
        aad aad1: UnsafeRawBufferPointer, _ aad2: UnsafeRawBufferPointer,
        ciphertext: UnsafeRawBufferPointer, tag: UnsafeRawBufferPointer
    ) throws(CryptoError) -> [UInt8] {
        guard tag.count == AEADSealedBox.tagByteCount else { throw .authenticationFailure }
        precondition(key.count == Self.keyByteCount && nonce.count == AEADNonce.byteCount, "AEAD buffer sizes")
        let cipher = try algorithm.get()
        var failure: CryptoError?
        let plaintext = [UInt8](unsafeUninitializedCapacity: ciphertext.count) { buffer, initializedCount in
            var failed: UnsafePointer<CChar>?
            // The shim wipes `buffer` itself unless the tag verifies.
            switch vigil_aead_open(
                cipher.pointer, key.bytePointer, nonce.bytePointer, aad1.bytePointer, aad1.count,
                aad2.bytePointer, aad2.count, ciphertext.bytePointer, ciphertext.count, tag.bytePointer,
                buffer.baseAddress, &failed)
            {
            case 1:
                initializedCount = ciphertext.count
            case 0:
                failure = .authenticationFailure
                initializedCount = 0
            default:
                failure = OpenSSL.error(cName: failed)
                initializedCount = 0
            }
        }
        if let failure { throw failure }
        return plaintext
    }
}

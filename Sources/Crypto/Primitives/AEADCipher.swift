import COpenSSL

/// The shared engine behind `ChaChaPoly` and `AES.GCM`: both are 256-bit-key, 96-bit-nonce,
/// 128-bit-tag AEADs driven through the same `EVP_CIPHER_CTX` calls.
enum AEADCipher {
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
    func seal(
        _ message: some Collection<UInt8>, key: SymmetricKey, nonce: AEADNonce, aad: some Collection<UInt8>
    ) throws(CryptoError) -> AEADSealedBox {
        try checkKey(key)
        let cipher = try algorithm.get()
        let context = try OpenSSL.unwrap(EVP_CIPHER_CTX_new(), "EVP_CIPHER_CTX_new")
        defer { EVP_CIPHER_CTX_free(context) }
        try key.withUnsafeBytes { (keyBytes: UnsafeRawBufferPointer) throws(CryptoError) in
            try OpenSSL.check(
                EVP_EncryptInit_ex2(context, cipher.pointer, keyBytes.bytePointer, nonce.rawRepresentation, nil),
                "EVP_EncryptInit_ex2")
        }
        try aad.withContiguousBytes { (bytes: UnsafeRawBufferPointer) throws(CryptoError) in
            try Self.update(context, input: bytes, output: nil, encrypt: true)
        }
        let count = message.count
        var ciphertext = [UInt8](repeating: 0, count: count)
        try message.withContiguousBytes { (bytes: UnsafeRawBufferPointer) throws(CryptoError) in
            try ciphertext.withUnsafeMutableBytes { out in
                Result { () throws(CryptoError) in
                    try Self.update(context, input: bytes, output: out.mutableBytePointer, encrypt: true)
                }
            }.get()
        }
        var finalLength: Int32 = 0
        var scratch = [UInt8](repeating: 0, count: 16)
        try OpenSSL.check(EVP_EncryptFinal_ex(context, &scratch, &finalLength), "EVP_EncryptFinal_ex")
        precondition(finalLength == 0, "stream AEAD produced trailing output")
        var tag = [UInt8](repeating: 0, count: AEADSealedBox.tagByteCount)
        try OpenSSL.check(
            EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_GET_TAG, Int32(tag.count), &tag), "EVP_CIPHER_CTX_ctrl")
        return try AEADSealedBox(nonce: nonce, ciphertext: ciphertext, tag: tag)
    }

    /// Checks the tag and decrypts; throws `authenticationFailure` without releasing any
    /// plaintext when the box, nonce, `aad` or key do not match.
    func open(_ box: AEADSealedBox, key: SymmetricKey, aad: some Collection<UInt8>) throws(CryptoError) -> [UInt8] {
        try checkKey(key)
        let cipher = try algorithm.get()
        let context = try OpenSSL.unwrap(EVP_CIPHER_CTX_new(), "EVP_CIPHER_CTX_new")
        defer { EVP_CIPHER_CTX_free(context) }
        try key.withUnsafeBytes { (keyBytes: UnsafeRawBufferPointer) throws(CryptoError) in
            try OpenSSL.check(
                EVP_DecryptInit_ex2(context, cipher.pointer, keyBytes.bytePointer, box.nonce.rawRepresentation, nil),
                "EVP_DecryptInit_ex2")
        }
        var tag = box.tag
        try OpenSSL.check(
            EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_SET_TAG, Int32(tag.count), &tag), "EVP_CIPHER_CTX_ctrl")
        try aad.withContiguousBytes { (bytes: UnsafeRawBufferPointer) throws(CryptoError) in
            try Self.update(context, input: bytes, output: nil, encrypt: false)
        }
        // OpenSSL decrypts before it checks the tag: the plaintext buffer is wiped unless the
        // final check passes.
        var plaintext = [UInt8](repeating: 0, count: box.ciphertext.count)
        var authenticated = false
        defer {
            if !authenticated {
                plaintext.withUnsafeMutableBytes { bytes in
                    if let base = bytes.baseAddress { OPENSSL_cleanse(base, bytes.count) }
                }
            }
        }
        try box.ciphertext.withContiguousBytes { (bytes: UnsafeRawBufferPointer) throws(CryptoError) in
            try plaintext.withUnsafeMutableBytes { out in
                Result { () throws(CryptoError) in
                    try Self.update(context, input: bytes, output: out.mutableBytePointer, encrypt: false)
                }
            }.get()
        }
        var finalLength: Int32 = 0
        var scratch = [UInt8](repeating: 0, count: 16)
        guard EVP_DecryptFinal_ex(context, &scratch, &finalLength) == 1 else {
            _ = OpenSSL.drainError("EVP_DecryptFinal_ex")
            throw .authenticationFailure
        }
        authenticated = true
        return plaintext
    }

    /// Feeds `input` in `int`-sized chunks; with `output == nil` the input is associated data.
    private static func update(
        _ context: OpaquePointer, input: UnsafeRawBufferPointer, output: UnsafeMutablePointer<UInt8>?,
        encrypt: Bool
    ) throws(CryptoError) {
        var offset = 0
        while offset < input.count {
            guard let base = input.bytePointer else { return }
            let chunk = min(input.count - offset, OpenSSL.maximumChunk)
            var written: Int32 = 0
            let destination = output.map { $0 + offset }
            if encrypt {
                try OpenSSL.check(
                    EVP_EncryptUpdate(context, destination, &written, base + offset, Int32(chunk)), "EVP_EncryptUpdate")
            } else {
                try OpenSSL.check(
                    EVP_DecryptUpdate(context, destination, &written, base + offset, Int32(chunk)), "EVP_DecryptUpdate")
            }
            precondition(Int(written) == chunk, "stream AEAD output length mismatch")
            offset += chunk
        }
    }
}

/// The output of an AEAD seal: nonce, ciphertext (as long as the plaintext) and 16-byte tag.
///
/// `combined` is the usual wire and storage form, nonce ‖ ciphertext ‖ tag.
public struct AEADSealedBox: Sendable, Hashable {
    /// The length of the authentication tag in bytes (16).
    public static let tagByteCount = 16

    /// The nonce the box was sealed with.
    public let nonce: AEADNonce
    /// The ciphertext.
    public let ciphertext: [UInt8]
    /// The 16-byte authentication tag.
    public let tag: [UInt8]

    /// A box from its parts; throws `incorrectSize` unless the tag is 16 bytes.
    public init(nonce: AEADNonce, ciphertext: some Collection<UInt8>, tag: some Collection<UInt8>) throws(CryptoError) {
        guard tag.count == Self.tagByteCount else {
            throw .incorrectSize(.tag, expected: Self.tagByteCount...Self.tagByteCount, actual: tag.count)
        }
        self.nonce = nonce
        self.ciphertext = Array(ciphertext)
        self.tag = Array(tag)
    }

    /// A box from parts the caller has already checked (a 16-byte tag), without copying them.
    init(nonce: AEADNonce, checkedCiphertext ciphertext: [UInt8], tag: [UInt8]) {
        assert(tag.count == Self.tagByteCount, "AEAD tag length")
        self.nonce = nonce
        self.ciphertext = ciphertext
        self.tag = tag
    }

    /// A box from its combined form, nonce (12) ‖ ciphertext ‖ tag (16); throws `incorrectSize`
    /// if shorter than 28 bytes.
    public init(combined: some Collection<UInt8>) throws(CryptoError) {
        let bytes = Array(combined)
        let overhead = AEADNonce.byteCount + Self.tagByteCount
        guard bytes.count >= overhead else {
            throw .incorrectSize(.sealedBox, expected: overhead...Int.max, actual: bytes.count)
        }
        try self.init(
            nonce: AEADNonce(rawRepresentation: bytes[..<AEADNonce.byteCount]),
            ciphertext: bytes[AEADNonce.byteCount..<(bytes.count - Self.tagByteCount)],
            tag: bytes[(bytes.count - Self.tagByteCount)...])
    }

    /// nonce ‖ ciphertext ‖ tag.
    public var combined: [UInt8] {
        // One allocation of the final size (`a + b + c` grew the array twice).
        var bytes: [UInt8] = []
        bytes.reserveCapacity(nonce.rawRepresentation.count + ciphertext.count + tag.count)
        bytes.append(contentsOf: nonce.rawRepresentation)
        bytes.append(contentsOf: ciphertext)
        bytes.append(contentsOf: tag)
        return bytes
    }
}

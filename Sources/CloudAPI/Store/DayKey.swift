import Crypto
import Storage

/// One UTC day's key and the two keys derived from it (HKDF-SHA-256, one label each, so no key
/// serves two algorithms):
/// - the sealing key: ChaCha20-Poly1305 over each record, random 96-bit nonce stored in front of
///   the ciphertext (`nonce ‖ ciphertext ‖ tag`);
/// - the index key: HMAC-SHA-256 over the business/consumer pair — the `party` column, which
///   answers "did this consumer write to this business lately" without the numbers.
///
/// Only `material` is stored (wrapped under the master key in `keys.sqlite`); destroying it makes
/// the day's ciphertexts and index values meaningless.
struct DayKey: Sendable {
    /// The day the key belongs to.
    let day: UTCDay
    /// The 32 random bytes (what `keys.sqlite` holds, wrapped).
    let material: SymmetricKey
    /// ChaCha20-Poly1305 key for the day's records.
    let sealingKey: SymmetricKey
    /// HMAC-SHA-256 key for the day's party index.
    let indexKey: SymmetricKey

    /// Derives the day's working keys from `material`.
    init(day: UTCDay, material: SymmetricKey) throws(CryptoError) {
        self.day = day
        self.material = material
        self.sealingKey = try Self.derive(material, label: "vigil.cloudapi.store.seal.v1", day: day)
        self.indexKey = try Self.derive(material, label: "vigil.cloudapi.store.party.v1", day: day)
    }

    private static func derive(_ material: SymmetricKey, label: String, day: UTCDay) throws(CryptoError) -> SymmetricKey {
        try HKDF.deriveKey(
            inputKeyMaterial: material, salt: [UInt8](), info: Array((label + "|" + day.description).utf8),
            outputByteCount: 32)
    }

    /// `plaintext` sealed under the sealing key with a fresh random nonce, in combined form.
    func seal(_ plaintext: [UInt8], associatedData: [UInt8], random: any RandomSource) throws(CryptoError) -> [UInt8] {
        let box = try ChaChaPoly.seal(
            plaintext, using: sealingKey, nonce: AEADNonce(using: random), authenticating: associatedData)
        return box.combined
    }

    /// Opens what ``seal(_:associatedData:random:)`` made; throws `authenticationFailure` when the
    /// bytes, the key or the associated data differ.
    func open(_ combined: [UInt8], associatedData: [UInt8]) throws(CryptoError) -> [UInt8] {
        try ChaChaPoly.open(AEADSealedBox(combined: combined), using: sealingKey, authenticating: associatedData)
    }

    /// The party index of a business/consumer pair under this day's index key (32 bytes).
    func partyIndex(business: String, consumer: String) throws(CryptoError) -> [UInt8] {
        try HMAC.authenticationCode(
            for: RecordCodec.partyIndexInput(business: business, consumer: consumer), using: indexKey
        ).bytes
    }
}

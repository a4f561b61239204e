public import Crypto

/// Encrypts custody records (keys, sessions, secrets) under the master key with
/// ChaCha20-Poly1305: `nonce (12) ‖ ciphertext ‖ tag (16)`, a fresh random nonce per record, and
/// the record's *context* (table and row key) as associated data, so a sealed value cannot be
/// moved to another row or table undetected.
public struct Sealer: Sendable {
    private let key: SymmetricKey
    private let indexKey: SymmetricKey
    private let random: any RandomSource

    /// A sealer under `masterKey` (32 bytes).
    public init(masterKey: SymmetricKey, random: any RandomSource = SystemRandom()) throws(CloudAPIError) {
        guard masterKey.byteCount == ChaChaPoly.keyByteCount else {
            throw .invalidConfiguration("the master key must be \(ChaChaPoly.keyByteCount) bytes, not \(masterKey.byteCount)")
        }
        key = masterKey
        self.random = random
        do throws(CryptoError) {
            indexKey = try HMAC.authenticationCode(for: Array("vigil cloudapi index key v1".utf8), using: masterKey).symmetricKey
        } catch {
            throw .crypto(error)
        }
    }

    /// Seals `plaintext` for `context`.
    public func seal(_ plaintext: some Collection<UInt8>, context: String) throws(CloudAPIError) -> [UInt8] {
        do throws(CryptoError) {
            let nonce = try AEADNonce(using: random)
            return try ChaChaPoly.seal(plaintext, using: key, nonce: nonce, authenticating: Array(context.utf8)).combined
        } catch {
            throw .crypto(error)
        }
    }

    /// Opens a value sealed for `context`; `what` names it in the error.
    public func open(_ sealed: [UInt8], context: String, what: String) throws(CloudAPIError) -> SecureBytes {
        do throws(CryptoError) {
            let box = try AEADSealedBox(combined: sealed)
            return SecureBytes(try ChaChaPoly.open(box, using: key, authenticating: Array(context.utf8)))
        } catch {
            throw .unsealFailed(what: what)
        }
    }

    /// A keyed, non-reversible index for `parts` (HMAC-SHA-256 under a key derived from the
    /// master key): rows can be found by consumer number without storing it.
    public func index(_ parts: String...) throws(CloudAPIError) -> [UInt8] {
        do throws(CryptoError) {
            return try HMAC.authenticationCode(for: Array(parts.joined(separator: "\u{0}").utf8), using: indexKey).bytes
        } catch {
            throw .crypto(error)
        }
    }
}

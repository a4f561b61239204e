import Crypto
import Testing

/// The shared algorithm objects and template contexts are used from many tasks at once; results
/// must equal the sequential ones.
@Suite("Concurrent use")
struct ConcurrencyTests {
    static func work(seed: UInt64) throws -> [UInt8] {
        let random = SeededRandom(seed: seed)
        let key = try SymmetricKey(size: .bits256, using: random)
        var out: [UInt8] = []
        for round in 0..<25 {
            let code = try HMAC.authenticationCode(for: [UInt8(round)], using: key)
            let derived = try HKDF.deriveKey(
                inputKeyMaterial: code.symmetricKey, salt: [UInt8](), info: Array("WhisperMessageKeys".utf8),
                outputByteCount: 80)
            let box = try ChaChaPoly.seal(
                [UInt8(round)], using: SymmetricKey(data: derived.secureBytes.prefix(32)),
                nonce: AEADNonce(rawRepresentation: derived.secureBytes.suffix(12)))
            out += box.tag
        }
        let a = try Curve25519.KeyAgreement.PrivateKey(using: random)
        let b = try Curve25519.KeyAgreement.PrivateKey(using: random)
        out += Array(try a.sharedSecretFromKeyAgreement(with: b.publicKey).secureBytes)
        let signer = try Curve25519.Signing.PrivateKey(using: random)
        out += try signer.signature(for: out)
        return out
    }

    @Test func parallelMatchesSequential() async throws {
        let seeds = Array(UInt64(0)..<16)
        let sequential = try seeds.map { try Self.work(seed: $0) }
        let parallel = try await withThrowingTaskGroup(of: (Int, [UInt8]).self) { group in
            for (index, seed) in seeds.enumerated() {
                group.addTask { (index, try Self.work(seed: seed)) }
            }
            var results = [[UInt8]](repeating: [], count: seeds.count)
            for try await (index, value) in group { results[index] = value }
            return results
        }
        #expect(parallel == sequential)
    }
}

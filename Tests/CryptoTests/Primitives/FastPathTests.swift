@testable import Crypto
import Foundation
import Synchronization
import Testing

/// The composite shim calls and cached OpenSSL contexts give the same results as the
/// step-by-step definitions, from one task or many.
@Suite("Fast paths")
struct FastPathTests {
    /// KDF_CK + message-key HKDF in one call equals `chainStep` then `messageKeys(seed:)`.
    @Test(arguments: 0..<8 as Range<UInt64>)
    func nextMessageKeyMatchesTheTwoSteps(seed: UInt64) throws {
        let chainKey = try SymmetricKey(size: .bits256, using: SeededRandom(seed: seed))
        let step = try KeySchedule.chainStep(chainKey)
        let keys = try KeySchedule.messageKeys(seed: step.messageKeySeed)
        var lentKey: [UInt8] = []
        var lentNonce: [UInt8] = []
        let next = try KeySchedule.nextMessageKey(chainKey: chainKey) {
            (key: UnsafeRawBufferPointer, nonce: UnsafeRawBufferPointer) throws(CryptoError) in
            lentKey = Array(key)
            lentNonce = Array(nonce)
        }
        #expect(ConstantTime.equals(next.secureBytes, step.nextChainKey.secureBytes), "seed \(seed)")
        #expect(lentKey == Array(keys.key.secureBytes), "seed \(seed)")
        #expect(lentNonce == keys.nonce.rawRepresentation, "seed \(seed)")
    }

    /// The chain step is the two HMACs of docs/protocol.md.
    @Test func chainStepIsTwoMACs() throws {
        let chainKey = try SymmetricKey(size: .bits256, using: SeededRandom(seed: 11))
        let step = try KeySchedule.chainStep(chainKey)
        let seed = try HMAC.authenticationCode(for: [UInt8(1)], using: chainKey)
        let next = try HMAC.authenticationCode(for: [UInt8(2)], using: chainKey)
        #expect(ConstantTime.equals(step.messageKeySeed.secureBytes, seed.secureBytes))
        #expect(ConstantTime.equals(step.nextChainKey.secureBytes, next.secureBytes))
    }

    /// A failure in the body wipes and drops the next chain key and rethrows the body's error.
    @Test func nextMessageKeyRethrows() throws {
        let chainKey = try SymmetricKey(size: .bits256, using: SeededRandom(seed: 12))
        #expect(throws: CryptoError.authenticationFailure) {
            _ = try KeySchedule.nextMessageKey(chainKey: chainKey) {
                (_: UnsafeRawBufferPointer, _: UnsafeRawBufferPointer) throws(CryptoError) in
                throw .authenticationFailure
            }
        }
    }

    /// The header lent from the stack is byte for byte `encoded`.
    @Test(arguments: [(0, 0), (1, 2), (0x0102_0304, 0xfffe_fdfc), (UInt32.max, UInt32.max)] as [(UInt32, UInt32)])
    func headerBytes(previous: UInt32, number: UInt32) throws {
        let key = try Curve25519.KeyAgreement.PrivateKey(using: SeededRandom(seed: UInt64(number))).publicKey
        let header = MessageHeader(ratchetKey: key, previousChainLength: previous, messageNumber: number)
        var lent: [UInt8] = []
        header.withEncodedBytes { lent = Array($0) }
        #expect(lent == header.encoded)
        #expect(lent.count == MessageHeader.byteCount)
    }

    /// Associated data given in two parts authenticates exactly like the concatenation.
    @Test(arguments: [AEADCipher.chaCha20Poly1305, .aes256GCM], [0, 1, 17, 1024])
    func twoPartAssociatedData(cipher: AEADCipher, size: Int) throws {
        let random = SeededRandom(seed: UInt64(size))
        let key = try SymmetricKey(size: .bits256, using: random)
        let nonce = try AEADNonce(using: random)
        let message = try random.bytes(count: size)
        let ad1 = try random.bytes(count: 66)
        let ad2 = try random.bytes(count: 41)
        let joined = try cipher.seal(message, key: key, nonce: nonce, aad: ad1 + ad2)
        var tag = [UInt8](repeating: 0, count: AEADSealedBox.tagByteCount)
        var ciphertext: [UInt8] = []
        var failure: CryptoError?
        tag.withUnsafeMutableBytes { (t: UnsafeMutableRawBufferPointer) in
            do throws(CryptoError) {
                try key.secureBytes.withUnsafeBytes { (k: UnsafeRawBufferPointer) throws(CryptoError) in
                    try nonce.rawRepresentation.withContiguousBytes { (n: UnsafeRawBufferPointer) throws(CryptoError) in
                        try ad1.withContiguousBytes { (a1: UnsafeRawBufferPointer) throws(CryptoError) in
                            try ad2.withContiguousBytes { (a2: UnsafeRawBufferPointer) throws(CryptoError) in
                                try message.withContiguousBytes { (m: UnsafeRawBufferPointer) throws(CryptoError) in
                                    ciphertext = try cipher.seal(key: k, nonce: n, aad: a1, a2, message: m, tagInto: t)
                                }
                            }
                        }
                    }
                }
            } catch {
                failure = error
            }
        }
        #expect(failure == nil)
        #expect(ciphertext == joined.ciphertext)
        #expect(tag == joined.tag)
        #expect(try cipher.open(joined, key: key, aad: ad1 + ad2) == message)
        #expect(throws: CryptoError.authenticationFailure) { try cipher.open(joined, key: key, aad: ad1 + ad1) }
    }

    /// Public keys that cache their OpenSSL objects keep value semantics: equality and hashing
    /// see only the bytes, whether or not a copy has been used.
    @Test func cachedKeysAreValues() throws {
        let random = SeededRandom(seed: 5)
        let alice = try Curve25519.KeyAgreement.PrivateKey(using: random)
        let bob = try Curve25519.KeyAgreement.PrivateKey(using: random)
        let used = bob.publicKey
        _ = try alice.sharedSecretFromKeyAgreement(with: used)
        let fresh = try Curve25519.KeyAgreement.PublicKey(rawRepresentation: bob.publicKey.rawRepresentation)
        #expect(used == fresh)
        #expect(Set([used, fresh]).count == 1)
        let signer = try Curve25519.Signing.PrivateKey(using: random)
        let signature = try signer.signature(for: [1, 2, 3])
        #expect(try signer.publicKey.isValidSignature(signature, for: [1, 2, 3]))
        let copy = try Curve25519.Signing.PublicKey(rawRepresentation: signer.publicKey.rawRepresentation)
        #expect(copy == signer.publicKey)
        #expect(Set([copy, signer.publicKey]).count == 1)
        #expect(try !copy.isValidSignature(signature, for: [1, 2, 4]))
    }

    /// One key pair, one signer and one verifier shared by many tasks at once (their OpenSSL
    /// contexts are built lazily by whichever task comes first).
    @Test func sharedKeysAcrossTasks() async throws {
        let random = SeededRandom(seed: 9)
        let alice = try Curve25519.KeyAgreement.PrivateKey(using: random)
        let bob = try Curve25519.KeyAgreement.PrivateKey(using: random).publicKey
        let signer = try Curve25519.Signing.PrivateKey(using: random)
        let verifier = try Curve25519.Signing.PublicKey(rawRepresentation: signer.publicKey.rawRepresentation)
        let expectedSecret = Array(try alice.sharedSecretFromKeyAgreement(with: bob).secureBytes)
        let expectedSignature = try signer.signature(for: expectedSecret)
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<16 {
                group.addTask {
                    var ok = true
                    for _ in 0..<8 {
                        let secret = Array(try alice.sharedSecretFromKeyAgreement(with: bob).secureBytes)
                        let signature = try signer.signature(for: secret)
                        let valid = try verifier.isValidSignature(signature, for: secret)
                        ok = ok && secret == expectedSecret && signature == expectedSignature && valid
                    }
                    return ok
                }
            }
            var all: [Bool] = []
            for try await result in group { all.append(result) }
            return all
        }
        #expect(results.count == 16 && results.allSatisfy { $0 })
    }

    /// A library failure inside a composite call is reported with the call's name and OpenSSL's
    /// reason, and the error queue is left empty.
    @Test func compositeErrorsNameTheCall() throws {
        do throws(CryptoError) {
            _ = try EVPKey.importedPublicKey(OpenSSLAlgorithms.x25519ImportTemplate, raw: [UInt8](repeating: 1, count: 31))
            Issue.record("a 31-byte X25519 public key was imported")
        } catch {
            guard case .library(let library) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(library.function == "EVP_PKEY_fromdata")
        }
        #expect(OpenSSL.drainError(cName: nil).code == 0)
    }

    /// Contiguous inputs take the non-generic core, others the copying path: same results.
    @Test(arguments: [0, 1, 1024, 5000])
    func contiguousAndCopyingPathsAgree(size: Int) throws {
        let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let lazyBytes = (0..<size).lazy.map { UInt8(truncatingIfNeeded: $0 &* 7) }
        #expect(try SHA256.hash(data: bytes) == SHA256.hash(data: lazyBytes))
        #expect(try SHA256.hash(data: bytes[...]) == SHA256.hash(data: lazyBytes))
        let random = SeededRandom(seed: UInt64(size))
        let key = try SymmetricKey(size: .bits256, using: random)
        let nonce = try AEADNonce(using: random)
        let aad = (0..<13).lazy.map { UInt8($0) }
        let viaArrays = try ChaChaPoly.seal(bytes, using: key, nonce: nonce, authenticating: Array(aad))
        let viaLazy = try ChaChaPoly.seal(lazyBytes, using: key, nonce: nonce, authenticating: aad)
        #expect(viaArrays == viaLazy)
        #expect(try ChaChaPoly.open(viaLazy, using: key, authenticating: aad) == bytes)
        #expect(try AES.GCM.open(AES.GCM.seal(lazyBytes, using: key, nonce: nonce, authenticating: aad), using: key, authenticating: Array(aad)) == bytes)
        #expect(throws: CryptoError.authenticationFailure) {
            try ChaChaPoly.open(viaArrays, using: key, authenticating: aad.map { $0 ^ 1 })
        }
    }

    /// The per-thread HMAC contexts of `nextMessageKey` give the same keys on every thread,
    /// including threads that start, derive and exit (their slot destructor frees the contexts).
    @Test func perThreadContextsOnShortLivedThreads() throws {
        let chainKey = try SymmetricKey(size: .bits256, using: SeededRandom(seed: 21))
        @Sendable func derive() throws -> [UInt8] {
            var out: [UInt8] = []
            var key = chainKey
            for _ in 0..<5 {
                key = try KeySchedule.nextMessageKey(chainKey: key) {
                    (k: UnsafeRawBufferPointer, n: UnsafeRawBufferPointer) throws(CryptoError) in
                    out += Array(k) + Array(n)
                }
            }
            return out + Array(key.secureBytes)
        }
        var reference: [UInt8] = []
        var key = chainKey
        for _ in 0..<5 {
            let step = try KeySchedule.chainStep(key)
            let keys = try KeySchedule.messageKeys(seed: step.messageKeySeed)
            reference += Array(keys.key.secureBytes) + keys.nonce.rawRepresentation
            key = step.nextChainKey
        }
        reference += Array(key.secureBytes)
        #expect(try derive() == reference)
        let results = Mutex<[[UInt8]]>([])
        let done = DispatchSemaphore(value: 0)
        for _ in 0..<8 {
            let thread = Thread {
                let value = (try? derive()) ?? []
                results.withLock { $0.append(value) }
                done.signal()
            }
            thread.start()
        }
        for _ in 0..<8 { done.wait() }
        let all = results.withLock { $0 }
        #expect(all.count == 8 && all.allSatisfy { $0 == reference })
    }
}

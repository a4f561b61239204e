@testable import Crypto
import Testing

@Suite("SecureBytes, constant time, errors")
struct SecureBytesTests {
    @Test func construction() throws {
        let a = SecureBytes([1, 2, 3])
        let b = SecureBytes(repeating: 9, count: 2)
        let joined = SecureBytes(concatenating: [a, b, SecureBytes([UInt8]())])
        #expect(Array(joined) == [1, 2, 3, 9, 9])
        #expect(joined.description == "SecureBytes(5 bytes)")
        #expect(joined.isEqual(to: SecureBytes([1, 2, 3, 9, 9])))
        #expect(!joined.isEqual(to: SecureBytes([1, 2, 3, 9, 8])))
        #expect(SecureBytes([UInt8]()).isEmpty)
        #expect(SymmetricKey(data: [1, 2]).description == "SymmetricKey(16 bits)")
    }

    /// Appending to a byte array copies every byte, in order, after what was there.
    @Test func appendingToAByteArray() {
        var bytes: [UInt8] = [7]
        bytes.append(contentsOf: SecureBytes([1, 2, 3]))
        bytes += SecureBytes([4, 5])
        bytes += SecureBytes([UInt8]())
        #expect(bytes == [7, 1, 2, 3, 4, 5])
        var large: [UInt8] = []
        large += SecureBytes((0..<4096).map { UInt8(truncatingIfNeeded: $0 * 31) })
        #expect(large == (0..<4096).map { UInt8(truncatingIfNeeded: $0 * 31) })
    }

    /// A throwing initializer propagates its error (and releases the buffer).
    @Test func throwingInitializer() {
        #expect(throws: CryptoError.zeroSharedSecret) {
            try SecureBytes(count: 4) { (_: UnsafeMutableRawBufferPointer) throws(CryptoError) in throw .zeroSharedSecret }
        }
    }

    @Test func constantTimeEquals() {
        #expect(ConstantTime.equals([UInt8](), [UInt8]()))
        #expect(ConstantTime.equals([1, 2, 3], [1, 2, 3][...]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2]))
        #expect(ConstantTime.isAllZero([0, 0, 0]) && !ConstantTime.isAllZero([0, 1, 0]))
    }

    /// A failing OpenSSL call becomes `CryptoError.library` naming the call, with the library's
    /// reason string from the error queue.
    @Test func openSSLFailureCarriesReason() {
        let nidX25519: Int32 = 1034  // NID_X25519 / EVP_PKEY_X25519
        let tooShort = [UInt8](repeating: 1, count: 31)
        let result = tooShort.withUnsafeBytes { raw in
            Result { () throws(CryptoError) in try EVPKey.publicKey(type: nidX25519, raw: raw) }
        }
        guard case .failure(.library(let error)) = result else {
            Issue.record("expected a library error, got \(result)")
            return
        }
        #expect(error.function == "EVP_PKEY_new_raw_public_key")
        #expect(error.code != 0)
        #expect(error.reason.hasPrefix("error:"))
        #expect(CryptoError.library(error).description.hasPrefix("EVP_PKEY_new_raw_public_key failed: error:"))
    }
}

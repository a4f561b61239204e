import Crypto

/// `vigil crypto-oracle`: the primitives and ratchet KDFs behind a JSON-lines interface, so an
/// independent implementation (Python `cryptography`) can check them input by input.
struct CryptoOracleCommand: Command {
    static let help = """
        USAGE: vigil crypto-oracle

        Reads JSON lines on standard input and writes one JSON line per input (hex for bytes):
          {"op":"sha256","msg":H} → {"digest":H}        (also "sha512")
          {"op":"hmac_sha256","key":H,"msg":H} → {"tag":H}
          {"op":"hkdf_sha256","ikm":H,"salt":H,"info":H,"size":N} → {"okm":H}
          {"op":"x25519","private":H,"public":H} → {"shared":H}
          {"op":"x25519_base","private":H} → {"public":H}
          {"op":"ed25519_sign","seed":H,"msg":H} → {"public":H,"sig":H}
          {"op":"ed25519_verify","public":H,"msg":H,"sig":H} → {"valid":B}
          {"op":"chacha20poly1305_seal","key":H,"nonce":H,"aad":H,"msg":H} → {"ct":H,"tag":H}
          {"op":"chacha20poly1305_open","key":H,"nonce":H,"aad":H,"ct":H,"tag":H} → {"msg":H}
          {"op":"kdf_ck","ck":H} → {"message_key_seed":H,"next_ck":H}
          {"op":"kdf_rk","rk":H,"dh":H} → {"rk":H,"ck":H}
        Any failure (bad hex, wrong length, authentication failure, zero shared secret) answers
        {"error":"…"} and the next line is read.
        """

    init(parsing arguments: inout Arguments) throws(CLIError) {}

    func run() throws {
        JSONLines.serve(Self.handle)
    }

    /// Root keys, chain keys and X25519 outputs are 32 bytes in the protocol.
    private static func requireChainKeyLength(_ bytes: [UInt8], _ field: String) throws {
        guard bytes.count == 32 else { throw JSONLines.RequestError("'\(field)' must be 32 bytes, got \(bytes.count)") }
    }

    static func handle(_ request: [String: Any]) throws -> [String: Any] {
        let op = try JSONLines.string(request, "op")
        func hex(_ field: String) throws -> [UInt8] { try JSONLines.hex(request, field) }
        switch op {
        case "sha256":
            return ["digest": try SHA256.hash(data: try hex("msg")).bytes.hexString]
        case "sha512":
            return ["digest": try SHA512.hash(data: try hex("msg")).bytes.hexString]
        case "hmac_sha256":
            return ["tag": try HMAC.authenticationCode(for: try hex("msg"), using: SymmetricKey(data: try hex("key"))).bytes.hexString]
        case "hkdf_sha256":
            let size = try JSONLines.integer(request, "size", in: 0...Int(Int32.max)) ?? 0
            if size == 0 { return ["okm": ""] } // RFC 5869 allows L = 0: the empty string
            let okm = try HKDF.deriveKey(inputKeyMaterial: SymmetricKey(data: try hex("ikm")), salt: try hex("salt"), info: try hex("info"), outputByteCount: size)
            return ["okm": okm.secureBytes.hexString]
        case "x25519":
            let key = try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: try hex("private"))
            let shared = try key.sharedSecretFromKeyAgreement(with: try Curve25519.KeyAgreement.PublicKey(rawRepresentation: try hex("public")))
            return ["shared": shared.secureBytes.hexString]
        case "x25519_base":
            return ["public": try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: try hex("private")).publicKey.rawRepresentation.hexString]
        case "ed25519_sign":
            let key = try Curve25519.Signing.PrivateKey(rawRepresentation: try hex("seed"))
            return ["public": key.publicKey.rawRepresentation.hexString, "sig": try key.signature(for: try hex("msg")).hexString]
        case "ed25519_verify":
            let publicBytes = try hex("public"), signature = try hex("sig"), message = try hex("msg")
            guard publicBytes.count == 32 else { throw JSONLines.RequestError("an Ed25519 public key has 32 bytes, got \(publicBytes.count)") }
            guard signature.count == 64 else { throw JSONLines.RequestError("an Ed25519 signature has 64 bytes, got \(signature.count)") }
            // 32 bytes that are not a canonical point: no signature verifies under them.
            guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicBytes) else { return ["valid": false] }
            return ["valid": try key.isValidSignature(signature, for: message)]
        case "chacha20poly1305_seal":
            let box = try ChaChaPoly.seal(try hex("msg"), using: SymmetricKey(data: try hex("key")),
                                          nonce: try AEADNonce(rawRepresentation: try hex("nonce")), authenticating: try hex("aad"))
            return ["ct": box.ciphertext.hexString, "tag": box.tag.hexString]
        case "chacha20poly1305_open":
            let box = try AEADSealedBox(nonce: try AEADNonce(rawRepresentation: try hex("nonce")), ciphertext: try hex("ct"), tag: try hex("tag"))
            return ["msg": try ChaChaPoly.open(box, using: SymmetricKey(data: try hex("key")), authenticating: try hex("aad")).hexString]
        case "kdf_ck":
            try requireChainKeyLength(try hex("ck"), "ck")
            let step = try KeySchedule.chainStep(SymmetricKey(data: try hex("ck")))
            return ["message_key_seed": step.messageKeySeed.secureBytes.hexString, "next_ck": step.nextChainKey.secureBytes.hexString]
        case "kdf_rk":
            try requireChainKeyLength(try hex("rk"), "rk")
            try requireChainKeyLength(try hex("dh"), "dh")
            let step = try KeySchedule.rootStep(rootKey: SymmetricKey(data: try hex("rk")), dhOutput: SecureBytes(try hex("dh")))
            return ["rk": step.rootKey.secureBytes.hexString, "ck": step.chainKey.secureBytes.hexString]
        default:
            throw JSONLines.RequestError("unknown op '\(op)'")
        }
    }
}

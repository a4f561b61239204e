import Crypto
import Foundation

/// `vigil bench crypto`: the Swift API over OpenSSL against `openssl speed` in the same run, the
/// ratchet's message rate and the cost of a full X3DH.
struct BenchCryptoCommand: Command {
    static let help = """
        USAGE: vigil bench crypto [--seconds S] [--no-openssl] [--only TEXT]

        Measures through Vigil's Swift API: X25519 agreements/s, Ed25519 sign/s and verify/s,
        ChaCha20-Poly1305 seal and SHA-256 throughput at 1 KiB and 16 KiB; then runs `openssl
        speed` for the same primitives (same machine, same run) and prints the ratios (target:
        the wrapper within 1.15× of OpenSSL's own figures). Then Double Ratchet encrypt+decrypt of
        1 KiB messages without a DH step (target ≥ 150 000 messages/s) and a full X3DH with both
        sides (target ≤ 0.5 ms).

        Rates are per CPU second of the measuring thread, as `openssl speed` reports them per
        second of user CPU time. What `openssl speed` measures: X25519 and Ed25519 on a context prepared once (derive /
        sign / verify only); SHA-256 as one-shot `EVP_Digest` calls; ChaCha20-Poly1305 (run with
        `-aead`) as `EVP_EncryptUpdate` calls on one long-lived context — on OpenSSL 3.0 that is a
        stream, with no per-record init, Poly1305 key, final or tag, so at 1 KiB it is a bound no
        per-message seal can reach; Vigil's figure is a complete seal per message.

        OPTIONS:
          --seconds S     time per Vigil measurement (default 1)
          --no-openssl    skip the `openssl speed` comparison
          --only TEXT     run only the figures whose name contains TEXT (e.g. "ratchet",
                          "X25519", "ChaCha"), for profiling one path
        """

    let seconds: Double
    let withOpenSSL: Bool
    let only: String?

    init(parsing arguments: inout Arguments) throws(CLIError) {
        seconds = try arguments.double("--seconds") ?? 1
        withOpenSSL = !arguments.flag("--no-openssl")
        only = try arguments.option("--only")
        guard seconds > 0, seconds <= 60 else { throw CLIError("--seconds must be in (0, 60]") }
    }

    /// Operations per CPU second of `body` over `seconds` of this thread's CPU time.
    private func rate(_ body: () throws -> Void) rethrows -> Double {
        try BenchClock.operationsPerCPUSecond(seconds: seconds, body)
    }

    /// Whether the figure called `name` was asked for.
    private func selected(_ name: String) -> Bool {
        guard let only else { return true }
        return name.lowercased().contains(only.lowercased())
    }

    func run() throws {
        BenchClock.warnIfDebug()
        let random = SystemRandom()
        var rows: [(name: String, vigil: Double, unit: String, openssl: Double?)] = []
        func measure(_ name: String, _ unit: String, scale: Double = 1, _ body: () throws -> Void) throws {
            guard selected(name) else { return }
            rows.append((name, try rate(body) * scale, unit, nil))
        }

        let alice = try Curve25519.KeyAgreement.PrivateKey(using: random)
        let bob = try Curve25519.KeyAgreement.PrivateKey(using: random).publicKey
        try measure("X25519 agreement", "op/s") { _ = try alice.sharedSecretFromKeyAgreement(with: bob) }
        let signer = try Curve25519.Signing.PrivateKey(using: random)
        let message = try random.bytes(count: 64)
        let signature = try signer.signature(for: message)
        try measure("Ed25519 sign", "op/s") { _ = try signer.signature(for: message) }
        try measure("Ed25519 verify", "op/s") { _ = try signer.publicKey.isValidSignature(signature, for: message) }
        let key = try SymmetricKey(size: .bits256, using: random)
        let nonce = try AEADNonce(using: random)
        for size in [1024, 16384] {
            let data = try random.bytes(count: size)
            try measure("ChaCha20-Poly1305 \(size / 1024) KiB", "MB/s", scale: Double(size) / 1e6) {
                _ = try ChaChaPoly.seal(data, using: key, nonce: nonce)
            }
            try measure("SHA-256 \(size / 1024) KiB", "MB/s", scale: Double(size) / 1e6) { _ = try SHA256.hash(data: data) }
        }

        if withOpenSSL, !rows.isEmpty {
            Console.progress("running `openssl speed` for the same primitives …")
            let openssl = try OpenSSLSpeed.measure(rows.map(\.name))
            rows = rows.map { row in (row.name, row.vigil, row.unit, openssl[row.name]) }
        }

        // Double Ratchet: one direction, no DH step between messages.
        var messages: Double?
        if selected("ratchet") {
            var sender = try Party(random: random)
            var receiver = try Party(random: random)
            let bundle = try receiver.makeBundle(signedPreKeyID: 1, oneTimePreKeyID: 1)
            try sender.initiate(with: "bob", bundle: bundle)
            let payload = try random.bytes(count: 1024)
            _ = try receiver.decrypt(try sender.encrypt(payload, for: "bob"), from: "alice")
            var senderSession = try unwrap(sender.conversations["bob"]).session
            var receiverSession = try unwrap(receiver.conversations["alice"]).session
            _ = try senderSession.decrypt(try receiverSession.encrypt(payload))
            messages = try rate {
                let sealed = try senderSession.encrypt(payload)
                _ = try receiverSession.decrypt(sealed)
            }
        }

        // Full X3DH: the initiator's agreement from a bundle and the responder's from the message.
        var handshakes: Double?
        if selected("X3DH") {
            let identityA = try IdentityKeyPair(using: random)
            let identityB = try IdentityKeyPair(using: random)
            var preKeys = PreKeyStore()
            let x3dhBundle = try preKeys.makeBundle(identity: identityB, signedPreKeyID: 7, oneTimePreKeyID: 9, random: random)
            let signedPreKey = try unwrap(preKeys.signedPreKeys[7])
            let oneTimePreKey = try unwrap(preKeys.oneTimePreKeys[9])
            handshakes = try rate {
                let bundle = try PreKeyBundle(encoded: x3dhBundle.encoded) // decode + verify signatures
                let initiation = try X3DH.initiate(identity: identityA, bundle: bundle, random: random)
                _ = try X3DH.respond(identity: identityB, signedPreKey: signedPreKey, oneTimePreKey: oneTimePreKey,
                                     initiator: identityA.publicKey, ephemeralKey: initiation.ephemeralKey)
            }
        }

        print("Vigil crypto (Swift API over OpenSSL \(OpenSSLSpeed.version ?? "3")), \(seconds) CPU s per figure, rates per CPU second")
        if !rows.isEmpty {
            print("figure".padding(toLength: 26, withPad: " ", startingAt: 0) + "vigil".leftPadded(14) + "openssl".leftPadded(14) + "  unit".padding(toLength: 8, withPad: " ", startingAt: 0) + "openssl/vigil".leftPadded(14))
        }
        for row in rows {
            let ratio = row.openssl.map { String(format: "%.3f", $0 / row.vigil) } ?? "-"
            print(row.name.padding(toLength: 26, withPad: " ", startingAt: 0) + String(format: "%.1f", row.vigil).leftPadded(14)
                  + (row.openssl.map { String(format: "%.1f", $0) } ?? "-").leftPadded(14) + "  " + row.unit.padding(toLength: 6, withPad: " ", startingAt: 0)
                  + ratio.leftPadded(14))
        }
        if let messages {
            print(String(format: "ratchet encrypt+decrypt, 1 KiB, no DH step: %.0f messages/s (target ≥ 150000)", messages))
        }
        if let handshakes {
            print(String(format: "full X3DH (bundle decode + verify, initiator, responder): %.3f ms (target ≤ 0.5 ms)", 1000 / handshakes))
        }
    }
}

private struct Missing: Error, CustomStringConvertible {
    var description: String { "benchmark setup failed" }
}

/// The value of an optional the benchmark set up itself, or an error.
private func unwrap<T>(_ value: T?) throws -> T {
    guard let value else { throw Missing() }
    return value
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}

/// Runs `openssl speed` and reads its figures, named like Vigil's rows.
enum OpenSSLSpeed {
    static var version: String? {
        (try? run(["version"]))?.split(separator: " ").dropFirst().first.map(String.init)
    }

    /// `openssl speed` figures for the rows called `names` (only the runs they need).
    static func measure(_ names: [String]) throws -> [String: Double] {
        var figures: [String: Double] = [:]
        let wanted = Set(names)
        if !wanted.isDisjoint(with: ["X25519 agreement", "Ed25519 sign", "Ed25519 verify"]) {
            let asymmetric = try run(["speed", "-seconds", "1", "ecdhx25519", "ed25519"])
            for line in asymmetric.split(separator: "\n") {
                let fields = line.split(separator: " ")
                if line.contains("ecdh (X25519)"), let value = fields.last.flatMap({ Double($0) }) {
                    figures["X25519 agreement"] = value
                }
                if line.contains("EdDSA (Ed25519)"), fields.count >= 2, let sign = Double(fields[fields.count - 2]), let verify = Double(fields[fields.count - 1]) {
                    figures["Ed25519 sign"] = sign
                    figures["Ed25519 verify"] = verify
                }
            }
        }
        // The AEAD with `-aead` (see the help text for what OpenSSL 3.0 then measures).
        for (cipher, label, mode) in [("chacha20-poly1305", "ChaCha20-Poly1305", ["-aead"]), ("sha256", "SHA-256", [])] {
            for size in [1024, 16384] where wanted.contains("\(label) \(size / 1024) KiB") {
                let output = try run(["speed", "-seconds", "1"] + mode + ["-bytes", String(size), "-evp", cipher])
                // The last figure line: "<name>  <N>k" in thousands of bytes per second.
                if let line = output.split(separator: "\n").last(where: { $0.hasSuffix("k") }),
                   let value = line.split(separator: " ").last.flatMap({ Double($0.dropLast()) }) {
                    figures["\(label) \(size / 1024) KiB"] = value * 1000 / 1e6
                }
            }
        }
        return figures
    }

    private static func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}

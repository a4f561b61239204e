import Glibc
import Transport

/// The admin token of `vigil serve`'s HTTP API. The server keeps only its SHA-256, in
/// `DIR/integrity/token.sha256` (hex, 0600); the token itself goes to the operator once:
///
/// - with `--token-file FILE`: the token is FILE's first line (at least 16 bytes; FILE must not be
///   readable by group or others), and FILE is created with a fresh token (0600) if missing —
///   the operator's copy, which the server only reads at start-up;
/// - without it, on first start: a fresh token is printed once on stdout (``Loaded/issued``);
///   later starts use the stored digest. Delete `token.sha256` to issue a new one.
///
/// A data directory from before digests (the token in plain text at `DIR/integrity/token`) is
/// adopted like `--token-file DIR/integrity/token`, with a note that the file can go.
enum ServeToken {
    /// What start-up found or made.
    struct Loaded {
        /// The digest the HTTP API compares against.
        let digest: TokenDigest
        /// A token issued now, to show the operator once (nil when it came from a file or the
        /// stored digest).
        let issued: String?
        /// Where the token came from, for the start-up line (never the token).
        let source: String
        /// A note for the operator, if any.
        let note: String?
    }

    /// The digest file's name inside `DIR/integrity`.
    static let digestFileName = "token.sha256"
    /// Where tokens lived before digests.
    static let legacyFileName = "token"

    /// The token's digest for a server whose integrity directory is `directory`, from `tokenFile`
    /// if given, else from the stored digest, else a new token.
    static func load(integrityDirectory directory: String, tokenFile: String?, hasher: TokenHasher) throws(CLIError) -> Loaded {
        let digestPath = directory + "/" + digestFileName
        let legacyPath = directory + "/" + legacyFileName
        if let tokenFile {
            if access(tokenFile, F_OK) != 0 { try create(tokenFile) }
            let digest = try digest(ofTokenIn: tokenFile, option: "--token-file", hasher: hasher)
            try store(digest, at: digestPath)
            return Loaded(digest: digest, issued: nil, source: "token from \(tokenFile), SHA-256 in \(digestPath)", note: nil)
        }
        if access(digestPath, F_OK) == 0 {
            return Loaded(digest: try storedDigest(at: digestPath), issued: nil, source: "SHA-256 of the token in \(digestPath)", note: nil)
        }
        if access(legacyPath, F_OK) == 0 {
            let digest = try digest(ofTokenIn: legacyPath, option: "the token file", hasher: hasher)
            try store(digest, at: digestPath)
            return Loaded(digest: digest, issued: nil, source: "SHA-256 of the token in \(digestPath)",
                          note: "\(legacyPath) holds the token in plain text; only \(digestFileName) is needed now — delete it once the token is kept elsewhere")
        }
        let token = freshToken()
        guard let digest = hasher.digest(of: Array(token.utf8)) else { throw CLIError("cannot hash the new admin token (\(hasher.name) failed)") }
        try store(digest, at: digestPath)
        return Loaded(digest: digest, issued: token, source: "SHA-256 of a new token in \(digestPath)", note: nil)
    }

    /// 32 random bytes from the kernel's CSPRNG, as 64 hex digits.
    static func freshToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return hex((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// Creates `path` holding a fresh token, exclusively (never over a file that appeared since).
    private static func create(_ path: String) throws(CLIError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw CLIError("--token-file: cannot create \(path): \(String(cString: strerror(errno)))") }
        let line = Array((freshToken() + "\n").utf8)
        let written = line.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written == line.count, synced else {
            unlink(path)
            throw CLIError("--token-file: cannot write \(path)")
        }
    }

    /// The digest of the first line of `path`, which must be private and hold at least 16 bytes.
    private static func digest(ofTokenIn path: String, option: String, hasher: TokenHasher) throws(CLIError) -> TokenDigest {
        try PrivateDirectory.requirePrivateFile(path, option: option)
        let bytes = try FileIO.read(path)
        let line = Array(bytes.prefix { $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "\r") })
        guard line.count >= 16 else { throw CLIError("\(path): the token must be at least 16 bytes on its first line") }
        guard let digest = hasher.digest(of: line) else { throw CLIError("cannot hash the token in \(path) (\(hasher.name) failed)") }
        return digest
    }

    /// Writes `digest` as hex to `path` (0600, atomically) unless it already holds it.
    private static func store(_ digest: TokenDigest, at path: String) throws(CLIError) {
        if let stored = try? storedDigest(at: path), stored == digest { return }
        try FileIO.write(Array((hex(digest.bytes) + "\n").utf8), to: path)
    }

    /// The digest stored at `path`: 64 hex digits on the first line.
    static func storedDigest(at path: String) throws(CLIError) -> TokenDigest {
        try PrivateDirectory.requirePrivateFile(path, option: "the token digest")
        let text = String(decoding: try FileIO.read(path).prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
        guard let bytes = unhex(text), let digest = TokenDigest(bytes: bytes) else {
            throw CLIError("\(path): not a SHA-256 digest (64 hex digits); delete it to issue a new token")
        }
        return digest
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes { out += [digits[Int(byte >> 4)], digits[Int(byte & 15)]] }
        return String(decoding: out, as: UTF8.self)
    }

    static func unhex(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        func value(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: utf8.count, by: 2) {
            guard let high = value(utf8[index]), let low = value(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }
}

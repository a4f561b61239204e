public import Crypto
import Glibc
import Transport

/// The store's master key: 32 random bytes in a file (`--master-key-file`) that only its owner may
/// read. It never encrypts records itself; it wraps the per-day keys in `keys.sqlite`, so the
/// day keys are never on disk in the clear.
///
/// The file is created on first use with mode 0600, atomically: the key is written and fsynced
/// under a temporary name and then hard-linked into place, so two processes starting at once agree
/// on one key and a crash never leaves a short key file. Reading refuses a file of the wrong size,
/// one that group or others may access, one owned by another user, and a symbolic link.
public struct MasterKey: Sendable, CustomStringConvertible {
    /// The key length in bytes (32).
    public static let byteCount = 32

    /// The key.
    let key: SymmetricKey

    /// A master key from key bytes already in memory (tests; a key from a secrets manager).
    /// Throws `incorrectSize` unless `key` has ``byteCount`` bytes.
    public init(key: SymmetricKey) throws(CryptoError) {
        guard key.byteCount == Self.byteCount else {
            throw .incorrectSize(.key, expected: Self.byteCount...Self.byteCount, actual: key.byteCount)
        }
        self.key = key
    }

    /// "MasterKey(256 bits)": the key is never printed.
    public var description: String { "MasterKey(\(key.bitCount) bits)" }

    /// Reads the key at `path`, or creates it there (mode 0600, from `random`) if nothing is there.
    /// The directory must exist.
    public static func loadOrCreate(path: String, random: any RandomSource = SystemRandom()) throws(MasterKeyError) -> MasterKey {
        do throws(MasterKeyError) {
            return try load(path: path)
        } catch where error.reason == .missing {
            return try create(path: path, random: random)
        }
    }

    /// Reads the key at `path`.
    ///
    /// - Throws: ``MasterKeyError`` with `.missing`, `.notARegularFile`, `.insecurePermissions`,
    ///   `.wrongOwner`, `.wrongSize` or `.system`.
    public static func load(path: String) throws(MasterKeyError) -> MasterKey {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else {
            let number = errno
            switch number {
            case ENOENT: throw MasterKeyError(path: path, reason: .missing)
            case ELOOP: throw MasterKeyError(path: path, reason: .notARegularFile)
            default: throw MasterKeyError(path: path, reason: .system(SystemError(call: "open", errno: Errno(rawValue: number))))
            }
        }
        defer { close(descriptor) }
        var info = stat()
        try checked(path) { () throws(SystemError) in _ = try StoreFiles.retrying("fstat") { fstat(descriptor, &info) } }
        let mode = UInt32(info.st_mode)
        guard mode & UInt32(S_IFMT) == UInt32(S_IFREG) else { throw MasterKeyError(path: path, reason: .notARegularFile) }
        guard mode & 0o077 == 0 else { throw MasterKeyError(path: path, reason: .insecurePermissions(mode: mode & 0o7777)) }
        guard info.st_uid == geteuid() else { throw MasterKeyError(path: path, reason: .wrongOwner(owner: UInt32(info.st_uid))) }
        guard Int(info.st_size) == byteCount else { throw MasterKeyError(path: path, reason: .wrongSize(byteCount: Int(info.st_size))) }
        let bytes = try SecureBytes(count: byteCount) { (buffer: UnsafeMutableRawBufferPointer) throws(MasterKeyError) in
            var filled = 0
            while filled < buffer.count {
                guard let base = buffer.baseAddress else { return }
                let count = try checked(path) { () throws(SystemError) -> Int in
                    try StoreFiles.retrying("read") { read(descriptor, base + filled, buffer.count - filled) }
                }
                // The file shrank between fstat and read.
                guard count > 0 else { throw MasterKeyError(path: path, reason: .wrongSize(byteCount: filled)) }
                filled += count
            }
        }
        return MasterKey(checkedKey: SymmetricKey(secureBytes: bytes))
    }

    private init(checkedKey key: SymmetricKey) {
        self.key = key
    }

    /// Writes a new key under a temporary name, then links it to `path`; if another process got
    /// there first, its key is loaded instead.
    private static func create(path: String, random: any RandomSource) throws(MasterKeyError) -> MasterKey {
        let bytes: SecureBytes
        do { bytes = try SecureBytes(count: byteCount, using: random) } catch {
            throw MasterKeyError(path: path, reason: .random(error))
        }
        let temporary = path + ".tmp.\(getpid())"
        _ = unlink(temporary) // a leftover of a crashed creation by a process with this pid
        let descriptor = try checked(path) { () throws(SystemError) -> Int32 in
            try StoreFiles.retrying("open") { open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600) }
        }
        do throws(MasterKeyError) {
            try checked(path) { () throws(SystemError) in
                // O_CREAT's mode is filtered through the umask; set it exactly.
                _ = try StoreFiles.retrying("fchmod") { fchmod(descriptor, 0o600) }
                var offset = 0
                while offset < bytes.count {
                    let written = try StoreFiles.retrying("write") {
                        bytes.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Int in
                            guard let base = raw.baseAddress else { return 0 }
                            return write(descriptor, base + offset, raw.count - offset)
                        }
                    }
                    offset += written
                }
                _ = try StoreFiles.retrying("fsync") { fsync(descriptor) }
            }
        } catch {
            close(descriptor)
            unlink(temporary)
            throw error
        }
        close(descriptor)
        if link(temporary, path) != 0 {
            let number = errno
            unlink(temporary)
            if number == EEXIST { return try load(path: path) }
            throw MasterKeyError(path: path, reason: .system(SystemError(call: "link", errno: Errno(rawValue: number))))
        }
        unlink(temporary)
        try checked(path) { () throws(SystemError) in try StoreFiles.syncDirectory(StoreFiles.parent(of: path)) }
        return MasterKey(checkedKey: SymmetricKey(secureBytes: bytes))
    }

    /// Runs `body`, relabelling its `SystemError` as a ``MasterKeyError`` about `path`.
    private static func checked<Result>(_ path: String, _ body: () throws(SystemError) -> Result) throws(MasterKeyError) -> Result {
        do { return try body() } catch { throw MasterKeyError(path: path, reason: .system(error)) }
    }
}

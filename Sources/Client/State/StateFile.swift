public import Crypto
import Glibc
import Transport

/// Where a phone keeps its `ClientState`: one file holding the state image (see
/// `ClientState+Codec.swift`).
///
/// **The file holds the phone's private keys** — identity, prekeys and every session's ratchet
/// keys — and its relay token, unencrypted. It is created with mode 0600, and reading refuses a
/// file that group or others may access, that another user owns, or that is not a regular file
/// (symbolic links are not followed).
///
/// Writes are atomic: the image goes to `PATH.tmp` (mode 0600), is `fsync`ed, renamed over `PATH`,
/// and the directory is `fsync`ed, so after a crash the file holds either the old or the new state,
/// never a mixture. A damaged file is refused (`StateImageError.checksumMismatch`), never repaired.
///
/// `lock()` takes an exclusive `flock` on `PATH.lock` so two processes cannot fork one phone's
/// ratchet state.
public struct StateFile: Sendable, Hashable {
    /// The file's path.
    public let path: String

    /// The largest file accepted (far above any real state: sessions are a few hundred bytes).
    public static let maximumByteCount = 64 << 20

    /// The state file at `path`.
    public init(path: String) {
        self.path = path
    }

    /// Whether something (file, link, directory) exists at the path.
    public var exists: Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// Reads and decodes the state.
    ///
    /// - Throws: `StateFileError` with `.missing`, `.notARegularFile`, `.insecurePermissions`,
    ///   `.wrongOwner`, `.tooLarge`, `.system` or `.image`.
    public func load(random: any RandomSource = SystemRandom()) throws(StateFileError) -> ClientState {
        var bytes = try readAll()
        defer { for index in bytes.indices { bytes[index] = 0 } }
        do {
            return try ClientState(image: bytes, random: random)
        } catch {
            throw StateFileError(path: path, reason: .image(error))
        }
    }

    /// Writes `state` atomically (temporary file, `fsync`, `rename`, directory `fsync`), mode 0600.
    public func save(_ state: ClientState) throws(StateFileError) {
        let image: SecureBytes
        do { image = try state.serializedImage() } catch { throw StateFileError(path: path, reason: .image(error)) }
        let temporary = path + ".tmp"
        let descriptor = try retrying("open") { open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600) }
        do throws(StateFileError) {
            // O_CREAT's mode does not apply to a leftover temporary file: set it explicitly.
            _ = try retrying("fchmod") { fchmod(descriptor, 0o600) }
            var offset = 0
            while offset < image.count {
                let written = try retrying("write") {
                    image.withUnsafeBytes { raw -> Int in
                        guard let base = raw.baseAddress else { return 0 }
                        return Glibc.write(descriptor, base + offset, raw.count - offset)
                    }
                }
                offset += written
            }
            _ = try retrying("fsync") { fsync(descriptor) }
        } catch {
            close(descriptor)
            unlink(temporary)
            throw error
        }
        close(descriptor)
        do throws(StateFileError) {
            _ = try retrying("rename") { rename(temporary, path) }
        } catch {
            unlink(temporary)
            throw error
        }
        try syncDirectory()
    }

    /// Writes `state` to a new file; refuses (`.alreadyExists`) if anything is at the path, so a
    /// registration never overwrites another one's keys.
    public func create(_ state: ClientState) throws(StateFileError) {
        guard !exists else { throw StateFileError(path: path, reason: .alreadyExists) }
        try save(state)
    }

    /// Takes the exclusive lock on `PATH.lock` without waiting; the lock lasts as long as the
    /// returned value.
    ///
    /// - Throws: `.inUse` if another process (or another lock in this one) holds it.
    public func lock() throws(StateFileError) -> StateFileLock {
        let lockPath = path + ".lock"
        let descriptor = try retrying("open") { open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600) }
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let error = errno
            if error == EINTR { continue }
            close(descriptor)
            if error == EWOULDBLOCK { throw StateFileError(path: path, reason: .inUse) }
            throw StateFileError(path: path, reason: .system(SystemError(call: "flock", errno: Errno(rawValue: error))))
        }
        return StateFileLock(descriptor: descriptor)
    }

    // MARK: Reading

    private func readAll() throws(StateFileError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else {
            switch errno {
            case ENOENT: throw StateFileError(path: path, reason: .missing)
            case ELOOP: throw StateFileError(path: path, reason: .notARegularFile)
            case let error: throw StateFileError(path: path, reason: .system(SystemError(call: "open", errno: Errno(rawValue: error))))
            }
        }
        defer { close(descriptor) }
        var info = stat()
        _ = try retrying("fstat") { fstat(descriptor, &info) }
        let mode = UInt32(info.st_mode)
        guard mode & 0o170000 == 0o100000 else { throw StateFileError(path: path, reason: .notARegularFile) }
        guard mode & 0o077 == 0 else { throw StateFileError(path: path, reason: .insecurePermissions(mode: mode & 0o7777)) }
        guard info.st_uid == geteuid() else { throw StateFileError(path: path, reason: .wrongOwner(owner: UInt32(info.st_uid))) }
        let size = Int(info.st_size)
        guard size <= Self.maximumByteCount else { throw StateFileError(path: path, reason: .tooLarge(byteCount: size)) }
        var bytes = [UInt8](repeating: 0, count: size + 1) // one spare byte notices a file that grew
        var filled = 0
        while filled < bytes.count {
            let count = try retrying("read") {
                bytes.withUnsafeMutableBytes { raw -> Int in
                    guard let base = raw.baseAddress else { return 0 }
                    return Glibc.read(descriptor, base + filled, raw.count - filled)
                }
            }
            if count == 0 { break }
            filled += count
        }
        guard filled <= size else { throw StateFileError(path: path, reason: .image(.malformed("the file changed while being read"))) }
        bytes.removeLast(bytes.count - filled)
        return bytes
    }

    // MARK: System calls

    /// `fsync` of the directory holding the file, so the rename itself is durable.
    private func syncDirectory() throws(StateFileError) {
        let directory: String
        if let slash = path.lastIndex(of: "/") {
            directory = slash == path.startIndex ? "/" : String(path[..<slash])
        } else {
            directory = "."
        }
        let descriptor = try retrying("open") { open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        defer { close(descriptor) }
        _ = try retrying("fsync") { fsync(descriptor) }
    }

    /// Runs a system call, retrying on `EINTR`; a negative result throws with the call's name.
    private func retrying<Result: BinaryInteger>(_ call: String, _ body: () -> Result) throws(StateFileError) -> Result {
        while true {
            let result = body()
            if result >= 0 { return result }
            let error = errno
            if error == EINTR { continue }
            throw StateFileError(path: path, reason: .system(SystemError(call: call, errno: Errno(rawValue: error))))
        }
    }
}

/// An exclusive lock on a state file (see `StateFile.lock()`), released on `unlock()` or when the
/// value is released.
public final class StateFileLock {
    private var descriptor: Int32?

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit { unlock() }

    /// Releases the lock (idempotent).
    public func unlock() {
        guard let descriptor else { return }
        self.descriptor = nil
        close(descriptor) // closing the descriptor releases the flock
    }
}

public import Crypto
public import Transport

/// Why the master-key file could not be read or created.
public struct MasterKeyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public enum Reason: Sendable, Hashable {
        /// There is no file at the path (``MasterKey/load(path:)`` only; `loadOrCreate` creates it).
        case missing
        /// The path is a symbolic link, a directory or another non-regular file.
        case notARegularFile
        /// Group or others may access the file (`mode` holds its permission bits); only 0600 or
        /// stricter is accepted for a key.
        case insecurePermissions(mode: UInt32)
        /// The file belongs to another user (`owner` is its uid).
        case wrongOwner(owner: UInt32)
        /// The file does not hold exactly ``MasterKey/byteCount`` bytes (`byteCount` is its size).
        case wrongSize(byteCount: Int)
        /// A system call failed.
        case system(SystemError)
        /// The random generator failed while making a new key.
        case random(CryptoError)
    }

    /// The master-key file's path.
    public let path: String
    /// What went wrong.
    public let reason: Reason

    /// An error about the master-key file at `path`.
    public init(path: String, reason: Reason) {
        self.path = path
        self.reason = reason
    }

    /// One line naming the file and the problem (never any key bytes).
    public var description: String {
        let problem = switch reason {
        case .missing: "does not exist"
        case .notARegularFile: "is not a regular file"
        case let .insecurePermissions(mode):
            "is accessible to other users (mode 0\(String(mode, radix: 8))); it holds the store's master key: chmod 600 it"
        case let .wrongOwner(owner): "belongs to another user (uid \(owner))"
        case let .wrongSize(count):
            "holds \(count) bytes; a master key is exactly \(MasterKey.byteCount) random bytes (refusing to guess)"
        case let .system(error): "cannot be accessed: \(error)"
        case let .random(error): "could not be generated: \(error)"
        }
        return "master key file \(path) \(problem)"
    }
}

public import Crypto
public import Transport

/// Why a phone's state file could not be read or written.
public struct StateFileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public enum Reason: Sendable, Hashable {
        /// There is no file at the path.
        case missing
        /// A file is already there (registration never overwrites keys).
        case alreadyExists
        /// A system call failed.
        case system(SystemError)
        /// The path is a symbolic link, a directory or another non-regular file.
        case notARegularFile
        /// Group or others may access the file (`mode` holds its permission bits); it holds
        /// private keys, so only mode 0600 (or stricter) is accepted.
        case insecurePermissions(mode: UInt32)
        /// The file belongs to another user (`owner` is its uid).
        case wrongOwner(owner: UInt32)
        /// The file is larger than any state file can be.
        case tooLarge(byteCount: Int)
        /// Another process holds the state file's lock.
        case inUse
        /// The bytes are not a valid state image.
        case image(StateImageError)
    }

    /// The state file's path.
    public let path: String
    /// What went wrong.
    public let reason: Reason

    /// An error about the file at `path`.
    public init(path: String, reason: Reason) {
        self.path = path
        self.reason = reason
    }

    /// One line naming the file and the problem.
    public var description: String {
        let problem = switch reason {
        case .missing: "does not exist"
        case .alreadyExists: "already exists (it holds a registration's keys; remove it deliberately)"
        case let .system(error): "cannot be accessed: \(error)"
        case .notARegularFile: "is not a regular file"
        case let .insecurePermissions(mode):
            "is accessible to other users (mode 0\(String(mode, radix: 8))); it holds private keys: chmod 600 it"
        case let .wrongOwner(owner): "belongs to another user (uid \(owner))"
        case let .tooLarge(count): "is too large to be a state file (\(count) bytes)"
        case .inUse: "is in use by another process"
        case let .image(error): "is not a usable state file: \(error)"
        }
        return "state file \(path) \(problem)"
    }
}

/// Why bytes are not a valid state image (see `ClientState+Codec.swift` for the format).
public enum StateImageError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The bytes do not open with the state file's magic.
    case notAStateImage
    /// A format version this build does not read.
    case unsupportedVersion(UInt16)
    /// The checksum does not match: the file is damaged.
    case checksumMismatch
    /// The structure is wrong (`reason` says where).
    case malformed(String)
    /// The stored protocol state (party) did not decode.
    case party(ProtocolError)
    /// The checksum could not be computed.
    case checksumFailed(CryptoError)

    /// One line that says what is wrong.
    public var description: String {
        switch self {
        case .notAStateImage: "not a Vigil phone state image (bad magic)"
        case let .unsupportedVersion(version): "unsupported state format version \(version)"
        case .checksumMismatch: "checksum mismatch (the file is damaged)"
        case let .malformed(reason): "malformed: \(reason)"
        case let .party(error): "stored protocol state: \(error)"
        case let .checksumFailed(error): "cannot compute the checksum: \(error)"
        }
    }
}

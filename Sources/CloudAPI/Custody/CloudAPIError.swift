public import Storage
public import Crypto

/// Why the endpoint's custody or configuration failed.
public enum CloudAPIError: Error, Sendable, CustomStringConvertible {
    /// The SQLite store failed.
    case storage(StorageError)
    /// A primitive failed (random source, AEAD).
    case crypto(CryptoError)
    /// A protocol-state record did not decode.
    case protocolState(ProtocolError)
    /// A sealed record did not authenticate under the master key (wrong key, or tampering).
    case unsealFailed(what: String)
    /// A stored row is not what this version writes.
    case corrupt(what: String)
    /// A business with this number or id already exists, or none does.
    case duplicateBusiness(String)
    /// No such business.
    case unknownBusiness(String)
    /// A configuration value is invalid.
    case invalidConfiguration(String)

    /// One line for humans; never includes secrets.
    public var description: String {
        switch self {
        case let .storage(error): "cloudapi store: \(error)"
        case let .crypto(error): "cloudapi crypto: \(error)"
        case let .protocolState(error): "cloudapi protocol state: \(error)"
        case let .unsealFailed(what): "cannot decrypt \(what): wrong master key or tampered data"
        case let .corrupt(what): "undecodable \(what)"
        case let .duplicateBusiness(what): "business already exists: \(what)"
        case let .unknownBusiness(what): "no such business: \(what)"
        case let .invalidConfiguration(what): what
        }
    }
}

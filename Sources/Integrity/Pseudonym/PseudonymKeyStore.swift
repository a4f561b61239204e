/// Where pseudonym keys persist between runs. Destroying a key must leave no readable copy.
public protocol PseudonymKeyStore: AnyObject {
    /// Every key held, any order.
    func loadKeys() throws(PseudonymKeyError) -> [PseudonymKey]
    /// Persists a new key (durably, before it is used).
    func save(_ key: PseudonymKey) throws(PseudonymKeyError)
    /// Deletes the key of `epoch` so that it cannot be recovered; deleting a missing key is fine.
    func destroy(epoch: Int64) throws(PseudonymKeyError)
}

/// Keys that live only in memory and die with the process: ephemeral analyses (`vigil analyze`
/// without `--keys`) and tests.
public final class InMemoryKeyStore: PseudonymKeyStore {
    private var keys: [Int64: PseudonymKey] = [:]

    /// An empty store.
    public init() {}

    /// The epochs of the keys held, ascending (tests check destruction with it).
    public var epochs: [Int64] { keys.keys.sorted() }

    /// Every key held.
    public func loadKeys() -> [PseudonymKey] { Array(keys.values) }

    /// Keeps `key`.
    public func save(_ key: PseudonymKey) { keys[key.epoch] = key }

    /// Forgets the key of `epoch`.
    public func destroy(epoch: Int64) { keys[epoch] = nil }
}

/// Message-key seeds of messages that were skipped (not yet received) on the receiving chains,
/// bounded as libsignal bounds them: at most ``maximumKeysPerChain`` per chain (the oldest are
/// evicted), and every DH ratchet step opens a receiving chain of which the ``maximumChains``
/// newest (the current one included) keep their keys; opening another drops the oldest.
struct SkippedMessageKeys: Sendable {
    static let maximumKeysPerChain = 2000
    static let maximumChains = 5

    struct Chain: Sendable {
        /// The sender's ratchet public key that identifies the chain.
        var ratchetKey: [UInt8]
        /// Seeds by message number, with insertion order for eviction.
        var seeds: [UInt32: SymmetricKey] = [:]
        var order: [UInt32] = []
    }

    /// Oldest chain first.
    private(set) var chains: [Chain] = []

    var count: Int { chains.reduce(0) { $0 + $1.seeds.count } }

    /// Opens the receiving chain of a new remote ratchet key (at a DH ratchet step), dropping the
    /// oldest chain and its keys beyond ``maximumChains``.
    mutating func openChain(ratchetKey: [UInt8]) {
        chains.append(Chain(ratchetKey: ratchetKey))
        if chains.count > Self.maximumChains { chains.removeFirst() }
    }

    /// Stores the seed of message `number` on the chain of `ratchetKey` (opening it if needed).
    mutating func insert(_ seed: SymmetricKey, ratchetKey: [UInt8], number: UInt32) {
        if !chains.contains(where: { $0.ratchetKey == ratchetKey }) { openChain(ratchetKey: ratchetKey) }
        guard let index = chains.lastIndex(where: { $0.ratchetKey == ratchetKey }) else { return }
        chains[index].seeds[number] = seed
        chains[index].order.append(number)
        if chains[index].order.count > Self.maximumKeysPerChain {
            let evicted = chains[index].order.removeFirst()
            chains[index].seeds[evicted] = nil
        }
    }

    /// Removes and returns the seed of message `number` on the chain of `ratchetKey`, if stored.
    mutating func take(ratchetKey: [UInt8], number: UInt32) -> SymmetricKey? {
        guard let index = chains.firstIndex(where: { $0.ratchetKey == ratchetKey }),
              let seed = chains[index].seeds.removeValue(forKey: number) else { return nil }
        chains[index].order.removeAll { $0 == number }
        return seed
    }

    /// Restores a store from serialized chains (oldest first).
    init(chains: [Chain] = []) {
        self.chains = chains
    }
}

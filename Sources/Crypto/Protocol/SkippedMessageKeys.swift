/// Message-key seeds of messages that were skipped (not yet received) on the receiving chains,
/// bounded as libsignal bounds them: at most ``maximumKeysPerChain`` per chain (the oldest are
/// evicted) and at most ``maximumChains`` chains (the oldest chain goes first).
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

    /// Stores the seed of message `number` on the chain of `ratchetKey`.
    mutating func insert(_ seed: SymmetricKey, ratchetKey: [UInt8], number: UInt32) {
        let index: Int
        if let existing = chains.firstIndex(where: { $0.ratchetKey == ratchetKey }) {
            index = existing
        } else {
            if chains.count == Self.maximumChains { chains.removeFirst() }
            chains.append(Chain(ratchetKey: ratchetKey))
            index = chains.count - 1
        }
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
        if chains[index].seeds.isEmpty { chains.remove(at: index) }
        return seed
    }

    /// Restores a store from serialized chains (oldest first).
    init(chains: [Chain] = []) {
        self.chains = chains
    }
}

import Synchronization

/// A deterministic random source for tests. **NOT SECURE: never use it for real keys.**
///
/// Anyone who knows the seed can reproduce every byte it produces; it exists so protocol tests
/// (X3DH, ratchet sessions) can inject reproducible keys and nonces and print a failing seed.
///
/// The stream is the one `Tests/interop/signal_peer.py` (`TestRandom`) defines, so a seeded Swift
/// party and a seeded Python party generate the same keys:
/// block *i* = `HMAC-SHA256(key: seed, "VigilTestRNG" ‖ i as 8 bytes big-endian)`, i = 0, 1, …,
/// and bytes are handed out in order. The output therefore depends only on the seed and the total
/// number of bytes drawn, not on how the draws are split (`fill` of 16 then 16 equals one `fill`
/// of 32). Thread-safe (a mutex orders the draws), but draws from several threads interleave
/// non-deterministically.
public final class SeededRandom: RandomSource {
    private struct State {
        var counter: UInt64 = 0
        var block: [UInt8] = []
        var used = 0
    }

    private static let label = Array("VigilTestRNG".utf8)

    private let seed: SymmetricKey
    private let state = Mutex(State())

    /// A source seeded with the 8 big-endian bytes of `seed`.
    public convenience init(seed: UInt64) {
        self.init(seedBytes: (0..<8).map { UInt8(truncatingIfNeeded: seed >> (56 - 8 * $0)) })
    }

    /// A source seeded with arbitrary bytes (the HMAC key of the stream).
    public init(seedBytes: some Collection<UInt8>) {
        self.seed = SymmetricKey(data: seedBytes)
    }

    /// Fills `buffer` with the next bytes of the stream.
    public func fill(_ buffer: UnsafeMutableRawBufferPointer) throws(CryptoError) {
        try state.withLock { (state: inout State) throws(CryptoError) in
            var offset = 0
            while offset < buffer.count {
                if state.used == state.block.count {
                    let counter = (0..<8).map { UInt8(truncatingIfNeeded: state.counter >> (56 - 8 * $0)) }
                    state.block = try HMAC.authenticationCode(for: Self.label + counter, using: seed).bytes
                    state.counter &+= 1  // wraps only after 2^64 blocks; a test never gets there
                    state.used = 0
                }
                let take = min(buffer.count - offset, state.block.count - state.used)
                for index in 0..<take {
                    buffer[offset + index] = state.block[state.used + index]
                }
                state.used += take
                offset += take
            }
        }
    }
}

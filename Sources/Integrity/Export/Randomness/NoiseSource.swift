import Stats

/// Where differential-privacy noise gets its bits: the operating system in production, a seed in
/// tests. Every sampler in this folder consumes whole 64-bit words and works on integers only, so
/// a seeded source makes a release reproducible bit for bit.
public protocol NoiseSource {
    /// 64 fresh uniformly random bits.
    mutating func nextWord() throws(NoiseSourceError) -> UInt64
}

/// The random source failed (the operating system refused to give bytes).
public struct NoiseSourceError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What failed, with the call and errno.
    public let description: String

    /// Creates an error.
    public init(_ description: String) { self.description = description }
}

/// The operating system's cryptographically secure generator (`getrandom(2)`, else
/// `/dev/urandom`), through the same ``SystemRandomSource`` that makes pseudonym keys — Integrity
/// does not link `Crypto` (DESIGN.md rule 1). Words are drawn 16 bytes at a time.
public struct SystemNoiseSource: NoiseSource, Sendable {
    private var system = SystemRandomSource()
    private var spare: UInt64?

    /// Creates the source.
    public init() {}

    /// The next word from the kernel's generator.
    public mutating func nextWord() throws(NoiseSourceError) -> UInt64 {
        if let word = spare {
            spare = nil
            return word
        }
        let bytes: [UInt8]
        do {
            bytes = try system.makeKeyBytes()
        } catch {
            throw NoiseSourceError("operating system random source: \(error)")
        }
        var first: UInt64 = 0
        var second: UInt64 = 0
        for index in 0..<8 {
            first |= UInt64(bytes[index]) << (8 * UInt64(index))
            second |= UInt64(bytes[index + 8]) << (8 * UInt64(index))
        }
        spare = second
        return first
    }
}

/// A reproducible stream (SplitMix64) for tests and the `dp-oracle` tool. Never for a real
/// release: anyone who knows the seed can subtract the noise.
public struct SeededNoiseSource: NoiseSource, Sendable {
    private var generator: SplitMix64

    /// A stream fixed by `seed`.
    public init(seed: UInt64) { generator = SplitMix64(seed: seed) }

    /// The next word of the stream.
    public mutating func nextWord() throws(NoiseSourceError) -> UInt64 { generator.next() }
}

import Glibc
import Stats

/// Where pseudonym keys come from: the operating system in production, a seed in tests.
public protocol KeyMaterialSource {
    /// 16 fresh random bytes.
    mutating func makeKeyBytes() throws(PseudonymKeyError) -> [UInt8]
}

/// The operating system's cryptographically secure random source: `getrandom(2)` (looked up at
/// run time, because the Glibc module does not export `<sys/random.h>`), else `/dev/urandom`.
/// Integrity does not link `Crypto` (DESIGN.md rule 1), so this is its only source of keys.
public struct SystemRandomSource: KeyMaterialSource, Sendable {
    /// Creates the source.
    public init() {}

    /// 16 bytes from `getrandom` (blocking until the kernel's pool is initialized), or from
    /// `/dev/urandom` where `getrandom` is missing.
    ///
    /// The corresponding C function is `getrandom`.
    public mutating func makeKeyBytes() throws(PseudonymKeyError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 16)
        if let getrandom = Self.getrandom {
            var filled = 0
            while filled < bytes.count {
                let count = bytes.withUnsafeMutableBytes { raw in getrandom(raw.baseAddress.map { $0 + filled }, raw.count - filled, 0) }
                if count < 0 {
                    if errno == EINTR { continue }
                    throw .randomSourceFailed("getrandom: errno \(errno)")
                }
                filled += count
            }
            return bytes
        }
        try Self.readDevURandom(into: &bytes)
        return bytes
    }

    private typealias GetRandom = @convention(c) (UnsafeMutableRawPointer?, Int, UInt32) -> Int

    /// `getrandom` from the C library, if it has one.
    private static var getrandom: GetRandom? {
        guard let symbol = dlsym(nil, "getrandom") else { return nil }
        return unsafeBitCast(symbol, to: GetRandom.self)
    }

    private static func readDevURandom(into bytes: inout [UInt8]) throws(PseudonymKeyError) {
        let descriptor = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .randomSourceFailed("open /dev/urandom: errno \(errno)") }
        defer { close(descriptor) }
        var filled = 0
        while filled < bytes.count {
            let count = bytes.withUnsafeMutableBytes { raw in read(descriptor, raw.baseAddress.map { $0 + filled }, raw.count - filled) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw .randomSourceFailed("read /dev/urandom: errno \(errno)") }
            filled += count
        }
    }
}

/// Keys from a seed: reproducible pseudonyms for tests and benchmarks. Never for production —
/// anyone with the seed can recompute every key.
public struct SeededKeySource: KeyMaterialSource, Sendable {
    private var generator: SplitMix64

    /// A source whose keys are fixed by `seed`.
    public init(seed: UInt64) { generator = SplitMix64(seed: seed) }

    /// The next 16 bytes of the seeded stream.
    public mutating func makeKeyBytes() throws(PseudonymKeyError) -> [UInt8] {
        let words = (generator.next(), generator.next())
        return (0..<16).map { index in UInt8(truncatingIfNeeded: (index < 8 ? words.0 : words.1) >> (8 * UInt64(index % 8))) }
    }
}

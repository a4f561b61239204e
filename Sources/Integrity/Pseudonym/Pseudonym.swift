/// A consumer's pseudonym: the 128-bit SipHash-2-4 of the number under the key of one epoch.
///
/// Without the key nothing links a pseudonym to a number, and once the epoch's key is destroyed
/// nothing can (a number space of ~10¹¹ would be easy to enumerate *with* the key, which is why
/// the key never leaves the ``Pseudonymizer`` and is deleted after its epoch). Integrity keeps
/// only pseudonyms, and mostly only parts of them:
///
/// - ``fingerprint`` (32 bits) identifies a user inside one business's tables;
/// - ``samplingRank`` (the leading zeros of the first word) decides whether a user is in a
///   business's sample at a sampling level — secret, so no one can pick users that escape it;
/// - ``filterHashes`` place the user in a Bloom filter;
/// - ``sketchHash`` feeds the global HyperLogLog.
public struct Pseudonym: Sendable, Hashable, CustomStringConvertible {
    /// The first 64-bit output word of SipHash-2-4-128.
    public let first: UInt64
    /// The second output word.
    public let second: UInt64

    /// Wraps the two output words.
    public init(first: UInt64, second: UInt64) {
        self.first = first
        self.second = second
    }

    /// A 32-bit identifier for per-business tables; never 0 (0 marks an empty slot).
    @inline(__always)
    public var fingerprint: UInt32 {
        let value = UInt32(truncatingIfNeeded: second)
        return value == 0 ? 1 : value
    }

    /// The number of leading zero bits of the first word: the user belongs to a sample at level
    /// `L` (rate 2^−L) when `samplingRank ≥ L`.
    @inline(__always)
    public var samplingRank: Int { first.leadingZeroBitCount }

    /// Two independent 32-bit hashes for Bloom-filter positions (double hashing).
    @inline(__always)
    public var filterHashes: (UInt32, UInt32) {
        (UInt32(truncatingIfNeeded: second >> 32), UInt32(truncatingIfNeeded: first) | 1)
    }

    /// The hash a HyperLogLog is fed (its register address from `h1`, its value from `h2`).
    @inline(__always)
    public var sketchHash: (h1: UInt64, h2: UInt64) { (second, first) }

    /// The two words in hex (a pseudonym is safe to print: it is not a number).
    public var description: String {
        String(first, radix: 16) + ":" + String(second, radix: 16)
    }
}

/// The pseudonyms of one consumer at one moment: under the current epoch's key, and — during the
/// grace period after a rotation — under the previous epoch's key, so state remembered just
/// before the rotation can still be found and carried over.
public struct PseudonymPair: Sendable, Hashable {
    /// The pseudonym under the current key; what new state is stored under.
    public let current: Pseudonym
    /// The pseudonym under the previous key while it is still held, else `nil`.
    public let previous: Pseudonym?
    /// The current key's epoch number.
    public let epoch: Int64

    /// Creates a pair.
    public init(current: Pseudonym, previous: Pseudonym?, epoch: Int64) {
        self.current = current
        self.previous = previous
        self.epoch = epoch
    }
}

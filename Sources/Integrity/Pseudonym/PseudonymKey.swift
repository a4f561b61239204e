import Stats
public import Transport

/// The secret key of one pseudonym epoch: 16 bytes from the operating system's random source.
public struct PseudonymKey: Sendable, Hashable {
    /// The epoch this key pseudonymizes (see ``KeySchedule``).
    public let epoch: Int64
    /// The SipHash-2-4 key.
    let hasher: SipHash24

    /// A key from its 16 bytes.
    public init(epoch: Int64, bytes: some Collection<UInt8>) throws(PseudonymKeyError) {
        do {
            hasher = try SipHash24(key: bytes)
        } catch {
            throw .invalidKey(epoch: epoch, byteCount: bytes.count)
        }
        self.epoch = epoch
    }

    /// The key's 16 bytes (what the key store persists).
    public var bytes: [UInt8] {
        (0..<16).map { index in UInt8(truncatingIfNeeded: (index < 8 ? hasher.k0 : hasher.k1) >> (8 * UInt64(index % 8))) }
    }

    /// The pseudonym of `number` under this key: SipHash-2-4-128 of the number's digits as eight
    /// little-endian bytes. Allocation-free.
    @inline(__always)
    public func pseudonym(for number: PhoneNumber) -> Pseudonym {
        let (first, second) = hasher.hash128(word: number.digits)
        return Pseudonym(first: first, second: second)
    }

    /// Same epoch and same key.
    public static func == (a: PseudonymKey, b: PseudonymKey) -> Bool {
        a.epoch == b.epoch && a.hasher.k0 == b.hasher.k0 && a.hasher.k1 == b.hasher.k1
    }

    /// Hashes the epoch and the key words.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(epoch)
        hasher.combine(self.hasher.k0)
        hasher.combine(self.hasher.k1)
    }
}

/// A failure of pseudonym key management. The description never contains key bytes.
public enum PseudonymKeyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Key material of the wrong length (a damaged key store).
    case invalidKey(epoch: Int64, byteCount: Int)
    /// The random source failed (call and errno).
    case randomSourceFailed(String)
    /// The key store failed; the message is the storage error's description.
    case storeFailed(operation: String, message: String)
    /// No key is held for the event's epoch any more: it was destroyed (an event older than the
    /// grace period after a rotation), so the event cannot be pseudonymized.
    case keyDestroyed(epoch: Int64)

    /// One line.
    public var description: String {
        switch self {
        case let .invalidKey(epoch, count): "pseudonym key of epoch \(epoch) has \(count) bytes, expected 16"
        case let .randomSourceFailed(why): "random source failed: \(why)"
        case let .storeFailed(operation, message): "pseudonym key store: \(operation): \(message)"
        case let .keyDestroyed(epoch): "the pseudonym key of epoch \(epoch) was destroyed; the event is too old"
        }
    }
}

/// What the relay tells the integrity analyzer about one routed envelope, receipt, block or spam
/// report. It carries only metadata — parties, time, kind, a size bucket and ids — and has no field
/// that could hold message content: the type system is the guarantee (DESIGN.md rule 2).
public struct MetadataEvent: Sendable, Hashable {
    /// When the relay observed it, in milliseconds since the Unix epoch.
    public let time: Int64
    /// What happened.
    public let kind: Kind

    /// The kinds of event.
    public enum Kind: Sendable, Hashable {
        /// An envelope accepted for delivery: sender, recipient, envelope kind (user, business with
        /// category, control), the ciphertext's size bucket, and its relay-assigned id.
        case envelope(sender: PhoneNumber, recipient: PhoneNumber, kind: EnvelopeKind, size: SizeBucket, id: EnvelopeID)
        /// A delivered/read receipt from `from` about envelopes sent by `to`.
        case receipt(ReceiptKind, from: PhoneNumber, to: PhoneNumber, count: Int)
        /// `blocker` blocked `blocked`.
        case block(blocker: PhoneNumber, blocked: PhoneNumber, reason: BlockReason)
        /// `reporter` reported `business`, optionally naming the envelope.
        case report(reporter: PhoneNumber, business: PhoneNumber, reason: ReportReason, envelope: EnvelopeID?)
    }

    /// Creates an event.
    public init(time: Int64, kind: Kind) {
        self.time = time
        self.kind = kind
    }
}

/// A ciphertext size rounded up to a power of two (64 B … 256 KiB), so exact lengths — which can
/// fingerprint messages — never leave the relay.
public struct SizeBucket: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The bucket's upper bound in bytes (a power of two).
    public let upperBound: Int

    /// The smallest bucket.
    public static let minimum = 64
    /// The largest bucket (the relay's default maximum frame size).
    public static let maximum = 256 * 1024

    /// The bucket holding a ciphertext of `byteCount` bytes.
    public init(byteCount: Int) {
        let clamped = min(max(byteCount, 1), Self.maximum)
        let rounded = clamped <= Self.minimum ? Self.minimum : 1 << (Int.bitWidth - (clamped - 1).leadingZeroBitCount)
        upperBound = min(rounded, Self.maximum)
    }

    /// `a < b` when `a`'s bucket is smaller.
    public static func < (a: SizeBucket, b: SizeBucket) -> Bool { a.upperBound < b.upperBound }

    /// "≤N B".
    public var description: String { "≤\(upperBound) B" }
}

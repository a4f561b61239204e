public import Transport

/// One event of the integrity analyzer's schema (issue 6), as it arrives — from a JSONL file, or
/// converted from the relay's live tap — before pseudonymization.
///
/// The schema is about a business and one of its users:
///
/// ```
/// {"t":1700000000000,"kind":"message","business":"+14155550100","user":"+447700900123","dir":"b2u","bytes":512,"category":"marketing"}
/// {"t":…,"kind":"delivered"|"read","business":"+…","user":"+…"}
/// {"t":…,"kind":"block","business":"+…","user":"+…","reason":"spam"|"didnt_sign_up"|"offensive"|"no_longer_needed"|"no_reason"}
/// {"t":…,"kind":"report","business":"+…","user":"+…","reason":"spam"|"scam"|"offensive"|"other"}
/// ```
///
/// The user's number is a raw consumer number: the analyzer replaces it with a ``Pseudonym`` at
/// the door and never stores it. A value of this type carries metadata only (DESIGN.md rule 2).
public struct IntegrityEvent: Sendable, Hashable {
    /// Event time in milliseconds since the Unix epoch, within ``timeRange``.
    public var time: Int64
    /// The business number the event is about.
    public var business: PhoneNumber
    /// The consumer on the other side.
    public var user: PhoneNumber
    /// What happened.
    public var kind: Kind

    /// The kinds of event.
    public enum Kind: Sendable, Hashable {
        /// A message between the business and the user; `bytes` is the relay's size bucket (never
        /// the exact length); `category` only on business-to-user messages, and optional there.
        case message(MessageDirection, bytes: Int, category: MessageCategory?)
        /// A delivered receipt for one business message to the user.
        case delivered
        /// A read receipt for one business message to the user.
        case read
        /// The user blocked the business.
        case block(BlockReason)
        /// The user reported the business.
        case report(ReportReason)
    }

    /// Event times the analyzer accepts: the Unix epoch to the end of year 9999 (so that times in
    /// minutes fit 32 bits and nothing overflows when windows are added).
    public static let timeRange: ClosedRange<Int64> = 0...253_402_300_799_999
    /// The largest `bytes` a message may carry (the relay's buckets stop at 256 KiB).
    public static let maximumBytes = Int(Int32.max)

    /// Creates an event.
    public init(time: Int64, business: PhoneNumber, user: PhoneNumber, kind: Kind) {
        self.time = time
        self.business = business
        self.user = user
        self.kind = kind
    }
}

/// Which way a message went.
public enum MessageDirection: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Business to user (`"b2u"`).
    case businessToUser = 0
    /// User to business (`"u2b"`).
    case userToBusiness = 1

    /// The schema's name: `b2u` or `u2b`.
    public var description: String { self == .businessToUser ? "b2u" : "u2b" }
}

extension IntegrityEvent.Kind {
    /// The schema's `kind` value: `message`, `delivered`, `read`, `block` or `report`.
    public var name: String {
        switch self {
        case .message: "message"
        case .delivered: "delivered"
        case .read: "read"
        case .block: "block"
        case .report: "report"
        }
    }
}

import Transport

/// One generated event, compact (32 bytes) so that the events still in flight — reads and blocks
/// due later than the slice being written — cost little memory.
///
/// Ordered by time, then by the order of generation, so equal times keep a deterministic order.
struct SimulatedEvent: Sendable, Comparable {
    /// What kind of line it becomes.
    enum Kind: UInt8, Sendable {
        /// A message from the business to the user (`"dir":"b2u"`, with a category).
        case businessMessage
        /// A message from the user to the business (`"dir":"u2b"`).
        case userMessage
        /// The user's device received a business message.
        case delivered
        /// The user read a business message.
        case read
        /// The user blocked the business (`detail` is a `BlockReason` raw value).
        case block
        /// The user reported the business (`detail` is a `ReportReason` raw value).
        case report
    }

    /// Event time, ms since the Unix epoch.
    var time: Int64
    /// Position in generation order: the tie-break between equal times.
    var sequence: UInt64
    /// Index into the simulation's business table.
    var business: UInt32
    /// The user's population index (or a ghost's).
    var user: UInt32
    /// The line's kind.
    var kind: Kind
    /// The category (business messages) or reason (blocks, reports), as raw values.
    var detail: UInt8
    /// log₂ of the size bucket (6…18) for messages.
    var sizeLog2: UInt8

    /// Earlier time first, then earlier generation.
    static func < (a: SimulatedEvent, b: SimulatedEvent) -> Bool {
        a.time != b.time ? a.time < b.time : a.sequence < b.sequence
    }
}

/// Size buckets of messages: log₂ of the relay's power-of-two buckets (64 B … 256 KiB).
enum SimulationSizes {
    /// The smallest bucket (64 B).
    static let smallest: UInt8 = 6
    /// The largest bucket (256 KiB).
    static let largest: UInt8 = 18

    /// Short texts: "hi", "where is my order?", "STOP".
    static let shortText = SimulationWeights<UInt8>([(6, 0.35), (7, 0.45), (8, 0.2)])
    /// Chat messages, now and then a photo or a voice note.
    static let chat = SimulationWeights<UInt8>([(7, 0.3), (8, 0.35), (9, 0.2), (10, 0.05), (16, 0.05), (17, 0.05)])
    /// One-time passcodes and alerts: short templates.
    static let code = SimulationWeights<UInt8>([(7, 0.6), (8, 0.4)])
    /// Templates with a header image: mostly media-sized.
    static let campaign = SimulationWeights<UInt8>([(9, 0.25), (10, 0.15), (16, 0.3), (17, 0.25), (18, 0.05)])
    /// Spam: a text with a link, sometimes an image.
    static let spam = SimulationWeights<UInt8>([(8, 0.45), (9, 0.3), (16, 0.15), (17, 0.1)])
}

extension SimulatedEvent.Kind {
    /// The `"kind"` value of the line.
    var name: StaticString {
        switch self {
        case .businessMessage, .userMessage: "message"
        case .delivered: "delivered"
        case .read: "read"
        case .block: "block"
        case .report: "report"
        }
    }
}

/// Category and reason names as the schema spells them (the relay's own vocabulary).
enum SimulationNames {
    /// `"category"` for a raw `MessageCategory`.
    static func category(_ raw: UInt8) -> String { (MessageCategory(rawValue: raw) ?? .service).description }
    /// `"reason"` for a raw `BlockReason`.
    static func blockReason(_ raw: UInt8) -> String { (BlockReason(rawValue: raw) ?? .noReason).description }
    /// `"reason"` for a raw `ReportReason`.
    static func reportReason(_ raw: UInt8) -> String { (ReportReason(rawValue: raw) ?? .other).description }
}

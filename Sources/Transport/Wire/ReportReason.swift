/// Why a user reported a business.
public enum ReportReason: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Unsolicited bulk messages.
    case spam = 1
    /// Fraud attempts.
    case scam = 2
    /// Offensive content.
    case offensive = 3
    /// Anything else.
    case other = 4

    /// The name used in docs/wire.md.
    public var description: String {
        switch self {
        case .spam: "spam"
        case .scam: "scam"
        case .offensive: "offensive"
        case .other: "other"
        }
    }
}

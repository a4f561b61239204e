/// Meta's conversation category of a business message (docs/wire.md, "Envelope kind and category").
/// Metadata only: integrity signals and billing use it; the relay never checks it against content.
public enum MessageCategory: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Promotions, offers, announcements.
    case marketing = 1
    /// Updates about a transaction or account the user started (order status, bills).
    case utility = 2
    /// One-time passcodes.
    case authentication = 3
    /// Replies inside a conversation the user started.
    case service = 4

    /// The name used in docs/wire.md.
    public var description: String {
        switch self {
        case .marketing: "marketing"
        case .utility: "utility"
        case .authentication: "authentication"
        case .service: "service"
        }
    }
}

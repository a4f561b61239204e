/// What sort of traffic an envelope is, visible to the relay and the integrity analyzer although the
/// envelope itself is opaque. Unrelated to the `SessionEnvelope` kind byte inside the ciphertext
/// (docs/protocol.md). On the wire: `u8 kind ‖ u8 category`, category 0 unless the kind is business.
public enum EnvelopeKind: Sendable, Hashable, CustomStringConvertible {
    /// A message written by a person (kind 1).
    case user
    /// A message sent by a business, with its category (kind 2).
    case business(MessageCategory)
    /// Protocol traffic with no user-visible content: session set-up, retries (kind 3).
    case control

    /// Decodes the two wire bytes; `nil` for an unknown kind or a category that does not fit it.
    public init?(kind: UInt8, category: UInt8) {
        switch (kind, category) {
        case (1, 0): self = .user
        case (2, _):
            guard let category = MessageCategory(rawValue: category) else { return nil }
            self = .business(category)
        case (3, 0): self = .control
        default: return nil
        }
    }

    /// The wire's kind byte.
    public var kindByte: UInt8 {
        switch self {
        case .user: 1
        case .business: 2
        case .control: 3
        }
    }

    /// The wire's category byte: the business category, else 0.
    public var categoryByte: UInt8 {
        if case let .business(category) = self { category.rawValue } else { 0 }
    }

    /// `user`, `business/<category>` or `control`.
    public var description: String {
        switch self {
        case .user: "user"
        case let .business(category): "business/\(category)"
        case .control: "control"
        }
    }
}

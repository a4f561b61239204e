/// Why a user blocked a number, as the block dialog asks it (metadata for integrity signals).
public enum BlockReason: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// No reason given.
    case noReason = 0
    /// The messages were spam.
    case spam = 1
    /// The user never signed up for these messages.
    case didntSignUp = 2
    /// The messages were offensive.
    case offensive = 3
    /// The user no longer needs them.
    case noLongerNeeded = 4

    /// The name used in docs/wire.md.
    public var description: String {
        switch self {
        case .noReason: "no_reason"
        case .spam: "spam"
        case .didntSignUp: "didnt_sign_up"
        case .offensive: "offensive"
        case .noLongerNeeded: "no_longer_needed"
        }
    }
}

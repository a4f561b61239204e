/// What a `notice` frame (relay → client) is about.
public enum NoticeKind: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// A change of the receiving business number's integrity standing — quality rating, messaging
    /// limit, status, restrictions — as one JSON object:
    /// `{"t":MS,"field":"phone_number_quality_update"|"account_update","event":"…","current_limit":"TIER_…"}`.
    case integrity = 1

    /// The name used in docs/wire.md.
    public var description: String {
        switch self {
        case .integrity: "integrity"
        }
    }
}

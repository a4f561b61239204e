public import Transport

/// Why the analyzer refuses a business message, with Meta's error code. The relay gets it as
/// ``decision``: `.deny(code:text:)` whose text starts with Meta's code, which the Cloud API
/// endpoint parses back into the Graph error (`GraphError.admissionDenied(relayText:)`).
public enum AdmissionRefusal: Sendable, Hashable, CustomStringConvertible {
    /// 368: the number is blocked for policy violations until `until`.
    case policyBlock(until: Int64)
    /// 131048: quality so low that business-initiated messages are refused until `until`.
    case spamRestriction(until: Int64)
    /// 131048: the tier's limit of business-initiated users in 24 h is reached (the number is
    /// RESTRICTED); replies inside customer-service windows still go.
    case messagingLimit(tier: MessagingTier, limit: Int)
    /// 131056: too many messages to this user; retry after the wait (milliseconds).
    case pairRate(retryAfterMilliseconds: Int64)
    /// 130429: the number's throughput is exceeded; retry after the wait (milliseconds).
    case throughput(perSecond: Int, retryAfterMilliseconds: Int64)

    /// Meta's error code.
    public var metaCode: Int {
        switch self {
        case .policyBlock: 368
        case .spamRestriction, .messagingLimit: 131048
        case .pairRate: 131056
        case .throughput: 130429
        }
    }

    /// The relay's error code: `rate_limited` for the rate limits a retry can pass, else
    /// `admission_denied`.
    public var wireCode: WireErrorCode {
        switch self {
        case .pairRate, .throughput: .rateLimited
        case .policyBlock, .spamRestriction, .messagingLimit: .admissionDenied
        }
    }

    /// Meta's code, a space, and an explanation.
    public var description: String {
        switch self {
        case let .policyBlock(until):
            "368 temporarily blocked for policy violations until \(until) ms"
        case let .spamRestriction(until):
            "131048 spam rate limit hit: business-initiated messages are restricted until \(until) ms because of blocks and reports"
        case let .messagingLimit(tier, limit):
            "131048 messaging limit reached: \(limit) business-initiated users in 24 h (\(tier)); replies to users who wrote in the last 24 h still go"
        case let .pairRate(wait):
            "131056 pair rate limit hit: too many messages to this user; retry in \(Self.seconds(wait)) s"
        case let .throughput(perSecond, wait):
            "130429 rate limit hit: more than \(perSecond) messages per second; retry in \(Self.seconds(wait)) s"
        }
    }

    /// The answer for the relay.
    public var decision: AdmissionDecision { .deny(code: wireCode, text: description) }

    private static func seconds(_ milliseconds: Int64) -> String {
        let tenths = (max(milliseconds, 0) + 99) / 100
        return "\(tenths / 10).\(tenths % 10)"
    }
}

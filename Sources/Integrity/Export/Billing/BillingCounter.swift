public import Storage
public import Transport

/// Per business, per UTC day, per category: business messages, billable messages and
/// conversations — from metadata only (direction, category, time), for the platform audience
/// (billing per business is available to it per the seed's table).
///
/// Definitions (docs/export.md discusses them against Meta's pricing):
/// - a business message is any `b2u` message; an uncategorized one counts as `service`;
/// - **billable message** (per-message pricing): marketing and authentication always; utility
///   unless the user's customer-service window is open (24 h from the user's last message to the
///   business); service never;
/// - **conversation** (conversation-based pricing): a 24-hour window per (business, user,
///   category) opened by the first message of that category while none is open; counted on the
///   day it opens; billable unless it is a service conversation.
///
/// Window state is keyed by pseudonym; ``expire(before:)`` drops closed windows.
public struct BillingCounter: Sendable {
    /// The window length: 24 hours.
    public static let windowMilliseconds: Int64 = 86_400_000

    private struct PairKey: Hashable, Sendable {
        var business: UInt64
        var user: Pseudonym
    }

    private struct ConversationKey: Hashable, Sendable {
        var pair: PairKey
        var category: MessageCategory
    }

    private var serviceWindows: [PairKey: Int64] = [:]
    private var conversations: [ConversationKey: Int64] = [:]
    /// The totals so far.
    public private(set) var rows: [BillingKey: BillingTotals] = [:]

    /// An empty counter.
    public init() {}

    /// A user wrote to the business at `time`: the customer-service window opens (or extends).
    mutating func userMessage(business: UInt64, user: Pseudonym, at time: Int64) {
        serviceWindows[PairKey(business: business, user: user)] = time + Self.windowMilliseconds
    }

    /// The business wrote to the user at `time`.
    mutating func businessMessage(business: UInt64, user: Pseudonym, category: MessageCategory?, at time: Int64) {
        let category = category ?? .service
        let pair = PairKey(business: business, user: user)
        let key = BillingKey(day: UTCDay(secondsSince1970: time / 1000), business: business, category: category)
        let inServiceWindow = (serviceWindows[pair] ?? .min) > time
        var totals = rows[key] ?? BillingTotals()
        totals.messages += 1
        switch category {
        case .marketing, .authentication: totals.billableMessages += 1
        case .utility: if !inServiceWindow { totals.billableMessages += 1 }
        case .service: break
        }
        let conversation = ConversationKey(pair: pair, category: category)
        if (conversations[conversation] ?? .min) <= time {
            conversations[conversation] = time + Self.windowMilliseconds
            totals.conversations += 1
            if category != .service { totals.billableConversations += 1 }
        }
        rows[key] = totals
    }

    /// Drops windows that closed before `time`.
    mutating func expire(before time: Int64) {
        serviceWindows = serviceWindows.filter { $0.value > time }
        conversations = conversations.filter { $0.value > time }
    }

    /// Drops the rows of days before `day`.
    mutating func forget(before day: UTCDay) {
        rows = rows.filter { $0.key.day >= day }
    }

    /// The rows whose day is in `days`, ordered by day, business, category.
    public func rows(in days: ClosedRange<UTCDay>) -> [(key: BillingKey, totals: BillingTotals)] {
        rows.filter { days.contains($0.key.day) }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}

/// A billing row's key.
public struct BillingKey: Sendable, Hashable, Comparable {
    /// The UTC day.
    public var day: UTCDay
    /// The business number's digits.
    public var business: UInt64
    /// The category.
    public var category: MessageCategory

    /// By day, business, category.
    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.day.daysSince1970, lhs.business, lhs.category.rawValue) < (rhs.day.daysSince1970, rhs.business, rhs.category.rawValue)
    }
}

/// A billing row's figures.
public struct BillingTotals: Sendable, Hashable {
    /// Business messages of the category.
    public var messages = 0
    /// Of those, billable under per-message pricing.
    public var billableMessages = 0
    /// Conversations opened.
    public var conversations = 0
    /// Of those, billable under conversation-based pricing.
    public var billableConversations = 0

    /// Zeros.
    public init() {}
}

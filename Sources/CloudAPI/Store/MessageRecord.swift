/// One message as the Cloud API endpoint stores it for up to 30 days: a consumer's message to a
/// business (``MessageDirection/inbound``) or a business's message to a consumer
/// (``MessageDirection/outbound``), with the state of its webhook delivery.
///
/// Everything but ``id`` and ``delivery`` is sealed under the day's key at rest (see
/// ``MessageStore``); the consumer number in particular never reaches a file in the clear.
/// `description` and `dump` redact the numbers and the payload, so a record that ends up in a log
/// line leaks neither.
public struct MessageRecord: Sendable, Hashable {
    /// The message id (Meta's `wamid.…`): non-identifying, unique per message — the endpoint's
    /// are the relay's envelope id (its sequence number, then 8 random bytes). Stored in the clear
    /// so status updates and retransmission can find the record.
    public let id: String
    /// The business phone number's id (Meta's `phone_number_id`).
    public var businessPhoneNumberID: String
    /// The business's number, E.164 (`+` and 8–15 digits).
    public var business: String
    /// The consumer's number, E.164 (`+` and 8–15 digits).
    public var consumer: String
    /// Who sent the message.
    public var direction: MessageDirection
    /// When the endpoint received (inbound) or accepted (outbound) the message, in milliseconds
    /// since the Unix epoch. Fixes the UTC day — and so the day key and day file — of the record.
    public var time: Int64
    /// The record's kind: an inbound message's type (`text`); an outbound message's
    /// `type:category` (`text:service`, `template:marketing`); `status` for a status webhook;
    /// `account` for an account notice.
    public var kind: String
    /// The content: for inbound messages, statuses and notices, the webhook body as Meta's JSON;
    /// for outbound messages, what was sent (type, text, tracker) — their webhook, the `sent`
    /// status, is written when it goes.
    public var payload: [UInt8]
    /// Where delivery stands; the only part of a record that changes after it is stored.
    public var delivery: DeliveryState

    /// A record with the given fields; ``delivery`` defaults to a fresh ``DeliveryState``
    /// (accepted, webhook due at `time`).
    public init(
        id: String, businessPhoneNumberID: String, business: String, consumer: String,
        direction: MessageDirection, time: Int64, kind: String, payload: [UInt8],
        delivery: DeliveryState? = nil
    ) {
        self.id = id
        self.businessPhoneNumberID = businessPhoneNumberID
        self.business = business
        self.consumer = consumer
        self.direction = direction
        self.time = time
        self.kind = kind
        self.payload = payload
        self.delivery = delivery ?? DeliveryState(nextAttemptAt: time)
    }
}

/// Which way a message went.
public enum MessageDirection: Int64, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// From a consumer to a business (delivered to the business's webhook).
    case inbound = 0
    /// From a business to a consumer (sent through the relay; statuses go to the webhook).
    case outbound = 1

    /// `inbound` or `outbound`.
    public var description: String {
        switch self {
        case .inbound: "inbound"
        case .outbound: "outbound"
        }
    }
}

/// Where a message stands, as Meta's status webhooks name it.
public enum DeliveryStatus: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Accepted by the endpoint, not yet handed on.
    case accepted
    /// Handed to the relay (outbound) or to the business (inbound).
    case sent
    /// Delivered to the recipient's device.
    case delivered
    /// Read by the recipient.
    case read
    /// Could not be delivered.
    case failed

    /// The status's name, e.g. `delivered`.
    public var description: String { rawValue }
}

/// The mutable part of a ``MessageRecord``: its status and the state of its webhook delivery.
/// Stored in the clear next to the sealed record (it holds no content and no number), so it can be
/// updated and queried without decrypting.
public struct DeliveryState: Sendable, Hashable {
    /// The message's status.
    public var status: DeliveryStatus
    /// How many times the webhook for this record has been attempted.
    public var webhookAttempts: Int
    /// When the next webhook attempt is due, in milliseconds since the Unix epoch; ignored once
    /// ``webhookDelivered`` is `true`.
    public var nextAttemptAt: Int64
    /// Whether the webhook is done with (delivered, or given up on); such records are no longer
    /// returned by ``MessageStore/pendingWebhooks(now:limit:skipping:)`` and
    /// ``MessageStore/takeDueWebhooks(now:limit:skipping:readingStore:)``.
    public var webhookDelivered: Bool

    /// A delivery state; by default accepted, never attempted, not delivered.
    public init(
        status: DeliveryStatus = .accepted, webhookAttempts: Int = 0, nextAttemptAt: Int64,
        webhookDelivered: Bool = false
    ) {
        self.status = status
        self.webhookAttempts = webhookAttempts
        self.nextAttemptAt = nextAttemptAt
        self.webhookDelivered = webhookDelivered
    }
}

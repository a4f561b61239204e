/// Identifies one connection inside the relay (assigned by the host, never reused in a process).
public struct ConnectionID: RawRepresentable, Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The number.
    public let rawValue: UInt64

    /// Wraps `rawValue`.
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// Orders by number (the host assigns increasing ids).
    public static func < (a: ConnectionID, b: ConnectionID) -> Bool { a.rawValue < b.rawValue }

    /// "conn N".
    public var description: String { "conn \(rawValue)" }
}

/// An envelope as the relay keeps it: routing metadata plus opaque ciphertext. `ciphertext` is
/// `nil` for a *tombstone*: an envelope that was acknowledged (or dropped because the recipient
/// blocked the sender) and is remembered only so a repeated `send` gets the same `accepted`.
public struct StoredEnvelope: Sendable, Hashable {
    /// The relay-assigned id: 8 random bytes, then the sequence number (envelopes stored by
    /// schema 1 keep the fully random ids they were given).
    public var id: EnvelopeID
    /// The authenticated sender.
    public var sender: PhoneNumber
    /// The sender's idempotency key.
    public var clientMessageID: UInt64
    /// Whom it is for.
    public var recipient: PhoneNumber
    /// When the relay accepted it (ms since the epoch).
    public var time: Int64
    /// The visible kind label.
    public var kind: EnvelopeKind
    /// The opaque bytes, or `nil` once acknowledged or dropped.
    public var ciphertext: [UInt8]?
    /// The relay's sequence number: acceptance order, and the store's row key. Never reused.
    public var sequence: UInt64

    /// Creates a stored envelope; `sequence` defaults to the id's low half, which is what the
    /// relay assigns.
    public init(
        id: EnvelopeID, sender: PhoneNumber, clientMessageID: UInt64, recipient: PhoneNumber,
        time: Int64, kind: EnvelopeKind, ciphertext: [UInt8]?, sequence: UInt64? = nil
    ) {
        self.id = id
        self.sender = sender
        self.clientMessageID = clientMessageID
        self.recipient = recipient
        self.time = time
        self.kind = kind
        self.ciphertext = ciphertext
        self.sequence = sequence ?? id.low
    }
}

/// What happens to the relay: connections, decoded frames, decoding failures, the clock, shutdown.
public enum RelayInput: Sendable {
    /// A connection was accepted.
    case opened(ConnectionID)
    /// A frame arrived on a connection.
    case frame(ConnectionID, DecodedFrame)
    /// A connection's decoder failed.
    case decodingFailed(ConnectionID, WireError)
    /// A connection is gone (peer closed, reset, timed out, or closed by the relay).
    case closed(ConnectionID)
    /// A connection's authentication deadline passed: closed with 300 unless authenticated.
    case authenticationDeadline(ConnectionID)
    /// Periodic housekeeping: expire envelopes past their TTL and idempotency keys past their window.
    case tick
    /// The relay is stopping: every connection gets error 501 and is closed.
    case shutdown
}

/// What the relay core asks its host to do. The host applies every `write` of a turn in one
/// transaction and sends the turn's frames and records its events only after that commit.
public enum RelayAction: Sendable, Equatable {
    /// Send `frame` on a connection.
    case send(ConnectionID, Frame, requestID: RequestID)
    /// Close a connection once the frames queued before this action are written.
    case close(ConnectionID)
    /// Make a change durable.
    case write(RelayWrite)
    /// Tell the metadata sink.
    case record(MetadataEvent)
}

/// One durable change to the relay's state (applied by `RelayStore`).
public enum RelayWrite: Sendable, Equatable {
    /// (Re-)registration: the number's device and the digest of its token (never the token).
    case register(PhoneNumber, device: DeviceID, tokenDigest: TokenDigest)
    /// The owner's prekey bundles replace the stored ones; `firstSequence` numbers the first.
    case replacePreKeys(PhoneNumber, bundles: [[UInt8]], firstSequence: Int64)
    /// One prekey bundle was handed out.
    case removePreKey(PhoneNumber, sequence: Int64)
    /// An envelope was accepted (a tombstone when dropped because of a block).
    case enqueue(StoredEnvelope)
    /// These envelopes were acknowledged: their ciphertext is deleted, the tombstone stays.
    /// (The store finds them by sequence number: the id's low half, or its own record of the
    /// sequence numbers of schema-1 ids.)
    case acknowledge([EnvelopeID])
    /// `blocker` blocked `blocked`.
    case block(blocker: PhoneNumber, blocked: PhoneNumber, reason: BlockReason, time: Int64)
    /// A spam report.
    case report(reporter: PhoneNumber, SpamReport, time: Int64)
    /// Delete envelopes accepted before `envelopesBefore` and tombstones before `tombstonesBefore`.
    case expire(envelopesBefore: Int64, tombstonesBefore: Int64)
}

/// Tunables of the relay core.
public struct RelayLimits: Sendable, Hashable {
    /// How long an unacknowledged envelope is kept (default 30 days).
    public var envelopeTTLMilliseconds: Int64
    /// How long a (sender, client message id) is remembered (default 24 hours).
    public var idempotencyWindowMilliseconds: Int64
    /// How many of a sender's most recent sends are remembered for idempotency, at most
    /// (default 16 384): a repeated `send` is recognized within the last 24 hours *and* among the
    /// sender's last this-many sends. Bounds the memory and the work of the window per sender.
    public var maximumRememberedSendsPerSender: Int
    /// Most envelopes waiting for one recipient; beyond it `send` gets error 402 (default 100 000).
    public var maximumQueuedPerRecipient: Int
    /// Most envelopes in flight (delivered, not acknowledged) on one connection (default 512).
    public var deliveryWindow: Int
    /// Most ciphertext bytes in flight on one connection (default 4 MiB).
    public var deliveryWindowBytes: Int
    /// Receipts held for an offline counterpart, newest kept (default 256).
    public var maximumHeldReceipts: Int

    /// Limits with the defaults above.
    public init(
        envelopeTTLMilliseconds: Int64 = 30 * 86_400_000,
        idempotencyWindowMilliseconds: Int64 = 86_400_000,
        maximumRememberedSendsPerSender: Int = 16_384,
        maximumQueuedPerRecipient: Int = 100_000,
        deliveryWindow: Int = 512,
        deliveryWindowBytes: Int = 4 << 20,
        maximumHeldReceipts: Int = 256
    ) {
        self.envelopeTTLMilliseconds = envelopeTTLMilliseconds
        self.idempotencyWindowMilliseconds = idempotencyWindowMilliseconds
        self.maximumRememberedSendsPerSender = max(1, maximumRememberedSendsPerSender)
        self.maximumQueuedPerRecipient = maximumQueuedPerRecipient
        self.deliveryWindow = deliveryWindow
        self.deliveryWindowBytes = deliveryWindowBytes
        self.maximumHeldReceipts = maximumHeldReceipts
    }
}

/// Running counters of the relay core (the status line, tests, benchmarks).
public struct RelayStatistics: Sendable, Hashable {
    /// Envelopes accepted (not counting repeated sends).
    public var accepted = 0
    /// `send`s answered from the idempotency window.
    public var duplicates = 0
    /// Envelopes dropped because the recipient blocked the sender.
    public var droppedByBlock = 0
    /// Business envelopes refused by the admission policy.
    public var denied = 0
    /// `deliver` frames sent (including retransmissions).
    public var deliveries = 0
    /// Envelopes acknowledged by their recipient.
    public var acknowledged = 0
    /// Envelopes deleted unacknowledged after their TTL.
    public var expired = 0
    /// Registrations.
    public var registrations = 0
    /// Blocks and reports.
    public var blocks = 0, reports = 0
}

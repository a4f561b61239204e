import Transport

/// A ``PseudonymizedEvent`` in 32 bytes, two to a cache line where the batch is 64-byte aligned,
/// for the buffers of a grouped batch (`GroupingBuffers`). Applying a batch business by business
/// reads its events out of arrival order, a cache miss each, and a batch of 2^21 events is
/// written once into memory it may be the first to touch; at 32 bytes an event costs a third of
/// the memory of an unpacked one (88 bytes, straddling two or three lines), half that of the
/// 64-byte packing before. What is not kept here is kept once elsewhere:
///
/// - the business: the position the batch sorts by stands for it, and a business's state does
///   not read it from its events (``BusinessStateEvent``);
/// - the key epoch: one per batch (a batch ends before an event of another epoch enters it);
/// - the previous pseudonym, held only during a key's grace period: in a side buffer at the
///   event's arrival index, written and read only for events that have one (flag bit 7).
///
/// The kind is one word:
///
/// | bits  | meaning                                                                  |
/// | ----- | ------------------------------------------------------------------------ |
/// | 0–2   | the case: 0 message, 1 delivered, 2 read, 3 block, 4 report              |
/// | 7     | a previous pseudonym is held                                             |
/// | 8–15  | the message's direction, or the block's or report's reason (raw value)    |
/// | 16–23 | the message's category (raw value, 0 for none: the raw values start at 1) |
/// | 32–63 | the message's `bytes`, clamped to 0…`IntegrityEvent.maximumBytes`        |
///
/// Everything else round-trips exactly; a size outside the schema's range is the only thing
/// changed by packing, and no business state reads a message's size.
struct PackedEvent {
    let current: Pseudonym
    let time: Int64
    let kind: UInt64

    private static let previousFlag: UInt64 = 0x80

    /// Packs `event` (its business, epoch and previous pseudonym are the caller's to keep).
    @inline(__always)
    init(_ event: PseudonymizedEvent) {
        time = event.time
        current = event.user.current
        let held = event.user.previous == nil ? 0 : Self.previousFlag
        switch event.kind {
        case let .message(direction, bytes, category):
            let size = UInt64(min(max(bytes, 0), IntegrityEvent.maximumBytes))
            kind = size << 32 | UInt64(category?.rawValue ?? 0) << 16 | UInt64(direction.rawValue) << 8 | held
        case .delivered: kind = 1 | held
        case .read: kind = 2 | held
        case let .block(reason): kind = UInt64(reason.rawValue) << 8 | 3 | held
        case let .report(reason): kind = UInt64(reason.rawValue) << 8 | 4 | held
        }
    }

    /// Whether the event had a previous pseudonym (kept in the batch's side buffer).
    @inline(__always)
    var holdsPrevious: Bool { kind & Self.previousFlag != 0 }

    /// The event packed, for its business's state: with the batch's `epoch`, and `previous` where
    /// ``holdsPrevious`` (ignored otherwise).
    @inline(__always)
    func event(epoch: Int64, previous: @autoclosure () -> Pseudonym) -> BusinessEvent {
        let pair = PseudonymPair(current: current, previous: holdsPrevious ? previous() : nil, epoch: epoch)
        return BusinessEvent(time: time, user: pair, kind: unpackedKind)
    }

    private var unpackedKind: IntegrityEvent.Kind {
        let byte1 = UInt8(truncatingIfNeeded: kind >> 8)
        switch kind & 0x7 {
        case 0:
            let category = UInt8(truncatingIfNeeded: kind >> 16)
            return .message(Self.unpacked(byte1), bytes: Int(kind >> 32), category: category == 0 ? nil : Self.unpacked(category))
        case 1: return .delivered
        case 2: return .read
        case 3: return .block(Self.unpacked(byte1))
        default: return .report(Self.unpacked(byte1))
        }
    }

    /// The case of raw value `raw`, which `init` wrote from a case.
    @inline(__always)
    private static func unpacked<Value: RawRepresentable<UInt8>>(_ raw: UInt8) -> Value {
        guard let value = Value(rawValue: raw) else { preconditionFailure("a packed event holds \(raw), not a \(Value.self)") }
        return value
    }
}

/// What a business's own state reads of an event: its time, the consumer's pseudonyms and what
/// happened. A ``PseudonymizedEvent`` is one; so is a ``BusinessEvent``, which a grouped batch
/// unpacks without the business (the position it is applied at stands for it).
protocol BusinessStateEvent {
    /// Event time, ms since the Unix epoch.
    var time: Int64 { get }
    /// The consumer's pseudonyms.
    var user: PseudonymPair { get }
    /// What happened.
    var kind: IntegrityEvent.Kind { get }
}

extension PseudonymizedEvent: BusinessStateEvent {}

/// An event of a grouped batch as its business's state takes it: a ``PseudonymizedEvent``
/// without the business.
struct BusinessEvent: BusinessStateEvent, Hashable {
    let time: Int64
    let user: PseudonymPair
    let kind: IntegrityEvent.Kind
}

extension BusinessEvent {
    /// The business part of `event`.
    init(_ event: PseudonymizedEvent) {
        self.init(time: event.time, user: event.user, kind: event.kind)
    }
}

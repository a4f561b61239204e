import Transport

/// A ``PseudonymizedEvent`` in 64 bytes — one cache line where the batch is 64-byte aligned — for
/// the buffers of a grouped batch (`GroupingBuffers`). Applying a batch business by business reads
/// its events out of arrival order, one cache miss each: unpacked (88 bytes, straddling two or
/// three lines) an event costs twice the misses. The absent previous pseudonym is stored as zero
/// words with a flag, and the kind as one word:
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
    let time: Int64
    let business: PhoneNumber
    let current: Pseudonym
    let previous: Pseudonym
    let epoch: Int64
    let kind: UInt64

    private static let previousFlag: UInt64 = 0x80

    /// Packs `event`.
    @inline(__always)
    init(_ event: PseudonymizedEvent) {
        time = event.time
        business = event.business
        current = event.user.current
        previous = event.user.previous ?? Pseudonym(first: 0, second: 0)
        epoch = event.user.epoch
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

    /// The event packed.
    @inline(__always)
    var event: PseudonymizedEvent {
        let pair = PseudonymPair(current: current, previous: kind & Self.previousFlag != 0 ? previous : nil, epoch: epoch)
        return PseudonymizedEvent(time: time, business: business, user: pair, kind: unpackedKind)
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

/// A relay metadata event in the integrity analyzer's event schema (issue 6, one JSON object per
/// line), which is also the relay tap's format:
///
/// ```
/// {"t":…,"kind":"message","business":"+…","user":"+…","dir":"b2u"|"u2b","bytes":512,"category":"marketing"}
/// {"t":…,"kind":"delivered"|"read","business":"+…","user":"+…"}
/// {"t":…,"kind":"block","business":"+…","user":"+…","reason":"spam"}
/// {"t":…,"kind":"report","business":"+…","user":"+…","reason":"scam"}
/// ```
///
/// The schema is about businesses and their users, so it needs to know which numbers are
/// businesses: a ``BusinessDirectory`` learns them from business-kind envelopes (and may be
/// seeded). Events between two consumers, control traffic and receipts about consumer messages
/// have no line (`nil`); blocks and reports always do — the blocked or reported number is the
/// "business" they are about. `bytes` is the size bucket's upper bound, never the exact length.
public enum TapEvent {
    /// The JSON line (without newline) for `event`, or nil when the schema has no line for it.
    /// Learns businesses into `directory`.
    public static func line(for event: MetadataEvent, directory: inout BusinessDirectory) -> String? {
        switch event.kind {
        case let .envelope(sender, recipient, kind, size, _):
            switch kind {
            case let .business(category):
                directory.insert(sender)
                return #"{"t":\#(event.time),"kind":"message","business":"\#(sender)","user":"\#(recipient)","dir":"b2u","bytes":\#(size.upperBound),"category":"\#(category)"}"#
            case .user where directory.contains(recipient) && !directory.contains(sender):
                return #"{"t":\#(event.time),"kind":"message","business":"\#(recipient)","user":"\#(sender)","dir":"u2b","bytes":\#(size.upperBound)}"#
            case .user where directory.contains(sender) && !directory.contains(recipient):
                return #"{"t":\#(event.time),"kind":"message","business":"\#(sender)","user":"\#(recipient)","dir":"b2u","bytes":\#(size.upperBound)}"#
            case .user, .control:
                return nil
            }
        case let .receipt(kind, from, to, count):
            guard directory.contains(to), !directory.contains(from), count > 0 else { return nil }
            let line = #"{"t":\#(event.time),"kind":"\#(kind)","business":"\#(to)","user":"\#(from)"}"#
            return count == 1 ? line : Array(repeating: line, count: count).joined(separator: "\n")
        case let .block(blocker, blocked, reason):
            return #"{"t":\#(event.time),"kind":"block","business":"\#(blocked)","user":"\#(blocker)","reason":"\#(reason)"}"#
        case let .report(reporter, business, reason, _):
            return #"{"t":\#(event.time),"kind":"report","business":"\#(business)","user":"\#(reporter)","reason":"\#(reason)"}"#
        }
    }
}

/// The numbers known to be businesses: learned from business-kind envelopes, optionally seeded.
public struct BusinessDirectory: Sendable {
    private var numbers: Set<PhoneNumber>

    /// A directory holding `numbers`.
    public init(_ numbers: some Sequence<PhoneNumber> = []) {
        self.numbers = Set(numbers)
    }

    /// Whether `number` is a known business.
    public func contains(_ number: PhoneNumber) -> Bool { numbers.contains(number) }

    /// Records `number` as a business.
    public mutating func insert(_ number: PhoneNumber) { numbers.insert(number) }

    /// How many businesses are known.
    public var count: Int { numbers.count }
}

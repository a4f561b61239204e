public import Transport

extension IntegrityEvent {
    /// The schema's event for a relay `MetadataEvent` — the same mapping the relay's JSONL tap
    /// (`TapEvent`) writes, so the analyzer sees identical events on the live tap and on a replayed
    /// file — and how many times it happened (a receipt frame may acknowledge several envelopes),
    /// or `nil` when the schema has no event for it.
    ///
    /// Business-kind envelopes teach `directory` their sender. Messages between two consumers,
    /// control traffic and receipts about consumer messages have no event; blocks and reports
    /// always do (the blocked or reported number is the business they are about). A block or report
    /// a number files against itself has none either (the schema requires two parties).
    public static func converting(
        _ metadata: MetadataEvent, directory: inout BusinessDirectory
    ) -> (event: IntegrityEvent, count: Int)? {
        let time = metadata.time
        switch metadata.kind {
        case let .envelope(sender, recipient, kind, size, _):
            switch kind {
            case let .business(category):
                directory.insert(sender)
                guard sender != recipient else { return nil }
                return (IntegrityEvent(time: time, business: sender, user: recipient,
                                       kind: .message(.businessToUser, bytes: size.upperBound, category: category)), 1)
            case .user where directory.contains(recipient) && !directory.contains(sender):
                return (IntegrityEvent(time: time, business: recipient, user: sender,
                                       kind: .message(.userToBusiness, bytes: size.upperBound, category: nil)), 1)
            case .user where directory.contains(sender) && !directory.contains(recipient):
                return (IntegrityEvent(time: time, business: sender, user: recipient,
                                       kind: .message(.businessToUser, bytes: size.upperBound, category: nil)), 1)
            case .user, .control:
                return nil
            }
        case let .receipt(kind, from, to, count):
            guard directory.contains(to), !directory.contains(from), count > 0 else { return nil }
            return (IntegrityEvent(time: time, business: to, user: from, kind: kind == .delivered ? .delivered : .read), count)
        case let .block(blocker, blocked, reason):
            guard blocker != blocked else { return nil }
            return (IntegrityEvent(time: time, business: blocked, user: blocker, kind: .block(reason)), 1)
        case let .report(reporter, business, reason, _):
            guard reporter != business else { return nil }
            return (IntegrityEvent(time: time, business: business, user: reporter, kind: .report(reason)), 1)
        }
    }
}

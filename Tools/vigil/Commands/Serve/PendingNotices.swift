import Transport

/// Integrity notices waiting for their business to be online, bounded: at most
/// ``perBusiness`` per number (the oldest is dropped — a later notice carries the whole standing
/// again) and ``businessLimit`` numbers (a new number beyond it is dropped and counted).
struct PendingNotices {
    static let perBusiness = 32
    static let businessLimit = 10_000

    private var queues: [PhoneNumber: [String]] = [:]
    /// Notices dropped by the bounds.
    private(set) var dropped = 0
    /// Notices delivered.
    private(set) var delivered = 0

    var isEmpty: Bool { queues.isEmpty }
    /// Notices waiting.
    var count: Int { queues.values.reduce(0) { $0 + $1.count } }

    mutating func append(_ text: String, for business: PhoneNumber) {
        if queues[business] == nil, queues.count >= Self.businessLimit {
            dropped += 1
            return
        }
        queues[business, default: []].append(text)
        if let count = queues[business]?.count, count > Self.perBusiness {
            queues[business]?.removeFirst(count - Self.perBusiness)
            dropped += count - Self.perBusiness
        }
    }

    /// Hands each business's notices (only `businesses`' when given), in order, to `send` until
    /// it returns false for one (the business is offline); what was sent is forgotten.
    mutating func deliver(only businesses: [PhoneNumber]? = nil, _ send: (PhoneNumber, String) -> Bool) {
        for business in businesses ?? Array(queues.keys) {
            guard let texts = queues[business] else { continue }
            var sent = 0
            while sent < texts.count, send(business, texts[sent]) { sent += 1 }
            delivered += sent
            if sent == texts.count {
                queues[business] = nil
            } else if sent > 0 {
                queues[business]?.removeFirst(sent)
            }
        }
    }
}

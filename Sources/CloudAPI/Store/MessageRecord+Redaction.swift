extension MessageRecord: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The record without its numbers or content, safe for logs: id, phone-number id, direction,
    /// kind, time, payload size and delivery state.
    public var description: String {
        "MessageRecord(id: \(id), phoneNumberID: \(businessPhoneNumberID), \(direction), kind: \(kind), "
            + "time: \(time), business: <redacted>, consumer: <redacted>, payload: \(payload.count) bytes, "
            + "status: \(delivery.status), webhook: \(delivery.webhookDelivered ? "delivered" : "pending") "
            + "after \(delivery.webhookAttempts) attempts, next at \(delivery.nextAttemptAt))"
    }

    /// The same as ``description``: debug output redacts too.
    public var debugDescription: String { description }

    /// A mirror without the numbers or the payload, so `dump(record)` leaks neither.
    public var customMirror: Mirror {
        Mirror(self, children: [
            "id": id,
            "businessPhoneNumberID": businessPhoneNumberID,
            "business": "<redacted>",
            "consumer": "<redacted>",
            "direction": direction,
            "time": time,
            "kind": kind,
            "payload": "<\(payload.count) bytes redacted>",
            "delivery": delivery,
        ], displayStyle: .struct)
    }
}

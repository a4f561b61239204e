/// Receives every `MetadataEvent` the relay produces, on the relay's event-loop thread; the
/// integrity analyzer implements it (as Signal-Server's spam-filter interfaces are implemented
/// outside the server). Must not block: buffer and hand off if work is slow.
public protocol MetadataSink: AnyObject {
    /// One event, in the order the relay observed them.
    func record(_ event: MetadataEvent)
    /// Called at the end of each event-loop turn, after the turn's group commit (flush here).
    func flush()
}

extension MetadataSink {
    /// By default nothing is buffered.
    public func flush() {}
}

/// Decides, before the relay accepts it, whether a business-originated envelope may be sent now —
/// the hook for messaging limits and quality-rating enforcement.
public protocol AdmissionPolicy: AnyObject {
    /// The decision for `sender` (a business) messaging `recipient` with `category` at `time`.
    func admit(sender: PhoneNumber, recipient: PhoneNumber, category: MessageCategory, time: Int64) -> AdmissionDecision
}

/// An admission policy's answer.
public enum AdmissionDecision: Sendable, Hashable {
    /// Accept the envelope.
    case allow
    /// Refuse it; the sender gets an error frame with this code and text.
    case deny(code: WireErrorCode, text: String)
}

/// The default policy: every envelope is admitted.
public final class AllowAllPolicy: AdmissionPolicy {
    /// Creates the policy.
    public init() {}

    /// Always `.allow`.
    public func admit(sender: PhoneNumber, recipient: PhoneNumber, category: MessageCategory, time: Int64) -> AdmissionDecision {
        .allow
    }
}

/// A sink that keeps events in memory (tests, the demo).
public final class CollectingSink: MetadataSink {
    /// Every event recorded so far.
    public private(set) var events: [MetadataEvent] = []

    /// Creates an empty sink.
    public init() {}

    /// Appends `event`.
    public func record(_ event: MetadataEvent) { events.append(event) }
}

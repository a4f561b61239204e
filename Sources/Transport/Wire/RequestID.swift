/// The correlation id in every frame's header: a reply, or the `error` that refuses a frame, echoes
/// the id of the frame it answers. Chosen by the sender of a request; never interpreted by the relay.
public struct RequestID: RawRepresentable, Sendable, Hashable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    /// The id as carried on the wire.
    public let rawValue: UInt32

    /// Wraps a raw id.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// A literal id, for tests and fixed ids.
    public init(integerLiteral value: UInt32) { self.rawValue = value }

    /// Id 0: carried by frames that expect no reply and by the relay's unsolicited frames.
    public static let zero = RequestID(rawValue: 0)

    /// `#` and the decimal id.
    public var description: String { "#\(rawValue)" }
}

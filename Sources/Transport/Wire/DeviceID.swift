/// The installation id a client chooses at registration (a `u32`, never 0).
public struct DeviceID: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// The id as carried on the wire; never 0.
    public let rawValue: UInt32

    /// Wraps a raw id; `nil` for 0, which the protocol reserves.
    public init?(rawValue: UInt32) {
        guard rawValue != 0 else { return nil }
        self.rawValue = rawValue
    }

    /// `device ` and the decimal id.
    public var description: String { "device \(rawValue)" }
}

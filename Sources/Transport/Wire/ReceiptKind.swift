/// Which receipt a `receipt` frame carries.
public enum ReceiptKind: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// The envelopes reached the recipient's device.
    case delivered = 1
    /// The recipient displayed them.
    case read = 2

    /// The name used in docs/wire.md.
    public var description: String { self == .delivered ? "delivered" : "read" }
}

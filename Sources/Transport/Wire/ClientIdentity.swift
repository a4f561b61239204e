/// Who is on the other end of a relay connection: the number and device it registered or said hello as.
public struct ClientIdentity: Sendable, Hashable, CustomStringConvertible {
    /// The client's phone number.
    public var phone: PhoneNumber
    /// The client's installation.
    public var device: DeviceID

    /// Pairs a number with a device.
    public init(phone: PhoneNumber, device: DeviceID) {
        self.phone = phone
        self.device = device
    }

    /// `+14155550100/device 1`.
    public var description: String { "\(phone)/\(device)" }
}

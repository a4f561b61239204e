/// Everything the relay core needs to resume after a restart, as loaded by `RelayStore`.
public struct RelaySnapshot: Sendable {
    /// A registered number.
    public struct Registration: Sendable, Equatable {
        /// The number's current device.
        public var device: DeviceID
        /// The digest of the device's token (the token itself is never kept).
        public var tokenDigest: TokenDigest

        /// Creates a registration.
        public init(device: DeviceID, tokenDigest: TokenDigest) {
            self.device = device
            self.tokenDigest = tokenDigest
        }
    }

    /// Registered numbers.
    public var registrations: [PhoneNumber: Registration] = [:]
    /// Stored prekey bundles per owner, oldest first, with their sequence numbers.
    public var preKeys: [PhoneNumber: [(sequence: Int64, bundle: [UInt8])]] = [:]
    /// Envelopes and tombstones in acceptance (sequence) order.
    public var envelopes: [StoredEnvelope] = []
    /// The lowest sequence number the next envelope may take: above every sequence number the
    /// store has ever held, deleted rows included (the core also stays above `envelopes`).
    public var nextSequence: UInt64 = 1
    /// Who blocked whom.
    public var blocks: [PhoneNumber: Set<PhoneNumber>] = [:]

    /// An empty relay.
    public init() {}
}

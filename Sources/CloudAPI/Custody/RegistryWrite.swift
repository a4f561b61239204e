/// What a queued registry write is, for an owner that orders commits across files: the record it
/// replaces (`key`: a session, a business's keys or its account fields — a later write with the
/// same key replaces the whole record) and whether it must follow the durability of message
/// records written with it (`followsRecords`: a session or keys advanced by an inbound message).
public struct RegistryWrite: Hashable, Sendable {
    /// The replaced record: `session/{id}/{peer}`, `keys/{id}` or `account/{id}` (in memory only).
    public let key: String
    /// Whether it may reach the disk only after the records written with it.
    public let followsRecords: Bool

    /// A write's description.
    public init(key: String, followsRecords: Bool) {
        self.key = key
        self.followsRecords = followsRecords
    }
}

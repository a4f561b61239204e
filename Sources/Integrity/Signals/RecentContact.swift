/// What a business's 24-hour table keeps about one user (12 bytes): when the business last wrote
/// to them, when that last counted as business-initiated, when they last wrote to the business,
/// and two facts about the current run of messages to them.
struct RecentContact: SampledTableEntry {
    /// The user's fingerprint (0: empty slot).
    var fingerprint: UInt32
    /// Tick of the last business-to-user message.
    var outbound: UInt16 = 0
    /// Tick of the last business-to-user message sent outside a customer-service window.
    var initiated: UInt16 = 0
    /// Tick of the last user-to-business message.
    var inbound: UInt16 = 0
    /// Bits 0–5 rank, 6 parity, 7–9 whether outbound / initiated / inbound are set, 10 replied,
    /// 11 cold.
    var meta: UInt16

    private static let rankMask: UInt16 = 0x3f
    private static let parityBit: UInt16 = 1 << 6
    private static let outboundBit: UInt16 = 1 << 7
    private static let initiatedBit: UInt16 = 1 << 8
    private static let inboundBit: UInt16 = 1 << 9
    private static let repliedBit: UInt16 = 1 << 10
    private static let coldBit: UInt16 = 1 << 11

    static var empty: RecentContact { RecentContact(fingerprint: 0, rank: 0, parity: 0) }

    /// A new entry with no times set.
    init(fingerprint: UInt32, rank: Int, parity: UInt8) {
        self.fingerprint = fingerprint
        meta = UInt16(min(rank, 63)) | (parity & 1 == 1 ? Self.parityBit : 0)
    }

    var rank: Int { Int(meta & Self.rankMask) }
    var parity: UInt8 { meta & Self.parityBit != 0 ? 1 : 0 }

    /// Whether the user has written back since the current run of business messages began.
    var replied: Bool {
        get { meta & Self.repliedBit != 0 }
        set { set(Self.repliedBit, newValue) }
    }

    /// Whether the user had never written to the business when the current run began.
    var cold: Bool {
        get { meta & Self.coldBit != 0 }
        set { set(Self.coldBit, newValue) }
    }

    /// Ticks since the last business message, or nil if none is remembered.
    @inline(__always)
    func outboundAge(now: Int64) -> Int? { meta & Self.outboundBit != 0 ? TimeTicks.age(outbound, now: now) : nil }

    /// Ticks since the last business-initiated message, or nil.
    @inline(__always)
    func initiatedAge(now: Int64) -> Int? { meta & Self.initiatedBit != 0 ? TimeTicks.age(initiated, now: now) : nil }

    /// Ticks since the user last wrote, or nil.
    @inline(__always)
    func inboundAge(now: Int64) -> Int? { meta & Self.inboundBit != 0 ? TimeTicks.age(inbound, now: now) : nil }

    /// Whether the business wrote to the user in the 24 hours up to `now`.
    @inline(__always)
    func isRecipient(now: Int64) -> Bool { (outboundAge(now: now) ?? .max) < TimeTicks.day }

    /// Whether the user is counted as business-initiated in the 24 hours up to `now`.
    @inline(__always)
    func isInitiated(now: Int64) -> Bool { (initiatedAge(now: now) ?? .max) < TimeTicks.day }

    /// Whether the user wrote in the 24 hours up to `now` (a customer-service window is open).
    @inline(__always)
    func isRecentWriter(now: Int64) -> Bool { (inboundAge(now: now) ?? .max) < TimeTicks.day }

    mutating func setOutbound(_ tick: Int64) {
        outbound = TimeTicks.stored(tick)
        meta |= Self.outboundBit
    }

    mutating func setInitiated(_ tick: Int64) {
        initiated = TimeTicks.stored(tick)
        meta |= Self.initiatedBit
    }

    mutating func setInbound(_ tick: Int64) {
        inbound = TimeTicks.stored(tick)
        meta |= Self.inboundBit
    }

    /// Moves the entry to another pseudonym (after a key rotation).
    mutating func rekey(fingerprint: UInt32, rank: Int, parity: UInt8) {
        self.fingerprint = fingerprint
        meta = (meta & ~(Self.rankMask | Self.parityBit)) | UInt16(min(rank, 63)) | (parity & 1 == 1 ? Self.parityBit : 0)
    }

    /// Clears times older than 24 hours; returns whether anything is left.
    mutating func expire(now: Int64) -> Bool {
        if !isRecipient(now: now) { meta &= ~(Self.outboundBit | Self.repliedBit | Self.coldBit) }
        if !isInitiated(now: now) { meta &= ~Self.initiatedBit }
        if !isRecentWriter(now: now) { meta &= ~Self.inboundBit }
        return meta & (Self.outboundBit | Self.initiatedBit | Self.inboundBit) != 0
    }

    /// Whether any time is still inside 24 hours.
    func isLive(now: Int64) -> Bool {
        isRecipient(now: now) || isInitiated(now: now) || isRecentWriter(now: now)
    }

    private mutating func set(_ bit: UInt16, _ on: Bool) {
        if on { meta |= bit } else { meta &= ~bit }
    }
}

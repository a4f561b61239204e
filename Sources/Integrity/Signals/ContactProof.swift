import Transport

/// What a business's 7-day table keeps about one user (12 bytes): when the business last had a
/// message delivered to them — the proof of contact that makes their block or report count — and
/// the block and report counted from them, with reasons.
struct ContactProof: SampledTableEntry {
    /// The user's fingerprint (0: empty slot).
    var fingerprint: UInt32
    /// Tick of the last delivered receipt from the user.
    var delivered: UInt16 = 0
    /// Tick of the block counted from the user.
    var blocked: UInt16 = 0
    /// Tick of the report counted from the user.
    var reported: UInt16 = 0
    /// Bits 0–5 rank, 6 parity, 7–9 whether delivered / blocked / reported are set, 10–12 the
    /// block reason, 13–15 the report reason.
    var meta: UInt16

    private static let rankMask: UInt16 = 0x3f
    private static let parityBit: UInt16 = 1 << 6
    private static let deliveredBit: UInt16 = 1 << 7
    private static let blockedBit: UInt16 = 1 << 8
    private static let reportedBit: UInt16 = 1 << 9

    static var empty: ContactProof { ContactProof(fingerprint: 0, rank: 0, parity: 0) }

    /// A new entry with no times set.
    init(fingerprint: UInt32, rank: Int, parity: UInt8) {
        self.fingerprint = fingerprint
        meta = UInt16(min(rank, 63)) | (parity & 1 == 1 ? Self.parityBit : 0)
    }

    var rank: Int { Int(meta & Self.rankMask) }
    var parity: UInt8 { meta & Self.parityBit != 0 ? 1 : 0 }

    /// Ticks since the last delivery, or nil.
    @inline(__always)
    func deliveredAge(now: Int64) -> Int? { meta & Self.deliveredBit != 0 ? TimeTicks.age(delivered, now: now) : nil }

    /// Ticks since the counted block, or nil.
    @inline(__always)
    func blockedAge(now: Int64) -> Int? { meta & Self.blockedBit != 0 ? TimeTicks.age(blocked, now: now) : nil }

    /// Ticks since the counted report, or nil.
    @inline(__always)
    func reportedAge(now: Int64) -> Int? { meta & Self.reportedBit != 0 ? TimeTicks.age(reported, now: now) : nil }

    /// Whether a delivery in the last 7 days proves contact.
    @inline(__always)
    func hasProofOfContact(now: Int64) -> Bool { (deliveredAge(now: now) ?? .max) < TimeTicks.week }

    /// The reason of the counted block.
    var blockReason: BlockReason { BlockReason(rawValue: UInt8(meta >> 10 & 7)) ?? .noReason }

    /// The reason of the counted report.
    var reportReason: ReportReason { ReportReason(rawValue: UInt8(meta >> 13 & 7)) ?? .other }

    mutating func setDelivered(_ tick: Int64) {
        delivered = TimeTicks.stored(tick)
        meta |= Self.deliveredBit
    }

    mutating func setBlocked(_ tick: Int64, reason: BlockReason) {
        blocked = TimeTicks.stored(tick)
        meta = (meta & ~(7 << 10)) | Self.blockedBit | UInt16(reason.rawValue & 7) << 10
    }

    mutating func setReported(_ tick: Int64, reason: ReportReason) {
        reported = TimeTicks.stored(tick)
        meta = (meta & ~(7 << 13)) | Self.reportedBit | UInt16(reason.rawValue & 7) << 13
    }

    /// Moves the entry to another pseudonym (after a key rotation).
    mutating func rekey(fingerprint: UInt32, rank: Int, parity: UInt8) {
        self.fingerprint = fingerprint
        meta = (meta & ~(Self.rankMask | Self.parityBit)) | UInt16(min(rank, 63)) | (parity & 1 == 1 ? Self.parityBit : 0)
    }

    /// Clears times older than 7 days; returns whether anything is left.
    mutating func expire(now: Int64) -> Bool {
        if (deliveredAge(now: now) ?? .max) >= TimeTicks.week { meta &= ~Self.deliveredBit }
        if (blockedAge(now: now) ?? .max) >= TimeTicks.week { meta &= ~Self.blockedBit }
        if (reportedAge(now: now) ?? .max) >= TimeTicks.week { meta &= ~Self.reportedBit }
        return meta & (Self.deliveredBit | Self.blockedBit | Self.reportedBit) != 0
    }

    /// Whether any time is still inside 7 days.
    func isLive(now: Int64) -> Bool {
        hasProofOfContact(now: now) || (blockedAge(now: now) ?? .max) < TimeTicks.week
            || (reportedAge(now: now) ?? .max) < TimeTicks.week
    }
}

import Transport

// After the closing brace: required keys, keys the kind does not carry, reasons by kind.
extension EventLineCursor {
    func resolve(_ fields: Fields) throws(EventLineError) -> IntegrityEvent {
        try require(EventField.time.bit | EventField.kind.bit | EventField.business.bit | EventField.user.bit, in: fields)
        // `has` guarantees both numbers were parsed.
        guard let business = fields.business, let user = fields.user else {
            throw error(.missingField(fields.business == nil ? "business" : "user"), column: 0)
        }
        guard business != user else { throw error(.sameNumber, column: fields.column(of: .user)) }
        let kind: IntegrityEvent.Kind
        switch fields.kind {
        case EventTokens.message:
            try forbid(EventField.reason.bit, in: fields, context: "a message")
            try require(EventField.direction.bit | EventField.bytes.bit, in: fields)
            if fields.direction == .userToBusiness {
                try forbid(EventField.category.bit, in: fields, context: "a u2b message")
            }
            kind = .message(fields.direction, bytes: fields.bytes, category: fields.category)
        case EventTokens.delivered, EventTokens.read:
            let name = fields.kind == EventTokens.read ? "a read receipt" : "a delivered receipt"
            try forbid(Self.messageOnly | EventField.reason.bit, in: fields, context: name)
            kind = fields.kind == EventTokens.read ? .read : .delivered
        case EventTokens.block:
            try forbid(Self.messageOnly, in: fields, context: "a block")
            guard fields.has(.reason) else { throw error(.missingField("reason"), column: 0) }
            guard let reason = Self.blockReason(fields.reason) else {
                throw error(.unknownReason(kind: "block"), column: fields.column(of: .reason))
            }
            kind = .block(reason)
        case EventTokens.report:
            try forbid(Self.messageOnly, in: fields, context: "a report")
            guard fields.has(.reason) else { throw error(.missingField("reason"), column: 0) }
            guard let reason = Self.reportReason(fields.reason) else {
                throw error(.unknownReason(kind: "report"), column: fields.column(of: .reason))
            }
            kind = .report(reason)
        default:
            throw error(.unknownKind, column: fields.column(of: .kind))
        }
        return IntegrityEvent(time: fields.time, business: business, user: user, kind: kind)
    }

    /// The keys only a message carries.
    private static let messageOnly = EventField.direction.bit | EventField.bytes.bit | EventField.category.bit

    /// Fails on the first key of `mask` that the object has.
    private func forbid(_ mask: UInt16, in fields: Fields, context: String) throws(EventLineError) {
        let present = fields.seen & mask
        guard present != 0, let field = EventField(rawValue: present.trailingZeroBitCount) else { return }
        throw error(.fieldNotAllowed(field.name, context: context), column: fields.column(of: field))
    }

    /// Fails on the first key of `mask` that the object lacks.
    private func require(_ mask: UInt16, in fields: Fields) throws(EventLineError) {
        let missing = mask & ~fields.seen
        guard missing != 0, let field = EventField(rawValue: missing.trailingZeroBitCount) else { return }
        throw error(.missingField(field.name), column: 0)
    }

    static func blockReason(_ text: ScannedString) -> BlockReason? {
        switch text {
        case EventTokens.spam: .spam
        case EventTokens.didntSignUp: .didntSignUp
        case EventTokens.offensive: .offensive
        case EventTokens.noLongerNeeded: .noLongerNeeded
        case EventTokens.noReason: .noReason
        default: nil
        }
    }

    static func reportReason(_ text: ScannedString) -> ReportReason? {
        switch text {
        case EventTokens.spam: .spam
        case EventTokens.scam: .scam
        case EventTokens.offensive: .offensive
        case EventTokens.other: .other
        default: nil
        }
    }
}

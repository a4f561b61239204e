/// Body parsing, one case per frame type, in docs/wire.md's field order.
extension FrameDecoder {
    /// Parses a complete body; the reader's end is the frame's end, so trailing bytes are an error.
    static func parseBody(of type: FrameType, from reader: inout FrameBodyReader) throws(WireError) -> Frame {
        let frame: Frame
        switch type {
        case .register:
            frame = .register(phone: try reader.readPhone("phone"), device: try reader.readDevice())
        case .hello:
            frame = .hello(phone: try reader.readPhone("phone"), device: try reader.readDevice(), token: try reader.readToken())
        case .publishPreKeys:
            let start = reader.offsetInFrame
            let count = Int(try reader.readUInt16("bundle count"))
            guard (1...WireFormat.maximumBundleCount).contains(count) else {
                throw reader.invalid("bundle count", "\(count) not in 1…\(WireFormat.maximumBundleCount)", at: start)
            }
            var bundles: [[UInt8]] = []
            bundles.reserveCapacity(count)
            for _ in 0..<count {
                bundles.append(try reader.readOpaque("bundle", long: false, limit: WireFormat.maximumBundleLength))
            }
            frame = .publishPreKeys(bundles: bundles)
        case .fetchPreKeys:
            frame = .fetchPreKeys(owner: try reader.readPhone("owner"))
        case .send:
            frame = .send(OutgoingEnvelope(
                recipient: try reader.readPhone("recipient"),
                clientMessageID: try reader.readUInt64("client message id"),
                kind: try reader.readKind(),
                ciphertext: try reader.readOpaque("ciphertext", long: true, limit: WireFormat.maximumCiphertextLength)
            ))
        case .ack:
            frame = .ack(envelopeIDs: try reader.readEnvelopeIDs())
        case .block:
            frame = .block(blocked: try reader.readPhone("blocked"), reason: try reader.readEnum(BlockReason.self, "block reason"))
        case .report:
            let business = try reader.readPhone("business")
            let reason = try reader.readEnum(ReportReason.self, "report reason")
            let flagOffset = reader.offsetInFrame
            let envelopeID: EnvelopeID?
            switch try reader.readUInt8("has envelope") {
            case 0: envelopeID = nil
            case 1: envelopeID = try reader.readEnvelopeID("envelope id")
            case let flag: throw reader.invalid("has envelope", "flag \(flag) is neither 0 nor 1", at: flagOffset)
            }
            frame = .report(SpamReport(business: business, reason: reason, envelopeID: envelopeID))
        case .receipt:
            frame = .receipt(Receipt(
                kind: try reader.readEnum(ReceiptKind.self, "receipt kind"),
                counterpart: try reader.readPhone("counterpart"),
                envelopeIDs: try reader.readEnvelopeIDs()
            ))
        case .error:
            frame = .error(code: WireErrorCode(rawValue: try reader.readUInt16("error code")), message: try reader.readText("error text"))
        case .ping:
            frame = .ping(nonce: try reader.readUInt64("nonce"))
        case .pong:
            frame = .pong(nonce: try reader.readUInt64("nonce"))
        case .registered:
            frame = .registered(token: try reader.readToken())
        case .welcome:
            frame = .welcome
        case .preKeyBundle:
            frame = .preKeyBundle(
                owner: try reader.readPhone("owner"),
                bundle: try reader.readOpaque("bundle", long: false, limit: WireFormat.maximumBundleLength)
            )
        case .accepted:
            frame = .accepted(
                clientMessageID: try reader.readUInt64("client message id"),
                envelopeID: try reader.readEnvelopeID("envelope id"),
                serverTimeMilliseconds: try reader.readUInt64("time")
            )
        case .deliver:
            frame = .deliver(DeliveredEnvelope(
                id: try reader.readEnvelopeID("envelope id"),
                sender: try reader.readPhone("sender"),
                serverTimeMilliseconds: try reader.readUInt64("time"),
                kind: try reader.readKind(),
                ciphertext: try reader.readOpaque("ciphertext", long: true, limit: WireFormat.maximumCiphertextLength)
            ))
        case .ok:
            frame = .ok
        case .notice:
            frame = .notice(kind: try reader.readEnum(NoticeKind.self, "notice kind"),
                            text: try reader.readText("notice text", limit: WireFormat.maximumNoticeTextLength))
        }
        try reader.expectEnd()
        return frame
    }
}

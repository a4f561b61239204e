/// Body validation, sizing and writing, one `switch` each, in docs/wire.md's field order.
extension FrameEncoder {
    /// The body's length; throws for any field outside the wire's limits.
    static func validatedBodyLength(of frame: Frame) throws(WireError) -> Int {
        let type = frame.type.rawValue
        func check(_ valid: Bool, _ field: String, _ why: @autoclosure () -> String) throws(WireError) {
            if !valid { throw WireError(.invalidField(field: field, reason: why()), frameType: type) }
        }
        func checkCount(_ count: Int, _ field: String, limit: Int) throws(WireError) {
            try check((1...limit).contains(count), field, "count \(count) not in 1…\(limit)")
        }
        func phone(_ phone: PhoneNumber) -> Int { 2 + phone.digitCount }
        let token = RelayToken.byteCount
        let id = EnvelopeID.byteCount

        switch frame {
        case let .register(number, _):
            return phone(number) + 4
        case let .hello(number, _, _):
            return phone(number) + 4 + token
        case let .publishPreKeys(bundles):
            try checkCount(bundles.count, "bundles", limit: WireFormat.maximumBundleCount)
            var length = 2
            for bundle in bundles {
                try checkCount(bundle.count, "bundle length", limit: WireFormat.maximumBundleLength)
                length += 2 + bundle.count
            }
            return length
        case let .fetchPreKeys(owner):
            return phone(owner)
        case let .send(envelope):
            try checkCount(envelope.ciphertext.count, "ciphertext length", limit: WireFormat.maximumCiphertextLength)
            return phone(envelope.recipient) + 8 + 2 + 4 + envelope.ciphertext.count
        case let .ack(ids):
            try checkCount(ids.count, "envelope ids", limit: WireFormat.maximumEnvelopeIDCount)
            return 2 + ids.count * id
        case let .block(blocked, _):
            return phone(blocked) + 1
        case let .report(report):
            return phone(report.business) + 2 + (report.envelopeID == nil ? 0 : id)
        case let .receipt(receipt):
            try checkCount(receipt.envelopeIDs.count, "envelope ids", limit: WireFormat.maximumEnvelopeIDCount)
            return 1 + phone(receipt.counterpart) + 2 + receipt.envelopeIDs.count * id
        case let .error(_, message):
            let length = message.utf8.count
            try check(length <= WireFormat.maximumErrorTextLength, "error text",
                      "\(length) UTF-8 bytes, more than \(WireFormat.maximumErrorTextLength)")
            return 2 + 2 + length
        case .ping, .pong:
            return 8
        case .registered:
            return token
        case .welcome, .ok:
            return 0
        case let .preKeyBundle(owner, bundle):
            try checkCount(bundle.count, "bundle length", limit: WireFormat.maximumBundleLength)
            return phone(owner) + 2 + bundle.count
        case .accepted:
            return 8 + id + 8
        case let .deliver(envelope):
            try checkCount(envelope.ciphertext.count, "ciphertext length", limit: WireFormat.maximumCiphertextLength)
            return id + phone(envelope.sender) + 8 + 2 + 4 + envelope.ciphertext.count
        case let .notice(_, text):
            let length = text.utf8.count
            try check(length <= WireFormat.maximumNoticeTextLength, "notice text",
                      "\(length) UTF-8 bytes, more than \(WireFormat.maximumNoticeTextLength)")
            return 1 + 2 + length
        }
    }

    /// Writes a validated frame's body.
    static func writeBody(of frame: Frame, to writer: inout FrameWriter) {
        switch frame {
        case let .register(phone, device):
            writer.write(phone)
            writer.write(device)
        case let .hello(phone, device, token):
            writer.write(phone)
            writer.write(device)
            writer.write(token)
        case let .publishPreKeys(bundles):
            writer.write(UInt16(truncatingIfNeeded: bundles.count))
            for bundle in bundles { writer.writeShortOpaque(bundle) }
        case let .fetchPreKeys(owner):
            writer.write(owner)
        case let .send(envelope):
            writer.write(envelope.recipient)
            writer.write(envelope.clientMessageID)
            writer.write(envelope.kind)
            writer.writeLongOpaque(envelope.ciphertext)
        case let .ack(ids):
            writer.write(ids)
        case let .block(blocked, reason):
            writer.write(blocked)
            writer.write(reason.rawValue)
        case let .report(report):
            writer.write(report.business)
            writer.write(report.reason.rawValue)
            if let id = report.envelopeID {
                writer.write(UInt8(1))
                writer.write(id)
            } else {
                writer.write(UInt8(0))
            }
        case let .receipt(receipt):
            writer.write(receipt.kind.rawValue)
            writer.write(receipt.counterpart)
            writer.write(receipt.envelopeIDs)
        case let .error(code, message):
            writer.write(code.rawValue)
            writer.writeText(message)
        case let .ping(nonce), let .pong(nonce):
            writer.write(nonce)
        case let .registered(token):
            writer.write(token)
        case .welcome, .ok:
            break
        case let .preKeyBundle(owner, bundle):
            writer.write(owner)
            writer.writeShortOpaque(bundle)
        case let .accepted(clientMessageID, envelopeID, time):
            writer.write(clientMessageID)
            writer.write(envelopeID)
            writer.write(time)
        case let .deliver(envelope):
            writer.write(envelope.id)
            writer.write(envelope.sender)
            writer.write(envelope.serverTimeMilliseconds)
            writer.write(envelope.kind)
            writer.writeLongOpaque(envelope.ciphertext)
        case let .notice(kind, text):
            writer.write(kind.rawValue)
            writer.writeText(text)
        }
    }
}

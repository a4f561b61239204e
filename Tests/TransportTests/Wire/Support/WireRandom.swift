@testable import Transport

/// SplitMix64 (Steele, Lea & Flood): the seeded generator behind every randomized wire test, so a
/// failure names a seed that reproduces it. Wrapping arithmetic is the algorithm.
struct WireRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }

    mutating func chance(_ probability: Double) -> Bool { Double.random(in: 0..<1, using: &self) < probability }

    mutating func byte() -> UInt8 { UInt8.random(in: 0...255, using: &self) }

    mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in byte() } }

    mutating func bytes(_ range: ClosedRange<Int>) -> [UInt8] { bytes(int(range)) }

    mutating func phone() -> PhoneNumber {
        let digits = int(PhoneNumber.minimumDigitCount...PhoneNumber.maximumDigitCount)
        let low = PhoneNumber.powerOfTen(digits - 1)
        let value = UInt64.random(in: low...(10 * low - 1), using: &self)
        guard let phone = PhoneNumber(digits: value) else { preconditionFailure("\(value) has \(digits) digits") }
        return phone
    }

    mutating func device() -> DeviceID {
        guard let device = DeviceID(rawValue: UInt32.random(in: 1...UInt32.max, using: &self)) else { preconditionFailure("0") }
        return device
    }

    mutating func requestID() -> RequestID { RequestID(rawValue: UInt32.random(in: 0...UInt32.max, using: &self)) }

    mutating func token() -> RelayToken { RelayToken.random(using: &self) }

    mutating func envelopeID() -> EnvelopeID { EnvelopeID.random(using: &self) }

    mutating func envelopeIDs(maximal: Bool) -> [EnvelopeID] {
        (0..<(maximal ? WireFormat.maximumEnvelopeIDCount : int(1...(chance(0.1) ? 256 : 8)))).map { _ in envelopeID() }
    }

    mutating func kind() -> EnvelopeKind {
        switch int(0...2) {
        case 0: .user
        case 1: .control
        default: .business(MessageCategory.allCases.randomElement(using: &self) ?? .utility)
        }
    }

    /// Opaque bytes: usually short, sometimes up to `limit`, exactly `limit` when maximal.
    mutating func opaque(limit: Int, maximal: Bool) -> [UInt8] {
        if maximal { return bytes(limit) }
        return bytes(chance(0.05) ? 1...limit : 1...min(limit, 600))
    }

    /// UTF-8 text of 1-, 2-, 3- and 4-byte scalars, at most `limit` bytes, empty sometimes.
    mutating func text(limit: Int, maximal: Bool) -> String {
        if maximal { return String(repeating: "x", count: limit) }
        var scalars = String.UnicodeScalarView()
        var length = 0
        let target = int(0...(chance(0.2) ? limit : 40))
        while length < target {
            let ranges: [ClosedRange<UInt32>] = [0x20...0x7e, 0xa0...0x7ff, 0x800...0xd7ff, 0x1_0000...0x1_0fff]
            let range = ranges[int(0...3)]
            guard let scalar = Unicode.Scalar(UInt32.random(in: range, using: &self)) else { continue }
            if length + UTF8.width(scalar) > limit { break }
            scalars.append(scalar)
            length += UTF8.width(scalar)
        }
        return String(scalars)
    }

    /// A random valid frame of `type`; with `maximal`, one whose body is the type's maximum.
    mutating func frame(of type: FrameType, maximal: Bool = false) -> Frame {
        // A maximal frame's phone numbers have 15 digits.
        func phone() -> PhoneNumber {
            maximal ? (PhoneNumber(digits: 100_000_000_000_000 + UInt64.random(in: 0...1_000_000, using: &self)) ?? self.phone()) : self.phone()
        }
        let bundleLimit = WireFormat.maximumBundleLength
        let cipherLimit = WireFormat.maximumCiphertextLength
        switch type {
        case .register:
            return .register(phone: phone(), device: device())
        case .hello:
            return .hello(phone: phone(), device: device(), token: token())
        case .publishPreKeys:
            let count = maximal ? WireFormat.maximumBundleCount : int(1...(chance(0.1) ? 100 : 4))
            return .publishPreKeys(bundles: (0..<count).map { _ in opaque(limit: bundleLimit, maximal: maximal) })
        case .fetchPreKeys:
            return .fetchPreKeys(owner: phone())
        case .send:
            return .send(OutgoingEnvelope(recipient: phone(), clientMessageID: next(), kind: kind(),
                                          ciphertext: opaque(limit: cipherLimit, maximal: maximal)))
        case .ack:
            return .ack(envelopeIDs: envelopeIDs(maximal: maximal))
        case .block:
            return .block(blocked: phone(), reason: BlockReason.allCases.randomElement(using: &self) ?? .spam)
        case .report:
            let id: EnvelopeID? = maximal || chance(0.5) ? envelopeID() : nil
            return .report(SpamReport(business: phone(), reason: ReportReason.allCases.randomElement(using: &self) ?? .spam, envelopeID: id))
        case .receipt:
            return .receipt(Receipt(kind: ReceiptKind.allCases.randomElement(using: &self) ?? .read,
                                    counterpart: phone(), envelopeIDs: envelopeIDs(maximal: maximal)))
        case .error:
            return .error(code: WireErrorCode(rawValue: UInt16.random(in: 0...UInt16.max, using: &self)),
                          message: text(limit: WireFormat.maximumErrorTextLength, maximal: maximal))
        case .ping:
            return .ping(nonce: next())
        case .pong:
            return .pong(nonce: next())
        case .registered:
            return .registered(token: token())
        case .welcome:
            return .welcome
        case .preKeyBundle:
            return .preKeyBundle(owner: phone(), bundle: opaque(limit: bundleLimit, maximal: maximal))
        case .accepted:
            return .accepted(clientMessageID: next(), envelopeID: envelopeID(), serverTimeMilliseconds: next())
        case .deliver:
            return .deliver(DeliveredEnvelope(id: envelopeID(), sender: phone(), serverTimeMilliseconds: next(), kind: kind(),
                                              ciphertext: opaque(limit: cipherLimit, maximal: maximal)))
        case .ok:
            return .ok
        case .notice:
            return .notice(kind: NoticeKind.allCases.randomElement(using: &self) ?? .integrity,
                           text: text(limit: WireFormat.maximumNoticeTextLength, maximal: maximal))
        }
    }

    /// A random valid frame of a random type, kept small (≤ ~1 KB) for streams.
    mutating func smallFrame() -> Frame {
        let type = FrameType.allCases.randomElement(using: &self) ?? .ping
        var frame = self.frame(of: type)
        switch frame {
        case var .send(envelope):
            envelope.ciphertext = Array(envelope.ciphertext.prefix(int(1...700)))
            frame = .send(envelope)
        case var .deliver(envelope):
            envelope.ciphertext = Array(envelope.ciphertext.prefix(int(1...700)))
            frame = .deliver(envelope)
        case let .publishPreKeys(bundles):
            frame = .publishPreKeys(bundles: Array(bundles.prefix(2)).map { Array($0.prefix(300)) })
        case let .ack(ids):
            frame = .ack(envelopeIDs: Array(ids.prefix(8)))
        case var .receipt(receipt):
            receipt.envelopeIDs = Array(receipt.envelopeIDs.prefix(8))
            frame = .receipt(receipt)
        default:
            break
        }
        return frame
    }
}

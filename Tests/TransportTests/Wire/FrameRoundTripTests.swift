import Testing
@testable import Transport

/// Every frame type, with seeded random field values, encodes and decodes back to itself.
@Suite struct WireFrameRoundTripTests {
    static let encoder = FrameEncoder()

    /// Encodes, checks the header, decodes from a fresh decoder, and compares.
    static func roundTrip(_ frame: Frame, requestID: RequestID, seed: UInt64) throws {
        let bytes = try encoder.encode(frame, requestID: requestID)
        #expect(bytes.count == (try encoder.encodedSize(of: frame)), "seed \(seed)")
        #expect(Array(bytes[0..<4]) == WireBytes.u32(UInt32(bytes.count - 4)), "seed \(seed)")
        #expect(bytes[4] == WireFormat.version && bytes[5] == frame.type.rawValue, "seed \(seed)")
        #expect(Array(bytes[6..<10]) == WireBytes.u32(requestID.rawValue), "seed \(seed)")
        #expect(bytes.count - WireFormat.headerSize <= frame.type.maximumBodyLength, "seed \(seed)")

        var decoder = FrameDecoder()
        decoder.feed(bytes)
        let decoded = try decoder.next()
        #expect(decoded == DecodedFrame(requestID: requestID, frame: frame), "seed \(seed): \(frame.type)")
        #expect(try decoder.next() == nil, "seed \(seed)")
        #expect(decoder.isAtFrameBoundary, "seed \(seed)")
    }

    @Test(arguments: FrameType.allCases)
    func randomFramesRoundTrip(type: FrameType) {
        for seed in 0..<40 as Range<UInt64> {
            let fullSeed = UInt64(type.rawValue) << 32 | seed
            var random = WireRandom(seed: fullSeed)
            let frame = random.frame(of: type)
            #expect(frame.type == type)
            do {
                try Self.roundTrip(frame, requestID: random.requestID(), seed: fullSeed)
            } catch {
                Issue.record("seed \(fullSeed): \(error)")
            }
        }
    }

    /// The largest valid frame of each type has exactly the type's maximum body: the limits in
    /// docs/wire.md are reachable and consistent, and the early "body too large" check never
    /// refuses a valid frame.
    @Test(arguments: FrameType.allCases)
    func maximalFramesHaveTheMaximumBodyAndRoundTrip(type: FrameType) throws {
        let seed = 0xBEEF_0000 | UInt64(type.rawValue)
        var random = WireRandom(seed: seed)
        let frame = random.frame(of: type, maximal: true)
        let size = try Self.encoder.encodedSize(of: frame)
        #expect(size - WireFormat.headerSize == type.maximumBodyLength, "\(type)")
        try Self.roundTrip(frame, requestID: random.requestID(), seed: seed)
    }

    @Test func extremeFieldValuesRoundTrip() throws {
        let phone = try #require(PhoneNumber("+999999999999999"))
        let token = try #require(RelayToken(bytes: [UInt8](repeating: 0xff, count: 32)))
        let id = EnvelopeID(high: .max, low: .max)
        let frames: [Frame] = [
            .hello(phone: phone, device: try #require(DeviceID(rawValue: .max)), token: token),
            .accepted(clientMessageID: .max, envelopeID: id, serverTimeMilliseconds: .max),
            .accepted(clientMessageID: 0, envelopeID: EnvelopeID(high: 0, low: 0), serverTimeMilliseconds: 0),
            .ping(nonce: 0), .pong(nonce: .max),
            .error(code: WireErrorCode(rawValue: .max), message: ""),
            .error(code: WireErrorCode(rawValue: 0), message: "🙂 ünïcödé 中文"),
            .publishPreKeys(bundles: [[0]]),
            .report(SpamReport(business: phone, reason: .other, envelopeID: nil)),
        ]
        for frame in frames {
            try Self.roundTrip(frame, requestID: RequestID(rawValue: .max), seed: 0)
        }
    }
}

import Testing
@testable import Transport

/// The byte layouts of docs/wire.md's examples, and the encoder's refusals.
@Suite struct WireFrameEncoderTests {
    let encoder = FrameEncoder()

    @Test func pingMatchesTheSpecExample() throws {
        let bytes = try encoder.encode(.ping(nonce: 0x0102_0304_0506_0708), requestID: 7)
        #expect(bytes == WireBytes.hex("0000000e 01 42 00000007 0102030405060708"))
    }

    @Test func registerMatchesTheSpecExample() throws {
        let frame = Frame.register(phone: try #require(PhoneNumber("+14155550100")), device: try #require(DeviceID(rawValue: 1)))
        let bytes = try encoder.encode(frame, requestID: 1)
        #expect(bytes == WireBytes.hex("00000017 01 01 00000001 0c 2b3134313535353530313030 00000001"))
    }

    @Test func errorMatchesTheSpecExample() throws {
        let bytes = try encoder.encode(.error(code: .invalidField, message: "bad phone"), requestID: 9)
        #expect(bytes == WireBytes.hex("00000013 01 41 00000009 00ca 0009 6261642070686f6e65"))
    }

    @Test func sendLaysOutKindAndCategory() throws {
        let envelope = OutgoingEnvelope(recipient: try #require(PhoneNumber("+12345678")), clientMessageID: 5,
                                        kind: .business(.authentication), ciphertext: [0xaa, 0xbb])
        let bytes = try encoder.encode(.send(envelope))
        #expect(bytes == WireBytes.hex("00000020 01 05 00000000 09 2b3132333435363738 0000000000000005 02 03 00000002 aabb"))
    }

    @Test func reportLaysOutTheOptionalEnvelope() throws {
        let business = try #require(PhoneNumber("+12345678"))
        let without = try encoder.encode(.report(SpamReport(business: business, reason: .scam)))
        #expect(Array(without[10...]) == WireBytes.hex("09 2b3132333435363738 02 00"))
        let with = try encoder.encode(.report(SpamReport(business: business, reason: .scam, envelopeID: EnvelopeID(high: 1, low: 2))))
        #expect(Array(with[10...]) == WireBytes.hex("09 2b3132333435363738 02 01 0000000000000001 0000000000000002"))
    }

    @Test func appendingKeepsEarlierBytesAndFailureLeavesTheBufferUnchanged() throws {
        var buffer: [UInt8] = [1, 2, 3]
        try encoder.encode(.ok, requestID: 4, into: &buffer)
        #expect(buffer == [1, 2, 3] + WireBytes.hex("00000006 01 86 00000004"))
        let before = buffer
        #expect(throws: WireError.self) { try encoder.encode(.ack(envelopeIDs: []), into: &buffer) }
        #expect(buffer == before)
    }

    @Test func appendingManyFramesGrowsTheBufferGeometrically() throws {
        var buffer: [UInt8] = []
        var growths = 0
        for nonce in 0..<10_000 as Range<UInt64> {
            let capacity = buffer.capacity
            try encoder.encode(.ping(nonce: nonce), into: &buffer)
            if buffer.capacity != capacity { growths += 1 }
        }
        #expect(buffer.count == 180_000)
        #expect(growths < 20, "\(growths) reallocations")
    }

    @Test(arguments: [
        Frame.publishPreKeys(bundles: []),
        .publishPreKeys(bundles: Array(repeating: [1], count: 101)),
        .publishPreKeys(bundles: [[]]),
        .publishPreKeys(bundles: [[UInt8](repeating: 0, count: 2049)]),
        .ack(envelopeIDs: []),
        .ack(envelopeIDs: Array(repeating: EnvelopeID(high: 0, low: 0), count: 257)),
        .error(code: .internalError, message: String(repeating: "x", count: 513)),
        .preKeyBundle(owner: WireFixtures.alice, bundle: []),
    ])
    func invalidFieldsAreRefused(frame: Frame) {
        #expect {
            try encoder.encode(frame)
        } throws: { error in
            guard let error = error as? WireError, case .invalidField = error.reason else { return false }
            return error.frameType == frame.type.rawValue
        }
    }

    @Test func emptyAndOversizedCiphertextsAreRefused() throws {
        let phone = try #require(PhoneNumber("+12345678"))
        for count in [0, WireFormat.maximumCiphertextLength + 1] {
            let frame = Frame.send(OutgoingEnvelope(recipient: phone, clientMessageID: 1, kind: .user,
                                                    ciphertext: [UInt8](repeating: 7, count: count)))
            #expect(throws: WireError.self) { try encoder.encode(frame) }
        }
    }

    @Test func framesAboveTheEncodersMaximumAreRefused() throws {
        let small = FrameEncoder(maximumFrameSize: 1024)
        let phone = try #require(PhoneNumber("+12345678"))
        // Header 10 + recipient 10 + id 8 + kind 2 + length 4 = 34 bytes before the ciphertext.
        let fits = Frame.send(OutgoingEnvelope(recipient: phone, clientMessageID: 1, kind: .user, ciphertext: [UInt8](repeating: 1, count: 990)))
        #expect(try small.encode(fits).count == 1024)
        let tooLarge = Frame.send(OutgoingEnvelope(recipient: phone, clientMessageID: 1, kind: .user, ciphertext: [UInt8](repeating: 1, count: 991)))
        #expect(throws: WireError(.frameTooLarge(frameSize: 1025, limit: 1024), frameType: FrameType.send.rawValue)) {
            try small.encode(tooLarge)
        }
    }
}
